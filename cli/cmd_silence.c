/* `cmdr silence MATCHER... DURATION --reason TEXT [--yes]`, `cmdr silence
 * extend ID DURATION --reason TEXT`, `cmdr silence expire ID --reason
 * TEXT`: Alertmanager silences as the same audited action the console's
 * `:silence` runs (core/incident/incident_silence.c). Before a silence is
 * made, the alerts it will mute are listed, and confirmed on a terminal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "command.h"
#include "live_alerts.h"
#include "sanitize.h"
#include "xalloc.h"

/* The alerts the matchers (every word but the duration) mute now. */
static int preview(struct cli_run *r)
{
	const struct cli_options *o = r->o;
	struct incident *inc = &r->inc;
	struct error err;
	if (live_alerts_snapshot(inc, 30000, &err) != 0)
		fprintf(stderr, "%s: %s\n", r->who, err.msg);
	char *all = cli_join_args(o, 0), names[512], sane[512];
	*strrchr(all, ' ') = '\0';
	int n = incident_silence_preview(inc, NULL, all, names, sizeof names, &err);
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", r->who, err.msg);
		free(all);
		return EXIT_USAGE;
	}
	sanitize_text(names, sane, sizeof sane);
	printf("silence %s for %s mutes %d alert%s firing now%s%s\n", all, o->args[o->n_args - 1], n,
	       n == 1 ? "" : "s", n ? ": " : "", sane);
	fflush(stdout);
	free(all);
	if (o->yes)
		return EXIT_OK;
	char answer[16] = "";
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "%s: not a terminal to confirm on; add --yes\n", r->who);
		return EXIT_USAGE;
	}
	fprintf(stderr, "Create this silence? [y/N] ");
	if (!fgets(answer, sizeof answer, stdin) || (answer[0] != 'y' && answer[0] != 'Y')) {
		fprintf(stderr, "%s: not confirmed; nothing changed\n", r->who);
		return EXIT_CHECK;
	}
	return EXIT_OK;
}

/* sub: NULL to create, "extend" or "expire". */
static int silence(struct cli_run *r, const char *sub, int n_args)
{
	const struct cli_options *o = r->o;
	struct incident *inc = &r->inc;
	bool create = !sub;
	if (create ? o->n_args < n_args : o->n_args != n_args) {
		cli_usage(r->verb);
		return EXIT_USAGE;
	}
	if (!o->reason || !*o->reason) {
		fprintf(stderr, "%s: a reason is required (--reason TEXT)\n", r->who);
		return EXIT_USAGE;
	}
	incident_advance(inc, clock_now(&inc->clock));
	int rc = create ? preview(r) : EXIT_OK;
	if (rc != EXIT_OK)
		return rc;
	char *args = cli_join_args(o, 0);
	char *line = xasprintf("silence %s%s%s %s", sub ? sub : "", sub ? " " : "", args, o->reason);
	free(args);
	struct error err;
	rc = incident_command(inc, line, &inc->actor, &err);
	free(line);
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", r->who, err.msg);
		return cli_exit_status(&err);
	}
	int64_t deadline = clock_monotonic_ms() + 60000;
	while (incident_silences_busy(inc) && clock_monotonic_ms() < deadline)
		incident_wait(inc, NULL, 0, 200);
	if (incident_silences_busy(inc)) {
		fprintf(stderr, "%s: Alertmanager did not answer within 60 s; the journal has the intent\n", r->who);
		return EXIT_EXTERNAL;
	}
	fprintf(inc->last_action.failed ? stderr : stdout, "%s%s\n", inc->last_action.failed ? "cmdr silence: " : "",
		inc->last_action.text);
	return inc->last_action.failed ? EXIT_EXTERNAL : EXIT_OK;
}

int cmd_silence(struct cli_run *r)
{
	return silence(r, NULL, 2);
}

int cmd_silence_extend(struct cli_run *r)
{
	return silence(r, "extend", 2);
}

int cmd_silence_expire(struct cli_run *r)
{
	return silence(r, "expire", 1);
}
