/* cmdr's entry point: parses the command line and runs one command. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "output.h"

/* Every command: the words that select it (a verb, and a subcommand for
 * some), its synopsis, what it does, what it needs set up (VERB_*,
 * cli/cli.h), a check of its arguments before anything is set up, and
 * what runs it. Dispatch, --help and every usage line come from here;
 * tests/cli/docs.sh checks that cmdr.1's synopsis names the same verbs.
 * The console is the verb-less first line. */
struct verb {
	const char *name, *sub;
	const char *synopsis;
	const char *help;
	unsigned setup;
	int (*check)(const struct cli_run *r);
	int (*run)(struct cli_run *r);
};

/* A drill: one scenario, and the options of the headless one only with
 * --headless. */
static int check_drill(const struct cli_run *r)
{
	if (r->o->n_args != 1) {
		fprintf(stderr, "cmdr drill: give one scenario file, e.g. cmdr drill drills/friday-1714.json\n");
		return EXIT_USAGE;
	}
	if ((r->o->until || r->o->script) && !r->o->headless) {
		fprintf(stderr, "cmdr drill: --until and --script go with --headless\n");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int check_no_args(const struct cli_run *r)
{
	if (r->o->n_args == 0)
		return EXIT_OK;
	cli_usage(r->verb);
	return EXIT_USAGE;
}

static int check_export(const struct cli_run *r)
{
	const char *format = r->o->format;
	if (format && strcmp(format, "json") != 0 && strcmp(format, "md") != 0) {
		fprintf(stderr, "cmdr export: --format takes md or json, not '%s'\n", format);
		return EXIT_USAGE;
	}
	return check_no_args(r);
}

static int check_journal_push(const struct cli_run *r)
{
	if (r->o->n_args == 2)
		return EXIT_OK;
	cli_usage(r->verb);
	return EXIT_USAGE;
}

static int check_at_most_one(const struct cli_run *r)
{
	if (r->o->n_args <= 1)
		return EXIT_OK;
	cli_usage(r->verb);
	return EXIT_USAGE;
}

#define CONSOLE (VERB_INCIDENT | VERB_MUTATES | VERB_CONSOLE | VERB_RUNBOOKS)
#define ACTS (VERB_INCIDENT | VERB_MUTATES)

static const struct verb verbs[] = {
	{ NULL, NULL,
	  "[-c FILE] [-i DIR] [--as NAME] [--role commander|deputy|observer] [--readonly] [--ascii] [--no-color]",
	  "live console", CONSOLE | VERB_CURSES | VERB_LIVE, NULL, cmd_console },
	{ "drill", NULL, "SCENARIO [--speed N] [-i DIR] [same console options]", "tabletop drill on a simulated clock",
	  CONSOLE | VERB_CURSES | VERB_DRILL, check_drill, cmd_drill },
	{ "drill", NULL, "SCENARIO --headless [--until TIME] [--script FILE] [-c FILE] [-i DIR]",
	  "run the drill without a screen, print status JSON", CONSOLE | VERB_DRILL, check_drill,
	  cmd_drill_headless },
	{ "status", NULL, "[--json] [--at TIME] [-c FILE] [-i DIR]", "one snapshot of an incident, no curses",
	  VERB_INCIDENT | VERB_OBSERVE | VERB_LOOK | VERB_RUNBOOKS | VERB_LIVE, NULL, cmd_status },
	{ "rollback", NULL, "ENDPOINT [--to DEPLOYMENT] --reason TEXT [--yes] [-c FILE] [-i DIR]",
	  "the audited rollback, from a shell", ACTS, NULL, cmd_rollback },
	{ "weight", NULL, "ENDPOINT NAME=PERCENT... --reason TEXT [--yes] [-c FILE] [-i DIR]",
	  "any split (a canary ramp), the same way,\nin whole percents that add up to 100", ACTS, NULL, cmd_weight },
	{ "silence", NULL, "MATCHER... DURATION --reason TEXT [--yes] [-c FILE] [-i DIR]",
	  "an audited Alertmanager silence, after\nlisting the alerts it mutes", ACTS | VERB_LIVE, NULL, cmd_silence },
	{ "silence", "extend", "ID DURATION --reason TEXT [-c FILE] [-i DIR]", "add DURATION to an incident's silence",
	  ACTS | VERB_LIVE, NULL, cmd_silence_extend },
	{ "silence", "expire", "ID --reason TEXT [-c FILE] [-i DIR]", "end an incident's silence now",
	  ACTS | VERB_LIVE, NULL, cmd_silence_expire },
	{ "declare", NULL, "TITLE --severity SEV [-i DIR]", "declare the incident (SEV0 worst; when unsure, the higher)",
	  ACTS, NULL, cmd_declare },
	{ "severity", NULL, "SEV [--reason TEXT]", "raise, or lower with a reason", ACTS, NULL, cmd_severity },
	{ "role", NULL, "commander|deputy|scribe|comms [PERSON]", "claim a role, or hand it to PERSON", ACTS, NULL,
	  cmd_workflow },
	{ "note", NULL, "TEXT", "a timeline note", ACTS, NULL, cmd_workflow },
	{ "update", NULL, "TEXT", "a stakeholder update", ACTS, NULL, cmd_workflow },
	{ "timecheck", NULL, "on [EVERY] | off", "time checks (default every 10m)", ACTS, NULL, cmd_workflow },
	{ "resolve", NULL, "--reason TEXT", "resolve the incident", ACTS, NULL, cmd_resolve },
	{ "audit", "verify", "[JOURNAL] [--head HASH] [-i DIR]", "check the journal's hash chain", 0, NULL,
	  cmd_audit_verify },
	{ "audit", "show", "[JOURNAL] [--json] [-i DIR]", "the journal as a table, or raw", 0, NULL, cmd_audit_show },
	{ "journal", "export", "[postgres:NAME] [-i DIR]",
	  "the journal as JSON Lines on stdout, from either store;\nits entries and head on stderr", VERB_CONFIG,
	  check_at_most_one, cmd_journal_export },
	{ "journal", "push", "DIR postgres:NAME", "copy an incident directory's journal into an empty\nPostgreSQL incident, verified on both sides",
	  VERB_CONFIG, check_journal_push, cmd_journal_push },
	{ "journal", "schema", "", "the SQL that makes cmdr's table in PostgreSQL", 0, check_no_args, cmd_journal_schema },
	{ "canary", "simulate", "[RUNS]",
	  "both canary judges on RUNS simulated canaries per case\n(default 2000): false alarms, detection, time to detect",
	  0, check_at_most_one, cmd_canary_simulate },
	{ "export", "postmortem", "[--format md|json] [-i DIR]", "the postmortem, from the journal", VERB_CONFIG,
	  check_export, cmd_export },
	{ "policy", "show", "[--json]", "the rules pinned in the incident", VERB_INCIDENT | VERB_OBSERVE,
	  check_no_args, cmd_policy_show },
	{ "policy", "pin", "--reason TEXT", "the commander pins the rules anew", VERB_INCIDENT,
	  check_no_args, cmd_policy_pin },
	{ "config", "check", "[FILE] [--online]",
	  "check a config file; list every problem;\n--online runs every query once against its source", 0, NULL,
	  cmd_config },
	{ "config", "keys", "[scenario]", "every key a config (or a drill scenario) may hold", 0, NULL,
	  cmd_config_keys },
	{ "runbook", "lint", "FILE... [--json]", "check runbooks; --json prints steps and blocks", 0, NULL,
	  cmd_runbook },
};

#define N_VERBS (sizeof verbs / sizeof verbs[0])

static const char options_text[] =
	"\n"
	"SCENARIO is a file, or a name looked up in ./drills and the installed drills.\n"
	"\n"
	"options:\n"
	"  -c FILE         config file (default: $CMDR_CONFIG, ./cmdr.json, ~/.config/cmdr/config.json)\n"
	"  -i DIR          incident directory holding journal.jsonl, or postgres:NAME for one\n"
	"                  kept in PostgreSQL (default: the config's journal.incident or\n"
	"                  incident_dir, else ./incident)\n"
	"  --as NAME       who you are on a shared account; recorded in the journal\n"
	"  --role ROLE     commander, deputy or observer (observers cannot act); default: your\n"
	"                  role in the config, else commander; never more than the config gives\n"
	"  --readonly      refuse every action from this console\n"
	"  --ascii         no Unicode, no line-drawing characters\n"
	"  --no-color      no colour (also when NO_COLOR is set)\n"
	"  --speed N       drill speed, simulated seconds per second (0.25 to 1024)\n"
	"  --until TIME    headless drill end: HH:MM:SS on the scenario's day, ISO 8601, or +10m\n"
	"  --script FILE   headless drill: what people do and when (\"17:05:00 as bob note TEXT\")\n"
	"  --at TIME       status: read the sources as of TIME (ISO 8601, or -2h from now)\n"
	"  --head HASH     a head hash published earlier that the chain must pass through\n"
	"  --to DEPLOYMENT rollback target (default: the last known-good)\n"
	"  --reason TEXT   why (required for every change)\n"
	"  --severity SEV  SEV0 (worst) to SEV3, for cmdr declare\n"
	"  --yes           do not ask for confirmation\n"
	"  --json          machine-readable output\n"
	"  --online        config check: run every SLO and canary query once against its source,\n"
	"                  list discovered SLOs, ask Alertmanager for the filter's alerts\n"
	"  --format F      cmdr export: md (default) or json\n"
	"\n"
	"exit status: 0 success, 1 a check failed or an action was refused,\n"
	"             2 usage error, 3 an external system failed\n"
	"See cmdr(1), README.md and drills/README.md.\n";

/* "cmdr VERB SYNOPSIS", wrapped at 80 columns between options (never
 * inside brackets), then its help from column 56: on the same line when
 * the synopsis ends before it, each '\n' of the help a line of its own. */
static void print_verb(FILE *out, const struct verb *v, bool first)
{
	char line[512];
	snprintf(line, sizeof line, "%s cmdr%s%s%s%s %s", first ? "usage:" : "      ", v->name ? " " : "",
		 v->name ? v->name : "", v->sub ? " " : "", v->sub ? v->sub : "", v->synopsis);
	const char *p = line;
	int indent = 0;
	while ((int)strlen(p) + indent > 80) {
		int cut = 0, depth = 0;
		for (int k = 0; p[k] && indent + k <= 80; k++) {
			depth += p[k] == '[' ? 1 : p[k] == ']' ? -1 : 0;
			if (p[k] == ' ' && depth == 0)
				cut = k;
		}
		if (!cut)
			break;
		fprintf(out, "%*s%.*s\n", indent, "", cut, p);
		p += cut + 1;
		indent = 12;
	}
	int len = indent + (int)strlen(p);
	fprintf(out, "%*s%s", indent, "", p);
	const char *h = v->help;
	if (len >= 55) {
		fputc('\n', out);
		len = 0;
	}
	for (;;) {
		size_t n = strcspn(h, "\n");
		fprintf(out, "%*s%.*s\n", 56 - len, "", (int)n, h);
		if (!h[n])
			break;
		h += n + 1;
		len = 0;
	}
}

static void print_usage(FILE *out)
{
	for (size_t i = 0; i < N_VERBS; i++)
		print_verb(out, &verbs[i], i == 0);
	fputs("       cmdr --help | --version\n", out);
	fputs(options_text, out);
}

/* The line a command names: by its verb, by its subcommand (the first
 * argument) where the verb has them, and with --headless the one that
 * does not start curses. NULL when none does; *known says whether the
 * verb is. */
static const struct verb *find_verb(const char *name, const struct cli_options *o, bool *known)
{
	const struct verb *found = NULL;
	*known = false;
	for (size_t i = 1; i < N_VERBS; i++) {
		const struct verb *v = &verbs[i];
		if (strcmp(v->name, name) != 0)
			continue;
		*known = true;
		if (v->sub && (o->n_args == 0 || strcmp(v->sub, o->args[0]) != 0))
			continue;
		/* A subcommand named outranks its verb's bare form. */
		if (!found || ((found->setup & VERB_CURSES) && o->headless) || (v->sub && !found->sub))
			found = v;
	}
	return found;
}

void cli_usage(const char *verb)
{
	bool first = true;
	for (size_t i = 1; i < N_VERBS; i++) {
		const struct verb *v = &verbs[i];
		if (strcmp(v->name, verb) != 0)
			continue;
		int lead = (int)strlen(verb) + 14; /* "cmdr VERB: usage: " */
		if (first)
			fprintf(stderr, "cmdr %s: usage: ", verb);
		else
			fprintf(stderr, "%*s", lead, "");
		fprintf(stderr, "cmdr %s%s%s %s (", verb, v->sub ? " " : "", v->sub ? v->sub : "", v->synopsis);
		for (const char *h = v->help; *h; h++)
			fputc(*h == '\n' ? ' ' : *h, stderr);
		fputs(")\n", stderr);
		first = false;
	}
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "cmdr: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (see cmdr --help)\n");
	va_end(ap);
	return EXIT_USAGE;
}

static int parse_args(int argc, char **argv, struct cli_options *o, const char **command)
{
	const char *no_color = getenv("NO_COLOR");
	*o = (struct cli_options){ .dir = "incident", .role = ROLE_COMMANDER,
				   .color = !(no_color && *no_color) };
	*command = NULL;
	o->args = (const char **)argv;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **value = NULL;
		if (strcmp(a, "-c") == 0)
			value = &o->config_path;
		else if (strcmp(a, "-i") == 0)
			value = &o->dir;
		else if (strcmp(a, "--as") == 0)
			value = &o->as_name;
		else if (strcmp(a, "--until") == 0)
			value = &o->until;
		else if (strcmp(a, "--at") == 0)
			value = &o->at;
		else if (strcmp(a, "--head") == 0)
			value = &o->head;
		else if (strcmp(a, "--to") == 0)
			value = &o->to;
		else if (strcmp(a, "--reason") == 0)
			value = &o->reason;
		else if (strcmp(a, "--severity") == 0)
			value = &o->severity;
		else if (strcmp(a, "--script") == 0)
			value = &o->script;
		else if (strcmp(a, "--format") == 0)
			value = &o->format;
		if (value || strcmp(a, "--role") == 0 || strcmp(a, "--speed") == 0) {
			if (i + 1 >= argc)
				return usage_error("%s needs a value", a);
			const char *v = argv[++i];
			if (value) {
				*value = v;
				o->dir_given |= value == &o->dir;
			} else if (strcmp(a, "--role") == 0) {
				if (!role_parse(v, &o->role))
					return usage_error("unknown role '%s': commander, deputy or observer", v);
				o->role_given = true;
			} else {
				char *end;
				o->speed = strtod(v, &end);
				if (*end || !(o->speed >= 0.25 && o->speed <= 1024))
					return usage_error("--speed takes a number from 0.25 to 1024, not '%s'", v);
			}
		} else if (strcmp(a, "--yes") == 0) {
			o->yes = true;
		} else if (strcmp(a, "--readonly") == 0) {
			o->readonly = true;
		} else if (strcmp(a, "--ascii") == 0) {
			o->ascii = true;
		} else if (strcmp(a, "--no-color") == 0) {
			o->color = false;
		} else if (strcmp(a, "--json") == 0) {
			o->json = true;
		} else if (strcmp(a, "--headless") == 0) {
			o->headless = true;
		} else if (strcmp(a, "--online") == 0) {
			o->online = true;
		} else if (a[0] == '-' && a[1]) {
			return usage_error("unknown option %s", a);
		} else if (!*command) {
			*command = a;
		} else {
			/* Kept in argv's slots already read (n_args < i): no limit
			 * on how many (runbook lint runbooks/\*.md), no copy. */
			argv[o->n_args++] = argv[i];
		}
	}
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			print_usage(stdout);
			return EXIT_OK;
		}
		if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
			printf("cmdr %s\n", CMDR_VERSION);
			return EXIT_OK;
		}
	}
	output_guard(&stderr, _IOLBF);
	struct cli_options o;
	const char *command;
	int rc = parse_args(argc, argv, &o, &command);
	if (rc != EXIT_OK)
		return rc;
	const struct verb *v = &verbs[0];
	bool known = true;
	if (command && !(v = find_verb(command, &o, &known))) {
		if (!known)
			return usage_error("unknown command '%s'", command);
		cli_usage(command);
		return EXIT_USAGE;
	}
	if (v->sub) {
		o.args++;
		o.n_args--;
	}
	/* Every message and document the command line prints passes one
	 * filter (core/base/output.h): stderr always, stdout when curses
	 * does not own it. */
	if (!(v->setup & VERB_CURSES))
		output_guard(&stdout, _IOFBF);
	struct cli_run r = { .verb = command, .o = &o, .setup = v->setup };
	snprintf(r.who, sizeof r.who, "cmdr%s%s", command ? " " : "", command ? command : "");
	rc = v->check ? v->check(&r) : EXIT_OK;
	if (rc == EXIT_OK && (rc = cli_begin(&r)) == EXIT_OK) {
		rc = v->run(&r);
		cli_end(&r);
	}
	return rc;
}
