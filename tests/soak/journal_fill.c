/* For `make soak`: appends N timeline notes to an incident's journal
 * through the same core action as `cmdr note` (incident_note: role check,
 * hash chain, lock, fsync), in one process. The soak fills the journal past
 * the timeline's TIMELINE_MAX entries before it measures, so that every
 * console's kept history is at its bound (and old entries are being
 * dropped) for the whole measured run; `cmdr note` would take minutes,
 * since each one replays the journal it appends to. With MS, one note
 * every MS milliseconds: a steady writer whose own cost does not grow with
 * the journal. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "actor.h"
#include "incident.h"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	if ((argc != 3 && argc != 4) || atol(argv[2]) <= 0) {
		fprintf(stderr, "usage: journal_fill DIR N [MS between two notes]\n");
		return 2;
	}
	long n = atol(argv[2]);
	long every = argc == 4 ? atol(argv[3]) : 0;
	/* SIGTERM ends it between two notes, never inside an append (the lock
	 * is waited for again; the sleep is cut short). */
	struct sigaction sa = { .sa_handler = on_term, .sa_flags = SA_RESTART };
	sigaction(SIGTERM, &sa, NULL);
	struct actor me;
	actor_from_env(&me, "writer", ROLE_COMMANDER, false);
	struct incident inc;
	struct error err;
	if (incident_open(&inc, argv[1], &me, &err) != 0) {
		fprintf(stderr, "journal_fill: %s\n", err.msg);
		return 1;
	}
	int rc = 0;
	for (long i = 1; i <= n && rc == 0 && !stop; i++) {
		/* Of varied lengths, as people's notes are. */
		static const char more[] = " - checked dashboards, paged the owner, waiting on the upstream status page";
		char text[160];
		snprintf(text, sizeof text, "note %ld from journal_fill%.*s", i, (int)(i * 37 % (long)sizeof more), more);
		if (incident_note(&inc, text, &inc.actor, &err) != 0) {
			fprintf(stderr, "journal_fill: note %ld: %s\n", i, err.msg);
			rc = 1;
		}
		if (every > 0)
			nanosleep(&(struct timespec){ every / 1000, every % 1000 * 1000000 }, NULL);
	}
	incident_free(&inc);
	return rc;
}
