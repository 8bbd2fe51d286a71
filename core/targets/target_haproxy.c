/* The HAProxy runtime-API target: one backend per endpoint, one server
 * per deployment, traffic shares as the servers' weights. Each command
 * gets a connection of its own in HAProxy's non-interactive mode (write
 * one line, read to EOF), on the incident's loop: connect, write and read
 * are non-blocking, and a refused or dropped connection is tried again
 * with backoff within the target's timeout. */
#include "target.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "apimsg.h"
#include "clock.h"
#include "config.h"
#include "haproxy.h"
#include "loop.h"
#include "retry.h"
#include "xalloc.h"

/* `show servers state` for one backend is a few hundred bytes a server;
 * anything this large is not HAProxy answering. */
#define ANSWER_MAX (1 << 20)

struct target_haproxy;

enum hx_kind { HX_READ, HX_APPLY };

/* One apply or read in flight: its commands, sent one connection each. */
struct hx_op {
	struct target_haproxy *t;
	struct hx_op *next;
	enum hx_kind kind;
	char **cmds;      /* "set server B/S weight N\n" ... or one "show servers state B\n" */
	char **servers;   /* apply: the server each command sets */
	int *weights;
	size_t n_cmds, cmd;
	int fd;           /* -1 between connections */
	size_t sent;
	char *answer;
	size_t len, cap;
	int attempt;      /* retries made for the current command */
	int64_t deadline_ms;
	uint64_t retry_timer, deadline_timer; /* 0: none */
	target_apply_fn apply_done;
	target_read_fn read_done;
	void *arg;
};

struct target_haproxy {
	struct target base;
	struct loop *loop;
	char *endpoint;
	char *where;      /* the socket path or host:port, for messages */
	struct sockaddr_storage addr;
	socklen_t addr_len;
	char *backend;
	struct config_server_map *servers; /* deployment -> server, the config's order */
	size_t n_servers;
	int64_t timeout_ms;
	struct hx_op *ops;
};

static void op_connect(struct hx_op *op);

static void op_close(struct hx_op *op)
{
	if (op->fd >= 0) {
		loop_unwatch(op->t->loop, op->fd);
		close(op->fd);
		op->fd = -1;
	}
}

static void op_free(struct hx_op *op)
{
	for (size_t i = 0; i < op->n_cmds; i++) {
		free(op->cmds[i]);
		free(op->servers[i]);
	}
	free(op->cmds);
	free(op->servers);
	free(op->weights);
	free(op->answer);
	free(op);
}

/* Takes op off its target's list and stops everything it has on the
 * loop: nothing of it runs again. */
static void op_detach(struct hx_op *op)
{
	struct target_haproxy *t = op->t;
	for (struct hx_op **p = &t->ops; *p; p = &(*p)->next) {
		if (*p == op) {
			*p = op->next;
			break;
		}
	}
	op_close(op);
	if (op->retry_timer)
		loop_cancel(t->loop, op->retry_timer);
	if (op->deadline_timer)
		loop_cancel(t->loop, op->deadline_timer);
	op->retry_timer = op->deadline_timer = 0;
}

/* Ends op with an error (NULL: success) or a view; the callback is the
 * last thing that touches it, and may start new work on the target or
 * free it. */
static void op_finish(struct hx_op *op, const char *error, const struct target_view *view)
{
	op_detach(op);
	if (op->kind == HX_APPLY)
		op->apply_done(op->arg, error, NULL);
	else
		op->read_done(op->arg, error, error ? NULL : view);
	op_free(op);
}

static void op_fail(struct hx_op *op, const char *what)
{
	char *msg = xasprintf("haproxy at %s: %s", op->t->where, what);
	op_finish(op, msg, NULL);
	free(msg);
}

static void on_retry(void *arg)
{
	struct hx_op *op = arg;
	op->retry_timer = 0;
	op_connect(op);
}

/* A failure that may pass (HAProxy restarting, its socket not there
 * yet): the same command again after a backoff, or the failure when the
 * timeout leaves no room for another try. */
static void op_retry(struct hx_op *op, const char *what)
{
	op_close(op);
	int64_t now = clock_monotonic_ms();
	int64_t delay = retry_delay_ms(++op->attempt, NULL, now, op->deadline_ms);
	if (delay < 0) {
		op_fail(op, what);
		return;
	}
	op->len = 0;
	op->sent = 0;
	op->retry_timer = loop_timer(op->t->loop, now + delay, on_retry, op);
}

