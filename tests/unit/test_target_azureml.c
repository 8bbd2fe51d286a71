/* The Azure ML target on a real loop, where no stub is needed: freeing it
 * abandons a request that is out and a token command that is running,
 * without calling back and with nothing left on the loop; a server that
 * refuses connections is tried again within the timeout, then one clear
 * failure. (tests/cli/target_azureml.sh covers the API itself.) */
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "config.h"
#include "loop.h"
#include "stub_server.h"
#include "target.h"

static int calls;
static char last_error[512];

static void on_read(void *arg, const char *error, const struct target_view *view)
{
	(void)arg;
	(void)view;
	calls++;
	snprintf(last_error, sizeof last_error, "%s", error ? error : "");
}

static void on_apply(void *arg, const char *error, const char *detail)
{
	(void)detail;
	on_read(arg, error, NULL);
}

static struct config_target target_at(const char *arm_url)
{
	return (struct config_target){
		.type = TARGET_AZUREML, .timeout_ms = CHECK_HANG_MS, .subscription = (char *)"sub-1",
		.resource_group = (char *)"rg-1", .workspace = (char *)"ws-1", .endpoint_name = (char *)"chat",
		.api_version = (char *)"2025-12-01", .arm_url = (char *)arm_url, .auth = { .type = AUTH_NONE },
		.operation_timeout_ms = 10000,
	};
}

static void spin(struct loop *l, int ms)
{
	int64_t end = clock_monotonic_ms() + ms;
	while (clock_monotonic_ms() < end)
		loop_wait(l, NULL, 0, 20);
}

static void test_free_abandons_a_request(void)
{
	int port;
	int fd = stub_server_listen(&port); /* connections taken, never answered */
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
	struct config_target cfg = target_at(url);
	struct loop *l = loop_new();
	struct error err;
	struct target *t = target_azureml_new(&cfg, "chat", l, "test.json", &err);
	CHECK(t != NULL);
	calls = 0;
	t->ops->read(t, "chat", 0, on_read, NULL);
	spin(l, 100);
	CHECK(loop_busy(l));
	t->ops->free(t);
	CHECK(!loop_busy(l));
	spin(l, 50);
	CHECK(calls == 0);
	loop_free(l);
	close(fd);
}

/* The command would write its file once its sleep ended: freed, it is
 * killed rather than waited out. */
static void test_free_abandons_the_token_command(void)
{
	char ended[200], script[256];
	snprintf(ended, sizeof ended, "%s/ended", check_tmpdir());
	snprintf(script, sizeof script, "sleep 30; echo >%s", ended);
	char *argv[] = { (char *)"sh", (char *)"-c", script, NULL };
	struct config_target cfg = target_at("http://127.0.0.1:9");
	cfg.auth = (struct config_auth){ .type = AUTH_AZURE_CLI, .audience = (char *)"https://management.azure.com",
					 .command = argv, .n_command = 3 };
	struct loop *l = loop_new();
	struct error err;
	struct target *t = target_azureml_new(&cfg, "chat", l, "test.json", &err);
	CHECK(t != NULL);
	calls = 0;
	struct traffic_split s;
	traffic_split_init(&s);
	traffic_split_set(&s, "blue", 100);
	t->ops->apply(t, "chat", &s, 0, on_apply, NULL);
	traffic_split_free(&s);
	spin(l, 100);
	CHECK(loop_busy(l)); /* the command's pipes are watched */
	t->ops->free(t);
	CHECK(!loop_busy(l));
	CHECK(calls == 0);
	CHECK(access(ended, F_OK) != 0);
	CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD); /* and reaped */
	loop_free(l);
}

static void test_refused_connections_retried_then_one_failure(void)
{
	/* A port that was just free: nothing listens there. */
	int port;
	close(stub_server_listen(&port));
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
	struct config_target cfg = target_at(url);
	/* Room for a retry (after 0.5 s, then 1 s, 2 s...) even when the
	 * first refusal comes seconds late on a busy machine. */
	cfg.timeout_ms = 5000;
	struct loop *l = loop_new();
	struct error err;
	struct target *t = target_azureml_new(&cfg, "chat", l, "test.json", &err);
	calls = 0;
	int64_t start = clock_monotonic_ms();
	t->ops->read(t, "chat", 0, on_read, NULL);
	while (loop_busy(l) && clock_monotonic_ms() - start < CHECK_HANG_MS)
		loop_wait(l, NULL, 0, 50);
	CHECK(calls == 1);
	/* Tried again after a backoff, then given up at the timeout: one
	 * failure that counts the tries. (Only a lower bound on the time: a
	 * slow machine can only make it longer.) */
	CHECK(clock_monotonic_ms() - start >= 400);
	CHECK(strncmp(last_error, "reading the endpoint failed: no response: ", 42) == 0);
	CHECK(strstr(last_error, " tries)") != NULL);
	t->ops->free(t);
	loop_free(l);
}

int main(void)
{
	RUN(test_free_abandons_a_request);
	RUN(test_free_abandons_the_token_command);
	RUN(test_refused_connections_retried_then_one_failure);
	return CHECK_EXIT();
}
