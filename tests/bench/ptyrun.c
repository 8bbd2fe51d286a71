/*
 * ptyrun: run a command in a pseudo-terminal of a given size and measure
 * how it behaves there. Results go to stdout as key=value lines.
 *
 *   ptyrun [options] -- COMMAND [ARG...]
 *
 *   --size COLSxROWS     terminal size (default 80x24)
 *   --wait-for TEXT      the first frame is complete once TEXT has appeared
 *                        in the output (escape sequences and control bytes
 *                        are skipped when matching) and the output has then
 *                        been quiet for 100 ms
 *   --idle SECONDS       after the first frame, count the bytes written
 *                        during this period
 *   --dump-idle FILE     also write those idle bytes to FILE
 *   --dump-all FILE      write every byte the command sends to FILE (the
 *                        raw stream, for tests that inspect it)
 *   --keys STRING        key to press after the idle period (C escapes:
 *                        \t \r \n \e \\ \xHH)
 *   --key-latency N      press it N times; for each press, time from the
 *                        write until the first byte of output after it
 *                        (key_*) and until that output goes quiet for 20 ms
 *                        (key_settle_*)
 *   --quit STRING        keys sent at the end (same escapes); then wait for
 *                        the exit, kill after 2 s. Without it the child gets
 *                        SIGTERM, then SIGKILL after 2 s.
 *   --timeout SECONDS    hard overall limit (default 60): the child is
 *                        killed and timeout=1 reported
 *
 * Always reported: peak_rss_kb (wait4's ru_maxrss of the child; it counts
 * the forked ptyrun before exec too, which is small), exit_status or
 * exit_signal, killed, timeout, total_bytes; and, read from /proc just
 * before the quit keys, rss_before_quit_kb split into rss_anon_* (heap,
 * stacks) and rss_file_* (mapped binary and shared libraries).
 *
 * Exit status: 0 when the measurements were reported (whatever they are,
 * including timeout=1), 2 on a usage error, 1 when the harness itself
 * failed (forkpty, ...).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define FIRST_FRAME_QUIET_MS 100.0
#define FIRST_FRAME_QUIET_CAP_MS 5000.0 /* give up waiting for quiet */
#define KEY_PRE_QUIET_MS 30.0
#define KEY_SETTLE_QUIET_MS 20.0
#define KEY_RESPONSE_LIMIT_MS 1000.0
#define EXIT_GRACE_MS 2000.0
#define KILL_REAP_MS 2000.0
#define POLL_SLICE_MS 50 /* look for a dead child at least this often */
#define MAX_KEY_SAMPLES 10000

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Finds a text in the printable part of the output stream. */
struct matcher {
	const char *text;
	size_t len;
	char *win; /* 2 * len bytes: the latest printable bytes */
	size_t fill;
	int state;
	int found;
};

enum { M_TEXT, M_ESC, M_ESC_INTER, M_CSI, M_STR, M_STR_ESC };

static void matcher_byte(struct matcher *m, unsigned char c)
{
	switch (m->state) {
	case M_ESC:
		if (c == '[')
			m->state = M_CSI;
		else if (c == ']' || c == 'P' || c == '_' || c == '^' || c == 'X')
			m->state = M_STR;
		else if (c >= 0x20 && c <= 0x2f)
			m->state = M_ESC_INTER;
		else
			m->state = M_TEXT;
		return;
	case M_ESC_INTER:
		if (c < 0x20 || c > 0x2f)
			m->state = M_TEXT;
		return;
	case M_CSI:
		if (c >= 0x40 && c <= 0x7e)
			m->state = M_TEXT;
		return;
	case M_STR:
		if (c == 0x07)
			m->state = M_TEXT;
		else if (c == 0x1b)
			m->state = M_STR_ESC;
		return;
	case M_STR_ESC:
		m->state = c == '\\' ? M_TEXT : M_STR;
		return;
	default:
		break;
	}
	if (c == 0x1b) {
		m->state = M_ESC;
		return;
	}
	if (c < 0x20 || c == 0x7f)
		return;
	if (m->fill == 2 * m->len) {
		memmove(m->win, m->win + m->len, m->len);
		m->fill = m->len;
	}
	m->win[m->fill++] = (char)c;
	if (m->fill >= m->len && memcmp(m->win + m->fill - m->len, m->text, m->len) == 0)
		m->found = 1;
}