static void on_deadline(void *arg)
{
	struct hx_op *op = arg;
	op->deadline_timer = 0;
	char what[64];
	snprintf(what, sizeof what, "no answer within %lld ms", (long long)op->t->timeout_ms);
	op_fail(op, what);
}

/* Why a connection failed, and whether it is worth another try. */
static const char *connect_failure(int e, bool *retry)
{
	*retry = true;
	switch (e) {
	case ECONNREFUSED:
		return "connection refused (is HAProxy running?)";
	case ENOENT:
		return "no such socket (is HAProxy running, and is \"socket\" its stats socket?)";
	case EACCES:
	case EPERM:
		*retry = false;
		return "permission denied on the socket (may this user open it?)";
	case ECONNRESET:
	case EPIPE:
		return "the connection was reset";
	case EAGAIN:
		return "the socket's backlog is full";
	default:
		return strerror(e);
	}
}

static void connect_failed(struct hx_op *op, int e)
{
	bool retry;
	const char *what = connect_failure(e, &retry);
	if (retry)
		op_retry(op, what);
	else
		op_fail(op, what);
}

/* ---- answers -------------------------------------------------------------- */

static void read_answered(struct hx_op *op)
{
	struct target_haproxy *t = op->t;
	struct haproxy_state st;
	struct error err;
	if (haproxy_parse_state(op->answer, op->len, t->backend, &st, &err) != 0) {
		op_fail(op, err.msg);
		return;
	}
	int *weights = xcalloc(t->n_servers + 1, sizeof *weights);
	int *percent = xcalloc(t->n_servers + 1, sizeof *percent);
	struct target_view v = { .deployments = xcalloc(t->n_servers + 1, sizeof *v.deployments), .n = 0 };
	const char *missing = NULL;
	for (size_t i = 0; i < t->n_servers && !missing; i++) {
		const struct haproxy_server *s = haproxy_state_find(&st, t->servers[i].server);
		if (!s) {
			missing = t->servers[i].server;
			apimsg_error_set(&err, "no such server \"%s\" in backend \"%s\" (deployment %s); check the "
					       "target's \"servers\"",
					 missing, t->backend, t->servers[i].deployment);
			break;
		}
		weights[i] = haproxy_server_share(s);
		v.deployments[v.n++] = (struct target_deployment){ .name = xstrdup(t->servers[i].deployment),
								   .state = xstrdup(haproxy_server_state(s)) };
	}
	if (!missing) {
		haproxy_weights_to_percent(weights, v.n, percent);
		for (size_t i = 0; i < v.n; i++)
			v.deployments[i].traffic = percent[i];
	}
	free(weights);
	free(percent);
	haproxy_state_free(&st);
	if (missing)
		op_fail(op, err.msg);
	else
		op_finish(op, NULL, &v);
	target_view_free(&v);
}

static void apply_answered(struct hx_op *op)
{
	struct error err;
	if (haproxy_set_answer(op->answer, op->len, op->t->backend, op->servers[op->cmd], op->weights[op->cmd],
			       &err) != 0) {
		/* The first refusal ends the change: what is set stays set,
		 * and the caller reads back what the traffic is now. */
		op_fail(op, err.msg);
		return;
	}
	if (++op->cmd == op->n_cmds) {
		op_finish(op, NULL, NULL);
		return;
	}
	op->attempt = 0;
	op->len = 0;
	op->sent = 0;
	op_connect(op);
}

/* ---- the connection ------------------------------------------------------- */

