/* `cmdr rollback ENDPOINT [--to DEPLOYMENT] --reason TEXT [--yes]`: the
 * same audited action as the console's `r`, from a shell; and `cmdr weight
 * ENDPOINT NAME=PERCENT... --reason TEXT [--yes]`, any split (a canary
 * ramp), as the same kind of action. Role checks, refusals, the
 * two-person rule and verification are core's. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "incident.h"
#include "cmdread.h"
#include "live.h"
#include "timefmt.h"

/* The split NAME=PERCENT arguments give, or -1 after a usage message. */
static int split_of(const struct cli_options *o, struct traffic_split *split)
{
	char *line = cli_join_args(o, 1);
	struct target_view v = { 0 };
	struct error err;
	int bad = o->n_args < 2 || cmdread_parse(line, strlen(line), &v, &err) != 0;
	free(line);
	if (bad) {
		cli_usage("weight");
		target_view_free(&v);
		return -1;
	}
	target_view_split(&v, split);
	target_view_free(&v);
	return 0;
}

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Waits for the read-back of the change in flight on endpoint, as the
 * console does, then reports it. */
static int report_outcome(struct incident *inc, const char *who, const char *endpoint)
{
	while (incident_job_in_flight(inc, endpoint)) {
		int64_t due = incident_next_due(inc);
		int64_t now = clock_now(&inc->clock);
		int64_t wait = due > now ? due - now : 0;
		incident_wait(inc, NULL, 0, wait > 1000 ? 1000 : (int)wait);
		incident_advance(inc, clock_now(&inc->clock));
	}
	const struct action_job *job = &inc->jobs[inc->n_jobs - 1];
	/* A change whose outcome the journal did not take is not done: its
	 * record is tried again for a few seconds (a full disk that frees up),
	 * then the failure is said, and the next console shows the intent in
	 * doubt until someone reads the target. */
	const char *why;
	for (int64_t until = clock_monotonic_ms() + 5000; incident_outcome_unjournaled(inc, &why) &&
							  clock_monotonic_ms() < until;) {
		incident_wait(inc, NULL, 0, 250);
		incident_advance(inc, clock_now(&inc->clock));
	}
	job = &inc->jobs[inc->n_jobs - 1];
	if (job->unjournaled) {
		fprintf(stderr, "%s: %s %s %s, but its outcome could not be journaled: %s; the journal ends at its intent (seq %llu)\n",
			who, job->kind, job->endpoint, action_state_name(job->state), job->journal_error,
			(unsigned long long)job->intent_seq);
		return EXIT_EXTERNAL;
	}
	if (job->state == ACTION_VERIFIED) {
		printf("%s\n", inc->last_action.text);
		return EXIT_OK;
	}
	/* Not done: an error, on stderr like every other. */
	fprintf(stderr, "%s: %s\n", who, inc->last_action.text);
	return EXIT_EXTERNAL;
}

/* The two-person rule held the change: this process holds the asker's
 * reason and split, so it waits for the second person's approval and
 * carries the change out itself, or records that it expired, or (Ctrl-C)
 * that it was withdrawn. A request is never left approved with nobody
 * to carry it out. */