struct run {
	int fd;
	pid_t pid;
	double t_fork;
	double deadline; /* absolute, ms */
	int timed_out;
	int interrupted;
	int eof; /* the master read EOF/EIO: nothing more can come */
	int reaped;
	int rusage_ok;
	int status;
	double t_exit;
	struct rusage ru;
	unsigned long long total;
	unsigned long long *count; /* when set, output bytes are counted here too */
	FILE *dump;                /* when set, output bytes are copied here */
	FILE *dump_all;            /* every output byte, from the start */
	struct matcher *m;         /* when set and not found, output is matched */
	double found_at;
	double last_byte;  /* time of the latest read that returned data */
	double first_mark; /* time of the first read after it was reset to 0 */
};

static void reap(struct run *r, int block)
{
	while (!r->reaped) {
		pid_t p = wait4(r->pid, &r->status, block ? 0 : WNOHANG, &r->ru);
		if (p == r->pid) {
			r->reaped = 1;
			r->rusage_ok = 1;
			r->t_exit = now_ms();
		} else if (p < 0 && errno == EINTR) {
			if (g_stop && block)
				return;
			continue;
		} else if (p < 0) {
			r->reaped = 1; /* ECHILD: nobody left to wait for */
			r->t_exit = now_ms();
		}
		return;
	}
}

static void consume(struct run *r, const unsigned char *buf, size_t n, double t)
{
	r->total += n;
	r->last_byte = t;
	if (r->first_mark == 0)
		r->first_mark = t;
	if (r->count)
		*r->count += n;
	if (r->dump)
		fwrite(buf, 1, n, r->dump);
	if (r->dump_all)
		fwrite(buf, 1, n, r->dump_all);
	if (r->m && !r->m->found) {
		for (size_t i = 0; i < n && !r->m->found; i++)
			matcher_byte(r->m, buf[i]);
		if (r->m->found)
			r->found_at = t;
	}
}

/*
 * Waits until `until` (absolute ms, never past the deadline) for output,
 * then reads everything that is available. Returns the number of bytes read,
 * 0 when none came by `until`, -1 when none came and none can come any more
 * (EOF, deadline, signal).
 */
static long pump(struct run *r, double until)
{
	static unsigned char buf[65536];
	long got = 0;

	for (;;) {
		reap(r, 0);
		if (r->eof)
			return got ? got : -1;
		if (g_stop) {
			r->interrupted = 1;
			return got ? got : -1;
		}
		double t = now_ms();
		if (t >= r->deadline) {
			r->timed_out = 1;
			return got ? got : -1;
		}
		int wait = 0;
		if (!got) {
			double limit = until < r->deadline ? until : r->deadline;
			if (t >= limit)
				return 0;
			double w = limit - t + 1.0; /* round up: never wake early */
			wait = w > POLL_SLICE_MS ? POLL_SLICE_MS : (int)w;
		}
		struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
		int pr = poll(&pfd, 1, wait);
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			r->eof = 1;
			continue;
		}
		if (pr == 0) {
			if (got)
				return got;
			continue;
		}
		for (;;) {
			ssize_t n = read(r->fd, buf, sizeof buf);
			if (n > 0) {
				consume(r, buf, (size_t)n, now_ms());
				got += n;
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			r->eof = 1; /* 0, EIO (no slave left) or a real error */
			break;
		}
	}
}

/* Reads until the output has been quiet for quiet_ms or until cap_ms has
 * passed. Returns 1 when quiet was reached, 0 otherwise. */
static int wait_quiet(struct run *r, double quiet_ms, double cap_ms)
{
	double start = now_ms();
	double cap = start + cap_ms;
	for (;;) {
		double base = r->last_byte > start ? r->last_byte : start;
		double until = base + quiet_ms;
		if (until > cap)
			until = cap;
		long n = pump(r, until);
		if (n < 0)
			return 0;
		if (n == 0) {
			double t = now_ms();
			if (t - base >= quiet_ms)
				return 1;
			if (t >= cap)
				return 0;
		}
	}
}

static int write_all(struct run *r, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t w = write(r->fd, s, len);
		if (w > 0) {
			s += w;
			len -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* the child is not reading: keep draining its output */
			if (pump(r, now_ms() + 10) < 0)
				return -1;
			continue;
		}
		return -1;
	}
	return 0;
}