static void on_readable(void *arg, int fd, short revents)
{
	(void)revents;
	struct hx_op *op = arg;
	for (;;) {
		if (op->cap - op->len < 4096)
			xgrow(&op->answer, &op->cap, op->len + 4096, 1);
		ssize_t n = recv(fd, op->answer + op->len, op->cap - op->len, 0);
		if (n > 0) {
			op->len += (size_t)n;
			if (op->len > ANSWER_MAX) {
				op_fail(op, "an answer over 1 MiB (is this HAProxy's runtime API?)");
				return;
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			connect_failed(op, errno);
			return;
		}
		break; /* EOF: HAProxy has said all it will */
	}
	op_close(op);
	if (op->len == 0) {
		op_retry(op, "the connection closed with no answer");
		return;
	}
	if (op->kind == HX_READ)
		read_answered(op);
	else
		apply_answered(op);
}

static void on_writable(void *arg, int fd, short revents)
{
	(void)revents;
	struct hx_op *op = arg;
	if (op->sent == 0) {
		int e = 0;
		socklen_t elen = sizeof e;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) != 0)
			e = errno;
		if (e) {
			connect_failed(op, e);
			return;
		}
	}
	const char *cmd = op->cmds[op->cmd];
	size_t len = strlen(cmd);
	while (op->sent < len) {
		ssize_t n = send(fd, cmd + op->sent, len - op->sent, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			connect_failed(op, errno);
			return;
		}
		op->sent += (size_t)n;
	}
	loop_watch(op->t->loop, fd, POLLIN, on_readable, op);
}

