/* The command target on a real loop with real processes: callbacks come
 * exactly once, from the loop; freeing abandons the command, kills it and
 * calls nobody back. */
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "config.h"
#include "loop.h"
#include "target.h"

struct outcome {
	int calls;
	char error[512];
	char detail[4096];
	struct traffic_split split;
};

static void on_apply(void *arg, const char *error, const char *detail)
{
	struct outcome *o = arg;
	o->calls++;
	snprintf(o->error, sizeof o->error, "%s", error ? error : "");
	snprintf(o->detail, sizeof o->detail, "%s", detail ? detail : "");
}

static void on_read(void *arg, const char *error, const struct target_view *view)
{
	struct outcome *o = arg;
	o->calls++;
	snprintf(o->error, sizeof o->error, "%s", error ? error : "");
	if (view)
		target_view_split(view, &o->split);
}

static const char *script(const char *dir, const char *name, const char *body)
{
	static char path[8][256];
	static int n;
	char *p = path[n++ % 8];
	snprintf(p, sizeof path[0], "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (!f)
		abort();
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(p, 0755);
	return p;
}

static struct target *make(struct loop *l, char **apply, size_t n_apply, char **read, size_t n_read,
			   int64_t timeout_ms)
{
	struct config_target cfg = { .type = TARGET_COMMAND, .timeout_ms = timeout_ms, .apply = apply,
				     .n_apply = n_apply, .read = read, .n_read = n_read };
	struct error err = { 0 };
	struct target *t = target_command_new(&cfg, "chat", l, &err);
	if (!t)
		printf("#   %s\n", err.msg);
	return t;
}

static void wait_for(struct loop *l, const struct outcome *o)
{
	int64_t end = clock_monotonic_ms() + CHECK_HANG_MS;
	while (o->calls == 0 && clock_monotonic_ms() < end)
		loop_wait(l, NULL, 0, 100);
}

static void apply_and_read(void)
{
	const char *dir = check_tmpdir();
	char argv_file[200];
	snprintf(argv_file, sizeof argv_file, "%s/argv", dir);
	char body[400];
	snprintf(body, sizeof body, "printf '%%s\\n' \"$@\" >%s; echo done; echo 'warn' >&2", argv_file);
	char *apply[] = { (char *)script(dir, "apply", body), "{endpoint}", "{traffic}", "to {to}" };
	char *read[] = { (char *)script(dir, "read", "echo 'd-1427=100 d-1428=0'"), "{endpoint}" };
	struct loop *l = loop_new();
	struct target *t = make(l, apply, 4, read, 2, CHECK_HANG_MS);
	CHECK(t != NULL);
	if (!t) {
		loop_free(l);
		return;
	}
	struct traffic_split s;
	traffic_split_init(&s);
	traffic_split_set(&s, "d-1427", 100);
	traffic_split_set(&s, "d-1428", 0);
	struct outcome o = { 0 };
	t->ops->apply(t, "chat", &s, 0, on_apply, &o);
	CHECK(o.calls == 0); /* from the loop, not before returning */
	wait_for(l, &o);
	CHECK(o.calls == 1);
	CHECK_STR(o.error, "");
	CHECK_STR(o.detail, "stdout: done\nstderr: warn");
	char got[200] = "";
	FILE *f = fopen(argv_file, "r");
	if (f) {
		size_t n = fread(got, 1, sizeof got - 1, f);
		got[n] = '\0';
		fclose(f);
	}
	CHECK_STR(got, "chat\nd-1427=100\nd-1428=0\nto d-1427\n");

	struct outcome r = { 0 };
	traffic_split_init(&r.split);
	t->ops->read(t, "chat", 0, on_read, &r);
	wait_for(l, &r);
	CHECK(r.calls == 1);
	CHECK_STR(r.error, "");
	CHECK(traffic_split_equal(&r.split, &s));
	traffic_split_free(&r.split);
	traffic_split_free(&s);
	t->ops->free(t);
	CHECK(!loop_busy(l));
	loop_free(l);
}

static void failures(void)
{
	const char *dir = check_tmpdir();
	char *fail[] = { (char *)script(dir, "fail", "echo 'no such deployment: d-9\nmore' >&2; exit 2") };
	char *hang[] = { (char *)script(dir, "hang", "sleep 60") };
	char *missing[] = { "/nonexistent/kubectl" };
	struct loop *l = loop_new();
	struct traffic_split s;
	traffic_split_init(&s);
	traffic_split_set(&s, "d-9", 100);

	struct target *t = make(l, fail, 1, NULL, 0, CHECK_HANG_MS);
	CHECK(t && t->ops->read == NULL); /* no read command: cannot be read */
	struct outcome o = { 0 };
	t->ops->apply(t, "chat", &s, 0, on_apply, &o);
	wait_for(l, &o);
	CHECK(o.calls == 1);
	CHECK_STR(o.error, "apply command exited with status 2: no such deployment: d-9");
	t->ops->free(t);

	t = make(l, hang, 1, NULL, 0, 300);
	memset(&o, 0, sizeof o);
	t->ops->apply(t, "chat", &s, 0, on_apply, &o);
	wait_for(l, &o);
	CHECK(o.calls == 1);
	CHECK_STR(o.error, "apply command did not finish within 0.3 s; killed");
	t->ops->free(t);

	t = make(l, missing, 1, NULL, 0, CHECK_HANG_MS);
	memset(&o, 0, sizeof o);
	t->ops->apply(t, "chat", &s, 0, on_apply, &o);
	CHECK(o.calls == 1); /* cannot start: said at once */
	CHECK_STR(o.error, "apply command: /nonexistent/kubectl: no such file");
	t->ops->free(t);
	traffic_split_free(&s);
	CHECK(!loop_busy(l));
	loop_free(l);
}

static void free_abandons(void)
{
	const char *dir = check_tmpdir();
	char pid_file[200], body[700];
	snprintf(pid_file, sizeof pid_file, "%s/pid", dir);
	snprintf(body, sizeof body, "echo $$ >%s.tmp; mv %s.tmp %s; sleep 60", pid_file, pid_file, pid_file);
	char *apply[] = { (char *)script(dir, "slow", body) };
	struct loop *l = loop_new();
	struct target *t = make(l, apply, 1, apply, 1, 60000);
	struct traffic_split s;
	traffic_split_init(&s);
	traffic_split_set(&s, "a", 100);
	struct outcome o = { 0 }, r = { 0 };
	t->ops->apply(t, "chat", &s, 0, on_apply, &o);
	t->ops->read(t, "chat", 0, on_read, &r);
	long pid = 0;
	for (int64_t end = clock_monotonic_ms() + CHECK_HANG_MS; !pid && clock_monotonic_ms() < end;) {
		loop_wait(l, NULL, 0, 20);
		FILE *f = fopen(pid_file, "r");
		if (f) {
			if (fscanf(f, "%ld", &pid) != 1)
				pid = 0;
			fclose(f);
		}
	}
	CHECK(pid > 0);
	CHECK(pid > 0 && kill((pid_t)pid, 0) == 0);
	t->ops->free(t);
	CHECK(o.calls == 0 && r.calls == 0);
	CHECK(!loop_busy(l));
	/* Killed and reaped with its group. */
	CHECK(pid > 0 && kill((pid_t)pid, 0) == -1);
	loop_wait(l, NULL, 0, 10);
	CHECK(o.calls == 0 && r.calls == 0);
	traffic_split_free(&s);
	loop_free(l);
}

static void long_output_cut(void)
{
	const char *dir = check_tmpdir();
	/* 3000 bytes on stdout, a secret at the start of stderr. */
	char *apply[] = { (char *)script(dir, "loud", "head -c 3000 /dev/zero | tr '\\0' x; "
						     "echo 'token=abcdef123456' >&2") };
	struct loop *l = loop_new();
	struct target *t = make(l, apply, 1, NULL, 0, CHECK_HANG_MS);
	struct traffic_split s;
	traffic_split_init(&s);
	struct outcome o = { 0 };
	t->ops->apply(t, "chat", &s, 0, on_apply, &o);
	wait_for(l, &o);
	CHECK(o.calls == 1);
	CHECK_STR(o.error, "");
	/* "stdout: " + 3000 x + "\nstderr: token=[REDACTED]", cut at 2048. */
	size_t whole = 8 + 3000 + 9 + strlen("token=[REDACTED]");
	char want[64];
	snprintf(want, sizeof want, "xxx\xe2\x80\xa6 (%zu bytes more)", whole - 2048);
	size_t n = strlen(o.detail);
	CHECK(n > strlen(want) && strcmp(o.detail + n - strlen(want), want) == 0);
	CHECK(strncmp(o.detail, "stdout: xxx", 11) == 0);
	CHECK(n == 2048 + strlen(want) - 3);
	t->ops->free(t);
	traffic_split_free(&s);
	loop_free(l);
}

static void bad_template_refused(void)
{
	char *apply[] = { "tool", "--traffic={traffic}" };
	struct config_target cfg = { .type = TARGET_COMMAND, .timeout_ms = 1000, .apply = apply, .n_apply = 2 };
	struct error err = { 0 };
	struct loop *l = loop_new();
	CHECK(target_command_new(&cfg, "chat", l, &err) == NULL);
	CHECK(strstr(err.msg, "chat: apply argument 1: {traffic} must be an argument on its own") == err.msg);
	loop_free(l);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	RUN(apply_and_read);
	RUN(failures);
	RUN(free_abandons);
	RUN(long_output_cut);
	RUN(bad_template_refused);
	return CHECK_EXIT();
}
