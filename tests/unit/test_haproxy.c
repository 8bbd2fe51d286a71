/* HAProxy's runtime API as text: `show servers state` answers (captured
 * from HAProxy 2.6.12), weights to percentages and back, the commands,
 * and HAProxy's refusals as plain lines. */
#include "check.h"

#include "haproxy.h"

static struct error err;
static struct haproxy_state st;

#define HEADER_26                                                                                          \
	"# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight "    \
	"srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state "   \
	"srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl "          \
	"srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n"

static const char state_26[] =
	"1\n" HEADER_26
	"3 be_chat 1 stable 127.0.0.1 2 0 90 90 1 1 0 2 0 0 0 0 - 39513 - 0 0 - - 0\n"
	"3 be_chat 2 canary 127.0.0.1 2 0 10 10 1 1 0 2 0 0 0 0 - 39514 - 0 0 - - 0\n"
	"4 be_static 1 a 127.0.0.1 2 0 90 90 1 1 0 2 0 0 0 0 - 39513 - 0 0 - - 0\n"
	"\n";

static int parse(const char *text, const char *backend)
{
	return haproxy_parse_state(text, strlen(text), backend, &st, &err);
}

static void test_parse_26(void)
{
	CHECK(parse(state_26, "be_chat") == 0);
	CHECK(st.n == 2);
	const struct haproxy_server *s = haproxy_state_find(&st, "stable");
	CHECK(s && s->weight == 90 && s->op_state == 2 && s->admin_state == 0);
	s = haproxy_state_find(&st, "canary");
	CHECK(s && s->weight == 10);
	CHECK(haproxy_state_find(&st, "a") == NULL);
	CHECK_STR(haproxy_server_state(s), "UP");
	haproxy_state_free(&st);
	/* No backend: every row. */
	CHECK(parse(state_26, NULL) == 0);
	CHECK(st.n == 3);
	haproxy_state_free(&st);
	/* A backend with no servers. */
	CHECK(parse("1\n" HEADER_26 "\n", "be_chat") == 0);
	CHECK(st.n == 0);
	haproxy_state_free(&st);
}

static void test_columns_by_name(void)
{
	/* A later version that moves and adds columns: read by name. */
	CHECK(parse("1\n# srv_uweight be_name extra srv_admin_state srv_name srv_op_state\n"
		    "7 be_chat x 0 stable 2\n"
		    "0 be_chat y 1 canary 0\n\n",
		    "be_chat") == 0);
	CHECK(st.n == 2 && st.servers[0].weight == 7 && st.servers[1].admin_state == 1 &&
	      st.servers[1].op_state == 0);
	CHECK_STR(st.servers[0].name, "stable");
	haproxy_state_free(&st);
	CHECK(parse("1\n# be_name srv_name srv_op_state srv_admin_state\n\n", "b") == -1);
	CHECK_STR(err.msg, "show servers state: the header has no srv_uweight column");
	CHECK(st.servers == NULL && st.n == 0);
}

static void test_parse_errors(void)
{
	CHECK(parse("2\n# be_name\n", "b") == -1);
	CHECK_STR(err.msg, "show servers state: expected format version 1, got \"2\"");
	CHECK(parse("", "b") == -1);
	CHECK_STR(err.msg, "show servers state: an empty answer");
	CHECK(parse("1\n", "b") == -1);
	CHECK_STR(err.msg, "show servers state: the answer ends before its header");
	CHECK(parse("1\nbe_name srv_name\n", "b") == -1);
	CHECK_STR(err.msg, "show servers state: expected the \"# be_id be_name ...\" header, got \"be_name srv_name\"");
	/* Cut short: the last row has no newline. */
	CHECK(parse("1\n" HEADER_26 "3 be_chat 1 stable 127.0.0.1 2 0 90 90 1 1 0 2 0 0 0 0 - 39513", "be_chat") == -1);
	CHECK_STR(err.msg, "show servers state: the answer was cut short");
	CHECK(parse("1\n" HEADER_26 "3 be_chat 1 stable 127.0.0.1 2 0 90\n", "be_chat") == -1);
	CHECK_STR(err.msg, "show servers state: line 3 has 8 fields, the header 25");
	CHECK(parse("1\n" HEADER_26 "3 be_chat 1 stable 127.0.0.1 2 0 999 90 1 1 0 2 0 0 0 0 - 39513 - 0 0 - - 0\n",
		    "be_chat") == -1);
	CHECK_STR(err.msg, "show servers state: line 3: a state or weight that is not a number HAProxy would give");
	CHECK(parse("1\n" HEADER_26 "3 be_chat 1 stable 127.0.0.1 2 -1 9 90 1 1 0 2 0 0 0 0 - 39513 - 0 0 - - 0\n",
		    "be_chat") == -1);
	/* Refusals in place of the table. */
	CHECK(parse("Can't find backend.\n\n", "be_x") == -1);
	CHECK_STR(err.msg, "no such backend \"be_x\"; check the target's \"backend\"");
	CHECK(parse("Permission denied\n\n", "be_x") == -1);
	CHECK_STR(err.msg, "permission denied: the runtime API socket needs \"level admin\" on its stats socket "
			   "line to read the servers' state");
	/* Anything else, quoted and made safe. */
	CHECK(parse("<html>\x1b[31mred\n", "b") == -1);
	CHECK_STR(err.msg, "show servers state: expected format version 1, got \"<html>?[31mred\"");
	CHECK(st.servers == NULL);
}

