/* cmdr's entry point: parses the command line and runs one command. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "cli.h"
#include "output.h"

/* Every command: its synopsis (after "cmdr VERB"), what it does, and
 * what runs it. --help and the usage lines of each command come from
 * here; tests/cli/docs.sh checks that cmdr.1's synopsis names the same
 * verbs. The console itself is the verb-less line. */
struct verb {
	const char *name;
	const char *synopsis;
	const char *help;
	int (*run)(const char *verb, const struct cli_options *o);
};

static int run_console(const char *verb, const struct cli_options *o)
{
	(void)verb;
	return cmd_console(o);
}

#define RUN(name)                                                              \
	static int run_##name(const char *verb, const struct cli_options *o) \
	{                                                                      \
		(void)verb;                                                    \
		return cmd_##name(o);                                          \
	}
RUN(drill)
RUN(status)
RUN(rollback)
RUN(weight)
RUN(audit)
RUN(export)
RUN(policy)
RUN(config)
RUN(runbook)
#undef RUN

static const struct verb verbs[] = {
	{ NULL, "[-c FILE] [-i DIR] [--as NAME] [--role commander|deputy|observer] [--readonly] [--ascii] [--no-color]",
	  "live console", run_console },
	{ "drill", "SCENARIO [--speed N] [-i DIR] [same console options]", "tabletop drill on a simulated clock",
	  run_drill },
	{ "drill", "SCENARIO --headless [--until TIME] [--script FILE] [-c FILE] [-i DIR]",
	  "run the drill without a screen, print status JSON", run_drill },
	{ "status", "[--json] [--at TIME] [-c FILE] [-i DIR]", "one snapshot of an incident, no curses", run_status },
	{ "rollback", "ENDPOINT [--to DEPLOYMENT] --reason TEXT [--yes] [-c FILE] [-i DIR]",
	  "the audited rollback, from a shell", run_rollback },
	{ "weight", "ENDPOINT NAME=PERCENT... --reason TEXT [--yes] [-c FILE] [-i DIR]",
	  "any split (a canary ramp), the same way", run_weight },
	{ "declare", "TITLE --severity SEV [-i DIR]", "declare the incident (SEV0 worst; when unsure, the higher)", cmd_workflow },
	{ "severity", "SEV [--reason TEXT]", "raise, or lower with a reason", cmd_workflow },
	{ "role", "commander|deputy|scribe|comms [PERSON]", "claim a role, or hand it to PERSON", cmd_workflow },
	{ "note", "TEXT", "a timeline note", cmd_workflow },
	{ "update", "TEXT", "a stakeholder update", cmd_workflow },
	{ "timecheck", "on [EVERY] | off", "time checks (default every 10m)", cmd_workflow },
	{ "resolve", "--reason TEXT", "resolve the incident", cmd_workflow },
	{ "audit", "verify [JOURNAL] [--head HASH] [-i DIR]", "check the journal's hash chain", run_audit },
	{ "audit", "show [JOURNAL] [--json] [-i DIR]", "the journal as a table, or raw", run_audit },
	{ "export", "postmortem [--format md|json] [-i DIR]", "the postmortem, from the journal", run_export },
	{ "policy", "show [--json] | pin --reason TEXT", "the rules pinned in the incident; pin them anew",
	  run_policy },
	{ "config", "check [FILE] [--online]",
	  "check a config file; list every problem;\n--online runs every query once against its source", run_config },
	{ "runbook", "lint FILE... [--json]", "check runbooks; --json prints the parsed steps", run_runbook },
};

static const char options_text[] =
	"\n"
	"SCENARIO is a file, or a name looked up in ./drills and the installed drills.\n"
	"\n"
	"options:\n"
	"  -c FILE         config file (default: $CMDR_CONFIG, ./cmdr.json, ~/.config/cmdr/config.json)\n"
	"  -i DIR          incident directory holding journal.jsonl (default: the config's\n"
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
	"  --online        config check: run every SLO and canary query once against its source\n"
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
	snprintf(line, sizeof line, "%s cmdr%s%s %s", first ? "usage:" : "      ", v->name ? " " : "",
		 v->name ? v->name : "", v->synopsis);
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
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		print_verb(out, &verbs[i], i == 0);
	fputs("       cmdr --help | --version\n", out);
	fputs(options_text, out);
}

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 1; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

void cli_usage(const char *verb)
{
	bool first = true;
	for (size_t i = 1; i < sizeof verbs / sizeof verbs[0]; i++) {
		if (strcmp(verbs[i].name, verb) != 0)
			continue;
		int cut = (int)strcspn(verbs[i].help, "\n");
		if (cut && verbs[i].help[cut - 1] == ';')
			cut--;
		int lead = (int)strlen(verb) + 14; /* "cmdr VERB: usage: " */
		if (first)
			fprintf(stderr, "cmdr %s: usage: ", verb);
		else
			fprintf(stderr, "%*s", lead, "");
		fprintf(stderr, "cmdr %s %s (%.*s)\n", verb, verbs[i].synopsis, cut, verbs[i].help);
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

/* Every message and document the command line prints passes one filter
 * (core/base/output.h): stderr always, stdout when curses does not own it (the
 * console, a drill in the console). */
static void guard_stdout(const char *command, const struct cli_options *o)
{
	if (command && (o->headless || strcmp(command, "drill") != 0))
		output_guard(&stdout, _IOFBF);
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
	if (rc == EXIT_OK)
		guard_stdout(command, &o);
	if (rc != EXIT_OK)
		return rc;
	const struct verb *v = command ? find_verb(command) : &verbs[0];
	if (!v)
		return usage_error("unknown command '%s'", command);
	rc = v->run(command, &o);
	return rc;
}