/* Decodes \t \r \n \e \\ \xHH in place; returns the decoded length. */
static size_t unescape(char *s)
{
	char *out = s;
	const char *in = s;
	while (*in) {
		if (*in != '\\' || !in[1]) {
			*out++ = *in++;
			continue;
		}
		in++;
		switch (*in) {
		case 't': *out++ = '\t'; in++; break;
		case 'r': *out++ = '\r'; in++; break;
		case 'n': *out++ = '\n'; in++; break;
		case 'e': *out++ = 0x1b; in++; break;
		case '\\': *out++ = '\\'; in++; break;
		case 'x': {
			in++;
			unsigned v = 0;
			int digits = 0;
			while (digits < 2) {
				char c = *in;
				unsigned d;
				if (c >= '0' && c <= '9')
					d = (unsigned)(c - '0');
				else if (c >= 'a' && c <= 'f')
					d = (unsigned)(c - 'a' + 10);
				else if (c >= 'A' && c <= 'F')
					d = (unsigned)(c - 'A' + 10);
				else
					break;
				v = v * 16 + d;
				in++;
				digits++;
			}
			*out++ = (char)v;
			break;
		}
		default: *out++ = '\\'; break;
		}
	}
	*out = '\0';
	return (size_t)(out - s);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static double percentile(const double *v, size_t n, double q)
{
	double x = q * (double)n;
	size_t rank = (size_t)x;
	if ((double)rank < x)
		rank++;
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

static void report_samples(const char *name, double *v, size_t n)
{
	if (n == 0)
		return;
	qsort(v, n, sizeof *v, cmp_double);
	printf("%s_p50_ms=%.2f\n", name, percentile(v, n, 0.50));
	printf("%s_p99_ms=%.2f\n", name, percentile(v, n, 0.99));
	printf("%s_max_ms=%.2f\n", name, v[n - 1]);
}

/* Signals the child's process group (it leads its own session) and the
 * child itself, in case it moved to another group. */
static void kill_child(struct run *r, int sig)
{
	if (r->reaped)
		return;
	kill(-r->pid, sig);
	kill(r->pid, sig);
}

/* Waits up to ms for the child to exit, draining its output meanwhile. */
static void await_exit(struct run *r, double ms)
{
	double until = now_ms() + ms;
	while (!r->reaped && now_ms() < until) {
		if (r->eof || g_stop || now_ms() >= r->deadline) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };
			nanosleep(&ts, NULL);
			reap(r, 0);
		} else {
			pump(r, until);
		}
	}
}

/* Reports how the child's resident memory splits, just before it is asked
 * to quit (Linux /proc; silently nothing elsewhere). Only meaningful while
 * the child is the program itself, not a wrapper around it. */
static void report_rss_split(const struct run *r)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%ld/status", (long)r->pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		long v;
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			printf("rss_before_quit_kb=%ld\n", v);
		else if (sscanf(line, "RssAnon: %ld", &v) == 1)
			printf("rss_anon_before_quit_kb=%ld\n", v);
		else if (sscanf(line, "RssFile: %ld", &v) == 1)
			printf("rss_file_before_quit_kb=%ld\n", v);
	}
	fclose(f);
	/* USS: the pages no other process shares. */
	snprintf(path, sizeof path, "/proc/%ld/smaps_rollup", (long)r->pid);
	if (!(f = fopen(path, "r")))
		return;
	long uss = 0, v;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "Private_Clean: %ld", &v) == 1 || sscanf(line, "Private_Dirty: %ld", &v) == 1)
			uss += v;
	fclose(f);
	printf("uss_before_quit_kb=%ld\n", uss);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ptyrun [--size COLSxROWS] [--wait-for TEXT] [--idle SECONDS]\n"
		"              [--dump-idle FILE] [--dump-all FILE] [--keys STRING --key-latency N]\n"
		"              [--quit STRING] [--timeout SECONDS] -- COMMAND [ARG...]\n");
	exit(2);
}

