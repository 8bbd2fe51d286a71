/* The haproxy target on a loop, against a runtime API played by the test
 * itself on a unix socket watched by the same loop: what it sends, how it
 * reads answers, retries a connection closed with no answer, gives up at
 * its timeout, and abandons everything when freed. */
#include "check.h"

#include <dirent.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "loop.h"
#include "target.h"

#define HEADER_26                                                                                          \
	"# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight "    \
	"srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state "   \
	"srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl "          \
	"srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n"
#define ROW(name, admin, weight) \
	"3 be_chat 1 " name " 127.0.0.1 2 " admin " " weight " 90 1 1 0 2 0 0 0 0 - 39513 - 0 0 - - 0\n"

/* The fake runtime API: answers[i] to the i-th connection, after reading
 * its command; "" (and every connection past the list) closes with no
 * answer; HANG keeps the connection and never answers. */
#define HANG ((const char *)1)
static struct loop *lp;
static int listen_fd = -1;
static const char *const *answers;
static size_t n_answers, n_conns;
static char received[4096];
static int kept[16];
static size_t n_kept;
static char sock_path[100];

static void on_conn(void *arg, int fd, short revents)
{
	(void)revents;
	const char *answer = arg;
	char buf[512];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	if (n > 0) {
		buf[n] = '\0';
		strncat(received, buf, sizeof received - strlen(received) - 1);
		if (!strchr(buf, '\n'))
			return;
	}
	loop_unwatch(lp, fd);
	if (answer == HANG) {
		kept[n_kept++] = fd;
		return;
	}
	if (n > 0 && write(fd, answer, strlen(answer)) < 0)
		perror("write");
	close(fd);
}

static void on_accept(void *arg, int fd, short revents)
{
	(void)arg;
	(void)revents;
	int c = accept(fd, NULL, NULL);
	if (c < 0)
		return;
	const char *answer = n_conns < n_answers ? answers[n_conns] : "";
	n_conns++;
	loop_watch(lp, c, POLLIN, on_conn, (void *)answer);
}

