#include "actor.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

void actor_from_env(struct actor *a, const char *as_name, enum role role, bool readonly)
{
	memset(a, 0, sizeof *a);
	const struct passwd *pw = getpwuid(geteuid());
	const char *user = pw ? pw->pw_name : getenv("USER");
	a->user = xstrdup(user ? user : "unknown");
	a->sudo_user = dup_or_null(getenv("SUDO_USER"));
	/* SSH_CONNECTION is "client_ip client_port server_ip server_port";
	 * the origin is the first two. */
	const char *ssh = getenv("SSH_CONNECTION");
	if (ssh && *ssh) {
		char ip[64] = "", port[16] = "";
		if (sscanf(ssh, "%63s %15s", ip, port) == 2)
			a->ssh = xasprintf("%s:%s", ip, port);
	}
	const char *tty = isatty(STDIN_FILENO) ? ttyname(STDIN_FILENO) : NULL;
	a->tty = dup_or_null(tty);
	/* Several jump boxes can share an incident (a PostgreSQL journal):
	 * which one acted is on record. */
	char host[256] = "";
	if (gethostname(host, sizeof host - 1) == 0 && *host)
		a->host = xstrdup(host);
	a->as_name = dup_or_null(as_name);
	a->role = role;
	a->readonly = readonly;
}

void actor_policy(struct actor *a, const struct actor *console)
{
	memset(a, 0, sizeof *a);
	a->user = xstrdup("policy");
	a->role = ROLE_POLICY;
	if (!console)
		return;
	char host[256] = "";
	if (gethostname(host, sizeof host - 1) != 0)
		snprintf(host, sizeof host, "?");
	if (console->as_name)
		a->console = xasprintf("%s (user %s) on %s, pid %ld", console->as_name, console->user, host,
				       (long)getpid());
	else
		a->console = xasprintf("%s on %s, pid %ld", console->user, host, (long)getpid());
}

void actor_copy(struct actor *dst, const struct actor *src)
{
	*dst = *src;
	dst->user = xstrdup(src->user);
	dst->sudo_user = src->sudo_user ? xstrdup(src->sudo_user) : NULL;
	dst->ssh = src->ssh ? xstrdup(src->ssh) : NULL;
	dst->tty = src->tty ? xstrdup(src->tty) : NULL;
	dst->host = src->host ? xstrdup(src->host) : NULL;
	dst->as_name = src->as_name ? xstrdup(src->as_name) : NULL;
	dst->ordered_by = src->ordered_by ? xstrdup(src->ordered_by) : NULL;
	dst->console = src->console ? xstrdup(src->console) : NULL;
}

void actor_free(struct actor *a)
{
	free(a->user);
	free(a->sudo_user);
	free(a->ssh);
	free(a->tty);
	free(a->host);
	free(a->as_name);
	free(a->ordered_by);
	free(a->console);
	memset(a, 0, sizeof *a);
}

void actor_display(const struct actor *a, char *buf, size_t size)
{
	const char *tty = a->tty ? a->tty : "";
	if (strncmp(tty, "/dev/", 5) == 0)
		tty += 5;
	if (a->as_name)
		snprintf(buf, size, "%s (%s%s%s)", a->as_name, a->user, *tty ? "@" : "", tty);
	else
		snprintf(buf, size, "%s%s%s", a->user, *tty ? "@" : "", tty);
}

const char *actor_identity(const struct actor *a)
{
	return a->shared_account && a->as_name ? a->as_name : a->user;
}

cJSON *actor_to_json(const struct actor *a)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "user", a->user);
	if (a->as_name)
		cJSON_AddStringToObject(o, "as", a->as_name);
	if (a->sudo_user)
		cJSON_AddStringToObject(o, "sudo_user", a->sudo_user);
	if (a->ssh)
		cJSON_AddStringToObject(o, "ssh", a->ssh);
	if (a->tty)
		cJSON_AddStringToObject(o, "tty", a->tty);
	if (a->host)
		cJSON_AddStringToObject(o, "host", a->host);
	if (a->shared_account)
		cJSON_AddBoolToObject(o, "shared", true);
	/* One person orders, another presses the key: both are on record. */
	if (a->ordered_by)
		cJSON_AddStringToObject(o, "ordered_by", a->ordered_by);
	if (a->console)
		cJSON_AddStringToObject(o, "console", a->console);
	return o;
}

static const char *const role_names[] = {
	[ROLE_COMMANDER] = "commander",
	[ROLE_DEPUTY] = "deputy",
	[ROLE_OBSERVER] = "observer",
	[ROLE_POLICY] = "policy",
};

const char *role_name(enum role r)
{
	return role_names[r];
}

bool role_parse(const char *s, enum role *out)
{
	for (enum role r = ROLE_COMMANDER; r <= ROLE_OBSERVER; r++) {
		if (strcmp(s, role_names[r]) == 0) {
			*out = r;
			return true;
		}
	}
	return false;
}

bool actor_may_mutate(const struct actor *a, const char **why)
{
	if (a->readonly) {
		*why = "this console is read-only (--readonly)";
		return false;
	}
	if (a->role == ROLE_OBSERVER) {
		*why = "observers cannot change anything (--role observer)";
		return false;
	}
	return true;
}