static void test_states(void)
{
	struct haproxy_server s = { .name = "x", .op_state = 2, .admin_state = 0, .weight = 10 };
	CHECK_STR(haproxy_server_state(&s), "UP");
	CHECK(haproxy_server_share(&s) == 10);
	s.op_state = 0;
	CHECK_STR(haproxy_server_state(&s), "DOWN");
	CHECK(haproxy_server_share(&s) == 10); /* health is the state's to show */
	s.admin_state = 0x08;                  /* forced drain */
	CHECK_STR(haproxy_server_state(&s), "DRAIN");
	CHECK(haproxy_server_share(&s) == 0);
	s.admin_state = 0x10; /* inherited drain */
	CHECK_STR(haproxy_server_state(&s), "DRAIN");
	s.admin_state = 0x01 | 0x08; /* maintenance wins */
	CHECK_STR(haproxy_server_state(&s), "MAINT");
	CHECK(haproxy_server_share(&s) == 0);
	for (int bit = 0; bit < 8; bit++) {
		s.admin_state = 1 << bit;
		bool maint = (0x67 >> bit) & 1;
		CHECK(strcmp(haproxy_server_state(&s), maint ? "MAINT" : bit == 3 || bit == 4 ? "DRAIN" : "DOWN") == 0);
	}
}

static void percent(const int *w, size_t n, const int *want)
{
	int got[8];
	haproxy_weights_to_percent(w, n, got);
	for (size_t i = 0; i < n; i++) {
		if (got[i] != want[i]) {
			printf("#   weights to percent: entry %zu is %d, want %d\n", i, got[i], want[i]);
			check_current_failures++;
		}
	}
}

static void test_weights_to_percent(void)
{
	percent((int[]){ 90, 10 }, 2, (int[]){ 90, 10 });
	percent((int[]){ 100, 0 }, 2, (int[]){ 100, 0 });
	percent((int[]){ 90, 30 }, 2, (int[]){ 75, 25 });
	percent((int[]){ 1, 1, 1 }, 3, (int[]){ 34, 33, 33 });        /* a tie: the first */
	percent((int[]){ 1, 2, 3 }, 3, (int[]){ 17, 33, 50 });        /* 16.7 33.3 50 */
	percent((int[]){ 256, 1 }, 2, (int[]){ 100, 0 });             /* 99.6 0.4 */
	percent((int[]){ 2, 1, 1, 1, 1, 1, 1 }, 7, (int[]){ 25, 13, 13, 13, 12, 12, 12 });
	percent((int[]){ 0, 0 }, 2, (int[]){ 0, 0 });
	percent((int[]){ 5 }, 1, (int[]){ 100 });
	/* Sums are always 100 when anything has weight. */
	for (int a = 0; a <= 256; a += 7)
		for (int b = 0; b <= 256; b += 13) {
			int w[3] = { a, b, 1 }, p[3];
			haproxy_weights_to_percent(w, 3, p);
			CHECK(p[0] + p[1] + p[2] == 100);
		}
}