static void op_connect(struct hx_op *op)
{
	struct target_haproxy *t = op->t;
	op->fd = socket(t->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (op->fd < 0) {
		op_fail(op, strerror(errno));
		return;
	}
	if (connect(op->fd, (const struct sockaddr *)&t->addr, t->addr_len) != 0 && errno != EINPROGRESS) {
		connect_failed(op, errno);
		return;
	}
	loop_watch(t->loop, op->fd, POLLOUT, on_writable, op);
}

static struct hx_op *op_new(struct target_haproxy *t, enum hx_kind kind, void *arg)
{
	struct hx_op *op = xcalloc(1, sizeof *op);
	op->t = t;
	op->kind = kind;
	op->fd = -1;
	op->arg = arg;
	op->deadline_ms = clock_monotonic_ms() + t->timeout_ms;
	return op;
}

static void op_add_cmd(struct hx_op *op, char *cmd, const char *server, int weight)
{
	op->cmds = xrealloc(op->cmds, (op->n_cmds + 1) * sizeof *op->cmds);
	op->servers = xrealloc(op->servers, (op->n_cmds + 1) * sizeof *op->servers);
	op->weights = xrealloc(op->weights, (op->n_cmds + 1) * sizeof *op->weights);
	op->cmds[op->n_cmds] = cmd;
	op->servers[op->n_cmds] = xstrdup(server ? server : "");
	op->weights[op->n_cmds] = weight;
	op->n_cmds++;
}

static void op_start(struct hx_op *op)
{
	struct target_haproxy *t = op->t;
	op->next = t->ops;
	t->ops = op;
	op->deadline_timer = loop_timer(t->loop, op->deadline_ms, on_deadline, op);
	op_connect(op);
}

/* ---- the target ----------------------------------------------------------- */

static const char *server_of(const struct target_haproxy *t, const char *deployment)
{
	for (size_t i = 0; i < t->n_servers; i++)
		if (strcmp(t->servers[i].deployment, deployment) == 0)
			return t->servers[i].server;
	return NULL;
}

static void hx_apply(struct target *base, const char *endpoint, const struct traffic_split *split, int64_t now,
		     target_apply_fn done, void *arg)
{
	(void)endpoint;
	(void)now;
	struct target_haproxy *t = (struct target_haproxy *)base;
	for (size_t i = 0; i < split->n; i++) {
		if (!server_of(t, split->entries[i].deployment)) {
			struct error err;
			apimsg_error_set(&err, "haproxy target of %s: deployment %s has no server in the target's "
					       "\"servers\"",
					 t->endpoint, split->entries[i].deployment);
			done(arg, err.msg, NULL);
			return;
		}
	}
	struct hx_op *op = op_new(t, HX_APPLY, arg);
	op->apply_done = done;
	/* Every mapped server gets its weight, those that take traffic
	 * first: the backend's weights never all reach 0 on the way. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < t->n_servers; i++) {
			int percent = 0;
			for (size_t k = 0; k < split->n; k++)
				if (strcmp(split->entries[k].deployment, t->servers[i].deployment) == 0)
					percent = split->entries[k].percent;
			int w = haproxy_percent_to_weight(percent);
			if ((w > 0) == (pass == 0))
				op_add_cmd(op, haproxy_set_weight_cmd(t->backend, t->servers[i].server, w),
					   t->servers[i].server, w);
		}
	}
	op_start(op);
}

static void hx_read(struct target *base, const char *endpoint, int64_t now, target_read_fn done, void *arg)
{
	(void)endpoint;
	(void)now;
	struct target_haproxy *t = (struct target_haproxy *)base;
	struct hx_op *op = op_new(t, HX_READ, arg);
	op->read_done = done;
	op_add_cmd(op, haproxy_show_state_cmd(t->backend), NULL, 0);
	op_start(op);
}

static void hx_free(struct target *base)
{
	struct target_haproxy *t = (struct target_haproxy *)base;
	while (t->ops) {
		struct hx_op *op = t->ops;
		op_detach(op);
		op_free(op);
	}
	for (size_t i = 0; i < t->n_servers; i++) {
		free(t->servers[i].deployment);
		free(t->servers[i].server);
	}
	free(t->servers);
	free(t->backend);
	free(t->where);
	free(t->endpoint);
	free(t);
}

static const struct target_ops target_haproxy_ops = {
	.name = "haproxy",
	.apply = hx_apply,
	.read = hx_read,
	.free = hx_free,
};

/* host:port with a numeric host (or localhost): a name would need a DNS
 * lookup, and getaddrinfo blocks. */
static int resolve(const char *address, struct sockaddr_storage *ss, socklen_t *len, struct error *err)
{
	const char *colon = strrchr(address, ':');
	if (!colon || colon == address)
		return apimsg_error_set(err, "address \"%s\": expected host:port", address);
	char *host = xstrndup(address, (size_t)(colon - address));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	if (strcmp(host, "localhost") == 0) {
		free(host);
		host = xstrdup("127.0.0.1");
	}
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(host, colon + 1, &hints, &res);
	free(host);
	if (rc != 0 || !res || res->ai_addrlen > sizeof *ss) {
		if (res)
			freeaddrinfo(res);
		return apimsg_error_set(err, "address \"%s\": give an IP address and a port (cmdr does not look "
					     "names up: a DNS lookup could stall the console)",
					address);
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int unix_address(const char *path, struct sockaddr_storage *ss, socklen_t *len, struct error *err)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)ss;
	if (strlen(path) >= sizeof sun->sun_path)
		return apimsg_error_set(err, "socket \"%s\": a path longer than %zu bytes", path,
					sizeof sun->sun_path - 1);
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, strlen(path) + 1);
	*len = (socklen_t)sizeof *sun;
	return 0;
}

static int check_names(const struct config_target *cfg, struct error *err)
{
	if (!haproxy_name_ok(cfg->backend))
		return apimsg_error_set(err, "backend \"%s\": not a name HAProxy gives a backend", cfg->backend);
	for (size_t i = 0; i < cfg->n_servers; i++)
		if (!haproxy_name_ok(cfg->servers[i].server))
			return apimsg_error_set(err, "server \"%s\": not a name HAProxy gives a server",
						cfg->servers[i].server);
	if (cfg->n_servers == 0)
		return error_set(err, "no deployment is mapped to a server (\"servers\")");
	return 0;
}

struct target *target_haproxy_new(const struct config_target *cfg, const char *endpoint, struct loop *loop,
				  struct error *err)
{
	struct error why;
	struct sockaddr_storage ss;
	socklen_t len = 0;
	memset(&ss, 0, sizeof ss);
	int rc = check_names(cfg, &why);
	if (rc == 0)
		rc = cfg->socket ? unix_address(cfg->socket, &ss, &len, &why)
				 : resolve(cfg->address ? cfg->address : "", &ss, &len, &why);
	if (rc != 0) {
		error_set(err, "%s: haproxy target: %s", endpoint, why.msg);
		return NULL;
	}
	struct target_haproxy *t = xcalloc(1, sizeof *t);
	t->base.ops = &target_haproxy_ops;
	t->loop = loop;
	t->endpoint = xstrdup(endpoint);
	t->where = xstrdup(cfg->socket ? cfg->socket : cfg->address);
	t->addr = ss;
	t->addr_len = len;
	t->backend = xstrdup(cfg->backend);
	t->servers = xcalloc(cfg->n_servers, sizeof *t->servers);
	for (size_t i = 0; i < cfg->n_servers; i++)
		t->servers[i] = (struct config_server_map){ xstrdup(cfg->servers[i].deployment),
							    xstrdup(cfg->servers[i].server) };
	t->n_servers = cfg->n_servers;
	t->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 10000;
	return &t->base;
}
