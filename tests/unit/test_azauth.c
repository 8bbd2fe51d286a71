/* Tokens on the loop (core/readers/azauth.c): none and a static bearer answer at
 * once; a command's token is fetched once, shared by the callers waiting
 * for it, cached for the next ones, and a failing command is one line.
 * (Client credentials against a token endpoint: tests/cli/target_azureml.sh.) */
#include <stdint.h>

#include "azauth.h"
#include "check.h"
#include "clock.h"
#include "config.h"
#include "loop.h"

struct answer {
	int calls;
	char token[64];
	char error[512];
};

static void on_token(void *arg, const char *token, const char *error)
{
	struct answer *a = arg;
	a->calls++;
	snprintf(a->token, sizeof a->token, "%s", token ? token : "(none)");
	snprintf(a->error, sizeof a->error, "%s", error ? error : "");
}

static void wait_for(struct loop *l, const struct answer *a)
{
	int64_t end = clock_monotonic_ms() + CHECK_HANG_MS;
	while (!a->calls && clock_monotonic_ms() < end)
		loop_wait(l, NULL, 0, 50);
}

static void test_none_and_bearer(void)
{
	struct loop *l = loop_new();
	struct error err;
	struct config_auth none = { .type = AUTH_NONE };
	struct azauth *a = azauth_new(&none, "https://management.azure.com", l, NULL, "test", &err);
	struct answer got = { 0 };
	CHECK(azauth_get(a, on_token, &got) == 0);
	CHECK(got.calls == 1);
	CHECK_STR(got.token, "(none)");
	azauth_free(a);

	setenv("CMDR_TEST_ARM_TOKEN", "static-token\n", 1);
	struct config_auth bearer = { .type = AUTH_BEARER, .secret = { .env = (char *)"CMDR_TEST_ARM_TOKEN" } };
	a = azauth_new(&bearer, "https://management.azure.com", l, NULL, "test", &err);
	memset(&got, 0, sizeof got);
	CHECK(azauth_get(a, on_token, &got) == 0);
	CHECK(got.calls == 1);
	CHECK_STR(got.token, "static-token");
	CHECK_STR(got.error, "");
	azauth_free(a);

	/* A secret that cannot be read is an error at once. */
	unsetenv("CMDR_TEST_ARM_TOKEN");
	CHECK(azauth_new(&bearer, "https://management.azure.com", l, NULL, "cmdr.json: the auth", &err) == NULL);
	CHECK(strstr(err.msg, "CMDR_TEST_ARM_TOKEN") != NULL);
	/* Basic auth and API keys give no bearer token. */
	struct config_auth basic = { .type = AUTH_BASIC, .user = (char *)"u", .secret = { .env = (char *)"HOME" } };
	CHECK(azauth_new(&basic, "https://management.azure.com", l, NULL, "cmdr.json: the auth", &err) == NULL);
	CHECK_STR(err.msg, "cmdr.json: the auth: this auth type gives no bearer token; use bearer, azure_cli, "
			   "client_credentials or managed_identity");
	loop_free(l);
}

static void test_command_once_shared_cached(void)
{
	const char *dir = check_tmpdir();
	char script[512], count[300];
	snprintf(count, sizeof count, "%s/runs", dir);
	/* The audience is passed as the command's argument, as az takes it. */
	snprintf(script, sizeof script,
		 "echo run >>%s; sleep 0.2; [ \"$0\" = https://management.azure.com ] || exit 9; "
		 "echo '{\"accessToken\": \"cli-token\", \"expires_on\": 4070908800}'",
		 count);
	char *argv[] = { (char *)"sh", (char *)"-c", script, (char *)"https://management.azure.com", NULL };
	struct config_auth cli = { .type = AUTH_AZURE_CLI, .command = argv, .n_command = 4 };
	struct loop *l = loop_new();
	struct error err;
	struct azauth *a = azauth_new(&cli, "https://management.azure.com", l, NULL, "test", &err);
	struct answer first = { 0 }, second = { 0 }, cancelled = { 0 }, later = { 0 };
	CHECK(azauth_get(a, on_token, &first) != 0);
	CHECK(azauth_get(a, on_token, &second) != 0);
	uint64_t h = azauth_get(a, on_token, &cancelled);
	CHECK(h != 0);
	azauth_cancel(a, h);
	CHECK(first.calls == 0);
	wait_for(l, &second);
	CHECK(first.calls == 1 && second.calls == 1 && cancelled.calls == 0);
	CHECK_STR(first.token, "cli-token");
	CHECK_STR(second.token, "cli-token");
	/* Cached: at once, without running the command again. */
	CHECK(azauth_get(a, on_token, &later) == 0);
	CHECK(later.calls == 1);
	CHECK_STR(later.token, "cli-token");
	CHECK(!loop_busy(l));
	FILE *f = fopen(count, "r");
	int runs = 0;
	char line[16];
	while (f && fgets(line, sizeof line, f))
		runs++;
	if (f)
		fclose(f);
	CHECK(runs == 1);
	azauth_free(a);
	loop_free(l);
}

static void test_command_fails(void)
{
	char *argv[] = { (char *)"sh", (char *)"-c",
			 (char *)"echo \"ERROR: Please run 'az login' to setup account.\" >&2; exit 1", NULL };
	struct config_auth cli = { .type = AUTH_AZURE_CLI, .command = argv, .n_command = 3 };
	struct loop *l = loop_new();
	struct error err;
	struct azauth *a = azauth_new(&cli, "https://management.azure.com", l, NULL, "test", &err);
	struct answer got = { 0 };
	CHECK(azauth_get(a, on_token, &got) != 0);
	wait_for(l, &got);
	CHECK(got.calls == 1);
	CHECK_STR(got.token, "(none)");
	CHECK(strncmp(got.error, "sh -c echo ", 11) == 0);
	CHECK(strstr(got.error, "exited with 1: ERROR: Please run 'az login' to setup account.") != NULL);
	/* No such command: the waiter hears at once. */
	char *missing[] = { (char *)"cmdr-no-such-az", NULL };
	struct config_auth none = { .type = AUTH_AZURE_CLI, .command = missing, .n_command = 1 };
	struct azauth *b = azauth_new(&none, "https://management.azure.com", l, NULL, "test", &err);
	memset(&got, 0, sizeof got);
	CHECK(azauth_get(b, on_token, &got) == 0);
	CHECK(got.calls == 1);
	CHECK(strstr(got.error, "cmdr-no-such-az: command not found") == got.error);
	azauth_free(b);
	azauth_free(a);
	loop_free(l);
}

int main(void)
{
	RUN(test_none_and_bearer);
	RUN(test_command_once_shared_cached);
	RUN(test_command_fails);
	return CHECK_EXIT();
}