static void test_percent_to_weight(void)
{
	CHECK(haproxy_percent_to_weight(0) == 0);
	CHECK(haproxy_percent_to_weight(10) == 10);
	CHECK(haproxy_percent_to_weight(100) == 100);
	CHECK(haproxy_percent_to_weight(-5) == 0);
	CHECK(haproxy_percent_to_weight(300) == 100);
	/* Back and forth gives the split it started from. */
	int w[2] = { haproxy_percent_to_weight(93), haproxy_percent_to_weight(7) }, p[2];
	haproxy_weights_to_percent(w, 2, p);
	CHECK(p[0] == 93 && p[1] == 7);
}

static void test_commands(void)
{
	char *c = haproxy_set_weight_cmd("be_chat", "stable", 100);
	CHECK_STR(c, "set server be_chat/stable weight 100\n");
	free(c);
	c = haproxy_set_weight_cmd("be_chat", "stable", 999);
	CHECK_STR(c, "set server be_chat/stable weight 256\n");
	free(c);
	c = haproxy_show_state_cmd("be_chat");
	CHECK_STR(c, "show servers state be_chat\n");
	free(c);
	CHECK(haproxy_name_ok("be_chat-2.eu:1"));
	CHECK(!haproxy_name_ok("be chat"));
	CHECK(!haproxy_name_ok("be;shutdown sessions"));
	CHECK(!haproxy_name_ok("be\nx"));
	CHECK(!haproxy_name_ok("be/x"));
	CHECK(!haproxy_name_ok(""));
	CHECK(!haproxy_name_ok(NULL));
}

static int set(const char *answer)
{
	return haproxy_set_answer(answer, strlen(answer), "be_chat", "canary", 0, &err);
}

static void test_set_answers(void)
{
	CHECK(set("") == 0);
	CHECK(set("\n") == 0);
	CHECK(set("\n\n") == 0);
	CHECK(set("No such server.\n\n") == -1);
	CHECK_STR(err.msg, "no such server \"canary\" in backend \"be_chat\"; check the target's \"servers\"");
	CHECK(set("No such backend.\n\n") == -1);
	CHECK_STR(err.msg, "no such backend \"be_chat\"; check the target's \"backend\"");
	CHECK(set("Permission denied\n\n") == -1);
	CHECK_STR(err.msg, "permission denied: the runtime API socket needs \"level admin\" on its stats socket "
			   "line to change weights");
	CHECK(haproxy_set_answer("Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n\n",
				 83, "be_static", "stable", 100, &err) == -1);
	CHECK_STR(err.msg, "backend \"be_static\" uses a static balance algorithm: only 0% or 100% of a server's "
			   "configured weight works there (refused: \"stable\" weight 100)");
	CHECK(set("Unknown command, but maybe one of the following ones is a better match:\n"
		  "  clear table <table> [<filter>]*         : remove an entry from a table (filter: data/key)\n\n") == -1);
	CHECK_STR(err.msg, "HAProxy does not know the command to change weights (unknown command)");
	CHECK(set("Absolute weight can only be between 0 and 256 inclusive.\n\n") == -1);
	CHECK_STR(err.msg, "HAProxy refused \"set server be_chat/canary weight 0\": \"Absolute weight can only be "
			   "between 0 and 256 inclusive.\"");
	/* Outside text: only its first line, made safe. */
	CHECK(set("\x1b]0;owned\x07 refused\nsecond line\n") == -1);
	CHECK_STR(err.msg, "HAProxy refused \"set server be_chat/canary weight 0\": \"?]0;owned? refused\"");
	CHECK(strlen(err.msg) < 256);
}

int main(void)
{
	check_run("show servers state as HAProxy 2.6 gives it: one backend's servers", test_parse_26);
	check_run("show servers state: columns found by the header's names, not positions", test_columns_by_name);
	check_run("show servers state: wrong version, no header, cut short, bad rows and refusals are one line",
		  test_parse_errors);
	check_run("server states: MAINT and DRAIN bits take no traffic; DOWN keeps its share", test_states);
	check_run("weights to percentages: largest remainder, sum 100, all zero stays zero", test_weights_to_percent);
	check_run("percentages to weights: the percentage itself, clamped", test_percent_to_weight);
	check_run("commands: set server and show servers state; names that could inject are refused", test_commands);
	check_run("set server answers: empty is success; refusals become plain lines", test_set_answers);
	return check_total_failed ? 1 : 0;
}