static int await_approval(struct incident *inc, const char *who, const char *endpoint, uint64_t seq)
{
	struct sigaction sa = { .sa_handler = on_interrupt }, old_int, old_term;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	const struct approval_request *r = incident_request(inc, seq);
	char until[16];
	timefmt_hms(r->expires_ms, until, sizeof until);
	fprintf(stderr, "%s: waiting until %s for a second person to approve it in a console (a); Ctrl-C withdraws it\n",
		who, until);
	struct error err;
	int rc = -1;
	while (rc < 0) {
		r = incident_request(inc, seq);
		enum request_state st = incident_request_state(inc, r);
		if (st == REQUEST_EXECUTED) {
			/* Carried out here: started, or refused as the world moved. */
			bool started = inc->n_jobs && inc->jobs[inc->n_jobs - 1].intent_seq > seq;
			if (started) {
				rc = report_outcome(inc, who, endpoint);
			} else {
				fprintf(stderr, "%s: %s\n", who, inc->last_action.text);
				rc = EXIT_CHECK;
			}
		} else if (st == REQUEST_EXPIRED || st == REQUEST_WITHDRAWN) {
			/* Its line is written by the next turn (requests_due). */
			incident_advance(inc, clock_now(&inc->clock));
			fprintf(stderr, "%s: the request at seq %llu %s; nothing was changed\n", who,
				(unsigned long long)seq, st == REQUEST_EXPIRED ? "expired: nobody approved it in time" : "was withdrawn");
			rc = EXIT_CHECK;
		} else if (interrupted) {
			interrupted = 0;
			if (incident_withdraw(inc, seq, &inc->actor, &err) != 0)
				fprintf(stderr, "%s: %s\n", who, err.msg);
		} else {
			incident_wait(inc, NULL, 0, 250);
			if (incident_follow(inc, &err) != 0) {
				fprintf(stderr, "%s: %s\n", who, err.msg);
				rc = EXIT_EXTERNAL;
			}
			incident_advance(inc, clock_now(&inc->clock));
		}
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return rc;
}

static int change(struct cli_run *r, bool weight)
{
	struct incident *inc = &r->inc;
	const struct cli_options *o = r->o;
	const char *who = r->who;
	if (!weight && o->n_args != 1) {
		cli_usage("rollback");
		return EXIT_USAGE;
	}
	if (!o->reason || !*o->reason) {
		fprintf(stderr, "%s: a reason is required (--reason TEXT)\n", who);
		return EXIT_USAGE;
	}
	struct traffic_split split;
	traffic_split_init(&split);
	if (weight && split_of(o, &split) != 0)
		return EXIT_USAGE;
	const char *endpoint = o->args[0];
	char *asked = weight ? traffic_split_format(&split) : NULL;
	int usage = EXIT_OK;
	if (!o->yes) {
		char answer[16] = "";
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr, "%s: not a terminal to confirm on; add --yes\n", who);
			usage = EXIT_USAGE;
		} else {
			if (weight)
				fprintf(stderr, "Set %s to %s? [y/N] ", endpoint, asked);
			else
				fprintf(stderr, "Roll back %s to %s? [y/N] ", endpoint, o->to ? o->to : "its last known-good");
			if (!fgets(answer, sizeof answer, stdin) || (answer[0] != 'y' && answer[0] != 'Y')) {
				fprintf(stderr, "%s: not confirmed; nothing changed\n", who);
				usage = EXIT_CHECK;
			}
		}
	}
	free(asked);
	if (usage != EXIT_OK) {
		traffic_split_free(&split);
		return usage;
	}
	struct error err;
	/* Live: what the endpoint serves now, from its target, first. When
	 * that target cannot be read, the change fails saying so: once. */
	const char *unread;
	if (live_snapshot(inc, 30000, &err) != 0 &&
	    incident_split_basis(inc, endpoint, &unread) != SPLIT_UNREADABLE)
		fprintf(stderr, "%s: %s\n", who, err.msg);
	int rc = weight ? incident_set_weight(inc, endpoint, &split, o->reason, &inc->actor, &err)
			: incident_rollback(inc, endpoint, o->to, o->reason, &inc->actor, &err);
	traffic_split_free(&split);
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", who, err.msg);
		return cli_exit_status(&err);
	}
	if (rc > 0) {
		printf("%s\n", err.msg);
		fflush(stdout);
		return await_approval(inc, who, endpoint, inc->requests[inc->n_requests - 1].seq);
	}
	return report_outcome(inc, who, endpoint);
}

/* The targets first, to read what each endpoint serves; the sources too
 * when they can pre-approve (emergency criteria). */
static int traffic_command(struct cli_run *r, bool weight)
{
	unsigned what = LIVE_TARGETS | (r->inc.policy.gov.two_person ? LIVE_SOURCES : 0);
	if (cli_attach_live(&r->inc, &r->cfg, what, r->who) != EXIT_OK)
		return EXIT_CHECK;
	return change(r, weight);
}

int cmd_rollback(struct cli_run *r)
{
	return traffic_command(r, false);
}

int cmd_weight(struct cli_run *r)
{
	return traffic_command(r, true);
}