static double parse_num(const char *opt, const char *s, double lo, double hi)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi)) {
		fprintf(stderr, "ptyrun: bad value for %s: %s\n", opt, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	unsigned cols = 80, rows = 24;
	const char *wait_for = NULL, *dump_path = NULL, *dump_all_path = NULL;
	char *keys = NULL, *quit = NULL;
	size_t keys_len = 0, quit_len = 0;
	double idle_s = 0, timeout_s = 60;
	long key_n = 0;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strncmp(a, "--", 2) != 0)
			break;
		if (i + 1 >= argc)
			usage();
		const char *v = argv[++i];
		if (strcmp(a, "--size") == 0) {
			if (sscanf(v, "%ux%u", &cols, &rows) != 2 || cols < 1 || rows < 1 ||
			    cols > 1000 || rows > 1000) {
				fprintf(stderr, "ptyrun: bad --size: %s\n", v);
				return 2;
			}
		} else if (strcmp(a, "--wait-for") == 0) {
			wait_for = v;
		} else if (strcmp(a, "--idle") == 0) {
			idle_s = parse_num(a, v, 0, 3600);
		} else if (strcmp(a, "--dump-idle") == 0) {
			dump_path = v;
		} else if (strcmp(a, "--dump-all") == 0) {
			dump_all_path = v;
		} else if (strcmp(a, "--keys") == 0) {
			keys = strdup(v);
			keys_len = keys ? unescape(keys) : 0;
		} else if (strcmp(a, "--key-latency") == 0) {
			key_n = (long)parse_num(a, v, 0, MAX_KEY_SAMPLES);
		} else if (strcmp(a, "--quit") == 0) {
			quit = strdup(v);
			quit_len = quit ? unescape(quit) : 0;
		} else if (strcmp(a, "--timeout") == 0) {
			timeout_s = parse_num(a, v, 0.1, 86400);
		} else {
			fprintf(stderr, "ptyrun: unknown option %s\n", a);
			usage();
		}
	}
	if (i >= argc)
		usage();
	if (key_n > 0 && keys_len == 0) {
		fprintf(stderr, "ptyrun: --key-latency needs --keys\n");
		return 2;
	}
	if (wait_for && !*wait_for)
		wait_for = NULL;

	FILE *dump = NULL, *dump_all = NULL;
	if (dump_path && !(dump = fopen(dump_path, "wb"))) {
		perror(dump_path);
		return 1;
	}
	if (dump_all_path && !(dump_all = fopen(dump_all_path, "wb"))) {
		perror(dump_all_path);
		return 1;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fflush(stdout);
	fflush(stderr);

	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
	struct run r;
	memset(&r, 0, sizeof r);
	r.dump_all = dump_all;
	r.t_fork = now_ms();
	r.deadline = r.t_fork + timeout_s * 1000.0;
	r.pid = forkpty(&r.fd, NULL, NULL, &ws);
	if (r.pid < 0) {
		perror("ptyrun: forkpty");
		return 1;
	}
	if (r.pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		setenv("TERM", "xterm-256color", 1);
		setenv("LANG", "C.UTF-8", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		unsetenv("LINES");
		unsetenv("COLUMNS");
		execvp(argv[i], argv + i);
		fprintf(stderr, "ptyrun: exec %s: %s\r\n", argv[i], strerror(errno));
		_exit(127);
	}
	int fl = fcntl(r.fd, F_GETFL);
	if (fl >= 0)
		fcntl(r.fd, F_SETFL, fl | O_NONBLOCK);

	printf("size=%ux%u\n", cols, rows);

	/* Phase 1: the first complete frame. */
	int have_frame = 1;
	if (wait_for) {
		struct matcher m = { .text = wait_for, .len = strlen(wait_for) };
		m.win = malloc(2 * m.len);
		if (!m.win) {
			perror("ptyrun");
			kill_child(&r, SIGKILL);
			return 1;
		}
		r.m = &m;
		while (!m.found && pump(&r, r.deadline) >= 0)
			;
		r.m = NULL;
		free(m.win);
		if (m.found) {
			int quiet = wait_quiet(&r, FIRST_FRAME_QUIET_MS, FIRST_FRAME_QUIET_CAP_MS);
			printf("first_frame=1\n");
			printf("text_seen_ms=%.1f\n", r.found_at - r.t_fork);
			printf("start_to_first_frame_ms=%.1f\n", r.last_byte - r.t_fork);
			printf("first_frame_quiet=%d\n", quiet);
			printf("first_frame_bytes=%llu\n", r.total);
		} else {
			have_frame = 0;
			printf("first_frame=0\n");
			printf("first_frame_bytes=%llu\n", r.total);
		}
	}

	/* Phase 2: bytes written while nobody touches anything. */
	if (have_frame && idle_s > 0 && !r.eof && !r.reaped) {
		unsigned long long idle_bytes = 0;
		r.count = &idle_bytes;
		r.dump = dump;
		double start = now_ms();
		double until = start + idle_s * 1000.0;
		while (now_ms() < until && pump(&r, until) >= 0)
			;
		double secs = (now_ms() - start) / 1000.0;
		r.count = NULL;
		r.dump = NULL;
		printf("idle_s=%.2f\n", secs);
		printf("idle_bytes=%llu\n", idle_bytes);
		printf("idle_bytes_per_s=%.1f\n", secs > 0 ? (double)idle_bytes / secs : 0.0);
		printf("idle_complete=%d\n", secs >= idle_s * 0.99 ? 1 : 0);
	}
	if (dump)
		fclose(dump);

	/* Phase 3: keypress to output. */
	if (have_frame && key_n > 0) {
		double *first = calloc((size_t)key_n, sizeof *first);
		double *settle = calloc((size_t)key_n, sizeof *settle);
		size_t n = 0;
		long missed = 0;
		if (!first || !settle) {
			perror("ptyrun");
			kill_child(&r, SIGKILL);
			return 1;
		}
		for (long k = 0; k < key_n && !r.eof && !r.reaped; k++) {
			wait_quiet(&r, KEY_PRE_QUIET_MS, KEY_RESPONSE_LIMIT_MS);
			if (r.eof || r.timed_out || r.interrupted)
				break;
			double sent = now_ms();
			r.first_mark = 0;
			if (write_all(&r, keys, keys_len) < 0)
				break;
			while (r.first_mark == 0 && pump(&r, sent + KEY_RESPONSE_LIMIT_MS) > 0)
				;
			if (r.first_mark == 0) {
				missed++;
				continue;
			}
			wait_quiet(&r, KEY_SETTLE_QUIET_MS, KEY_RESPONSE_LIMIT_MS);
			first[n] = r.first_mark - sent;
			settle[n] = r.last_byte - sent;
			n++;
		}
		printf("key_samples=%zu\n", n);
		printf("key_missed=%ld\n", missed);
		report_samples("key", first, n);
		report_samples("key_settle", settle, n);
		free(first);
		free(settle);
	}

	/* Phase 4: quit, then make sure the child is gone. */
	int killed = 0;
	reap(&r, 0);
	if (!r.reaped)
		report_rss_split(&r);
	if (!r.reaped && !r.timed_out && !r.interrupted) {
		if (quit_len > 0) {
			double sent = now_ms();
			if (write_all(&r, quit, quit_len) == 0) {
				await_exit(&r, EXIT_GRACE_MS);
				if (r.reaped)
					printf("quit_to_exit_ms=%.1f\n", r.t_exit - sent);
			}
		} else {
			kill_child(&r, SIGTERM);
			await_exit(&r, EXIT_GRACE_MS);
		}
	}
	if (!r.reaped) {
		killed = 1;
		kill_child(&r, SIGKILL);
		double until = now_ms() + KILL_REAP_MS;
		while (!r.reaped && now_ms() < until) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };
			nanosleep(&ts, NULL);
			reap(&r, 0);
		}
	}
	close(r.fd);

	printf("killed=%d\n", killed);
	printf("timeout=%d\n", r.timed_out);
	if (r.interrupted)
		printf("interrupted=1\n");
	printf("total_bytes=%llu\n", r.total);
	if (dump_all)
		fclose(dump_all);
	if (r.rusage_ok) {
		if (WIFEXITED(r.status))
			printf("exit_status=%d\n", WEXITSTATUS(r.status));
		else if (WIFSIGNALED(r.status))
			printf("exit_signal=%d\n", WTERMSIG(r.status));
		printf("run_ms=%.1f\n", r.t_exit - r.t_fork);
		printf("peak_rss_kb=%ld\n", r.ru.ru_maxrss);
	} else {
		printf("reaped=0\n");
	}
	free(keys);
	free(quit);
	return 0;
}