static void server_start(const char *const *list, size_t n)
{
	answers = list;
	n_answers = n;
	n_conns = 0;
	received[0] = '\0';
	unlink(sock_path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", sock_path);
	if (bind(listen_fd, (struct sockaddr *)&sun, sizeof sun) != 0 || listen(listen_fd, 8) != 0)
		perror("fake runtime API");
	loop_watch(lp, listen_fd, POLLIN, on_accept, NULL);
}

static void server_stop(void)
{
	loop_unwatch(lp, listen_fd);
	close(listen_fd);
	listen_fd = -1;
	for (size_t i = 0; i < n_kept; i++) {
		loop_unwatch(lp, kept[i]);
		close(kept[i]);
	}
	n_kept = 0;
	unlink(sock_path);
}

static struct config_server_map map[] = { { "d-1427", "stable" }, { "d-1428", "canary" } };

static struct target *make(int64_t timeout_ms, const char *path)
{
	struct config_target cfg = { .type = TARGET_HAPROXY, .timeout_ms = timeout_ms, .socket = (char *)path,
				     .backend = "be_chat", .servers = map, .n_servers = 2 };
	struct error err;
	struct target *t = target_haproxy_new(&cfg, "chat", lp, &err);
	if (!t)
		printf("#   %s\n", err.msg);
	return t;
}

/* What came back. */
static int calls;
static char error[512];
static char view[256];

static void on_apply(void *arg, const char *e, const char *detail)
{
	(void)arg;
	(void)detail;
	calls++;
	snprintf(error, sizeof error, "%s", e ? e : "");
}

static void on_read(void *arg, const char *e, const struct target_view *v)
{
	(void)arg;
	calls++;
	snprintf(error, sizeof error, "%s", e ? e : "");
	view[0] = '\0';
	for (size_t i = 0; v && i < v->n; i++)
		snprintf(view + strlen(view), sizeof view - strlen(view), "%s%s=%d:%s", i ? " " : "",
			 v->deployments[i].name, v->deployments[i].traffic, v->deployments[i].state);
}

static void wait_for_call(void)
{
	int64_t end = clock_monotonic_ms() + CHECK_HANG_MS;
	while (calls == 0 && clock_monotonic_ms() < end)
		loop_wait(lp, NULL, 0, 50);
}

static void reset(void)
{
	calls = 0;
	error[0] = view[0] = '\0';
}

static void split2(struct traffic_split *s, int a, int b)
{
	traffic_split_init(s);
	traffic_split_set(s, "d-1427", a);
	traffic_split_set(s, "d-1428", b);
}

static void test_read(void)
{
	static const char *const list[] = { "1\n" HEADER_26 ROW("stable", "0", "90") ROW("canary", "8", "10") "\n" };
	server_start(list, 1);
	struct target *t = make(CHECK_HANG_MS, sock_path);
	reset();
	t->ops->read(t, "chat", 0, on_read, NULL);
	CHECK(calls == 0); /* on the loop, not at once */
	wait_for_call();
	CHECK(calls == 1);
	CHECK_STR(error, "");
	CHECK_STR(view, "d-1427=100:UP d-1428=0:DRAIN");
	CHECK_STR(received, "show servers state be_chat\n");
	t->ops->free(t);
	server_stop();
	CHECK(!loop_busy(lp));
}

static void test_apply_order(void)
{
	static const char *const list[] = { "\n", "\n" };
	server_start(list, 2);
	struct target *t = make(CHECK_HANG_MS, sock_path);
	struct traffic_split s;
	split2(&s, 0, 100);
	reset();
	t->ops->apply(t, "chat", &s, 0, on_apply, NULL);
	wait_for_call();
	CHECK(calls == 1);
	CHECK_STR(error, "");
	/* The server that takes traffic first: the weights never all reach 0. */
	CHECK_STR(received, "set server be_chat/canary weight 100\nset server be_chat/stable weight 0\n");
	CHECK(n_conns == 2);
	traffic_split_free(&s);
	t->ops->free(t);
	server_stop();
}

static void test_apply_refused(void)
{
	static const char *const list[] = { "No such server.\n\n", "\n" };
	server_start(list, 2);
	struct target *t = make(CHECK_HANG_MS, sock_path);
	struct traffic_split s;
	split2(&s, 100, 0);
	reset();
	t->ops->apply(t, "chat", &s, 0, on_apply, NULL);
	wait_for_call();
	CHECK(calls == 1);
	char want[512];
	snprintf(want, sizeof want,
		 "haproxy at %s: no such server \"stable\" in backend \"be_chat\"; check the target's \"servers\"",
		 sock_path);
	CHECK_STR(error, want);
	/* The first refusal ends it. */
	CHECK_STR(received, "set server be_chat/stable weight 100\n");
	traffic_split_free(&s);
	/* A deployment with no server is refused before anything is sent. */
	traffic_split_init(&s);
	traffic_split_set(&s, "d-9", 100);
	reset();
	t->ops->apply(t, "chat", &s, 0, on_apply, NULL);
	CHECK(calls == 1);
	CHECK_STR(error, "haproxy target of chat: deployment d-9 has no server in the target's \"servers\"");
	traffic_split_free(&s);
	t->ops->free(t);
	server_stop();
}

static void test_no_answer_retried(void)
{
	/* Two connections closed with no answer, then the answer. */
	static const char *const list[] = { "", "", "1\n" HEADER_26 ROW("stable", "0", "1") ROW("canary", "0", "1") "\n" };
	server_start(list, 3);
	struct target *t = make(CHECK_HANG_MS, sock_path);
	reset();
	t->ops->read(t, "chat", 0, on_read, NULL);
	wait_for_call();
	CHECK(calls == 1);
	CHECK_STR(error, "");
	CHECK_STR(view, "d-1427=50:UP d-1428=50:UP");
	CHECK(n_conns == 3);
	t->ops->free(t);
	server_stop();
	/* Never an answer: the last failure, once the timeout leaves no room
	 * for another try. (The timeout leaves room for a retry, after 0.5
	 * s, even when the first try ends seconds late on a busy machine.) */
	server_start(list, 0);
	t = make(5000, sock_path);
	reset();
	t->ops->read(t, "chat", 0, on_read, NULL);
	wait_for_call();
	char want[512];
	snprintf(want, sizeof want, "haproxy at %s: the connection closed with no answer", sock_path);
	CHECK_STR(error, want);
	CHECK(n_conns >= 2);
	t->ops->free(t);
	server_stop();
}

static void test_hang_and_missing(void)
{
	static const char *const list[] = { HANG };
	server_start(list, 1);
	struct target *t = make(300, sock_path);
	reset();
	t->ops->read(t, "chat", 0, on_read, NULL);
	wait_for_call();
	char want[512];
	snprintf(want, sizeof want, "haproxy at %s: no answer within 300 ms", sock_path);
	CHECK_STR(error, want);
	t->ops->free(t);
	server_stop();
	t = make(700, sock_path);
	reset();
	t->ops->read(t, "chat", 0, on_read, NULL);
	wait_for_call();
	snprintf(want, sizeof want,
		 "haproxy at %s: no such socket (is HAProxy running, and is \"socket\" its stats socket?)", sock_path);
	CHECK_STR(error, want);
	t->ops->free(t);
}

static int open_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static void test_free_abandons(void)
{
	static const char *const list[] = { HANG, HANG };
	int before = open_fds();
	server_start(list, 2);
	struct target *t = make(CHECK_HANG_MS, sock_path);
	struct traffic_split s;
	split2(&s, 100, 0);
	reset();
	t->ops->apply(t, "chat", &s, 0, on_apply, NULL);
	t->ops->read(t, "chat", 0, on_read, NULL);
	/* until both commands are in, their answers never to come */
	for (int64_t end = clock_monotonic_ms() + CHECK_HANG_MS; n_kept < 2 && clock_monotonic_ms() < end;)
		loop_wait(lp, NULL, 0, 10);
	CHECK(n_conns == 2 && n_kept == 2);
	t->ops->free(t);
	server_stop();
	CHECK(!loop_busy(lp)); /* no watch, no timer left */
	for (int i = 0; i < 5; i++)
		loop_wait(lp, NULL, 0, 10);
	CHECK(calls == 0);
	CHECK(open_fds() == before);
	traffic_split_free(&s);
	/* Freed while waiting to retry a missing socket. */
	t = make(CHECK_HANG_MS, "/nonexistent/admin.sock");
	t->ops->read(t, "chat", 0, on_read, NULL);
	CHECK(loop_busy(lp));
	t->ops->free(t);
	CHECK(!loop_busy(lp));
	CHECK(calls == 0);
}

static void test_config_refused(void)
{
	struct error err;
	struct config_target cfg = { .type = TARGET_HAPROXY, .timeout_ms = 1000, .address = "haproxy.internal:9999",
				     .backend = "be_chat", .servers = map, .n_servers = 2 };
	CHECK(target_haproxy_new(&cfg, "chat", lp, &err) == NULL);
	CHECK_STR(err.msg, "chat: haproxy target: address \"haproxy.internal:9999\": give an IP address and a port "
			   "(cmdr does not look names up: a DNS lookup could stall the console)");
	cfg.address = "[::1]:9999";
	struct target *t = target_haproxy_new(&cfg, "chat", lp, &err);
	CHECK(t != NULL);
	if (t)
		t->ops->free(t);
	cfg.address = "localhost:9999";
	t = target_haproxy_new(&cfg, "chat", lp, &err);
	CHECK(t != NULL);
	if (t)
		t->ops->free(t);
	cfg.backend = "be chat;shutdown sessions";
	CHECK(target_haproxy_new(&cfg, "chat", lp, &err) == NULL);
	CHECK_STR(err.msg, "chat: haproxy target: backend \"be chat;shutdown sessions\": not a name HAProxy gives a "
			   "backend");
}

int main(void)
{
	lp = loop_new();
	const char *dir = check_tmpdir();
	snprintf(sock_path, sizeof sock_path, "%s/admin.sock", dir);
	check_run("read: show servers state on the loop, as a view of the mapped deployments", test_read);
	check_run("apply: one connection per server, those taking traffic first", test_apply_order);
	check_run("apply: the first refusal ends it; an unmapped deployment is refused at once", test_apply_refused);
	check_run("a connection closed with no answer is tried again, within the timeout", test_no_answer_retried);
	check_run("an answer that never comes and a missing socket end at the timeout with a message",
		  test_hang_and_missing);
	check_run("free abandons connections and timers without calling back", test_free_abandons);
	check_run("names that are not IP addresses and backend names HAProxy cannot have are refused",
		  test_config_refused);
	loop_free(lp);
	return check_total_failed ? 1 : 0;
}
