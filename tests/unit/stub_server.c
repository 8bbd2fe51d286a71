#include "stub_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xalloc.h"

struct connection {
	struct stub_server *server;
	int fd;
};

static void answer(int fd, int status, const char *body)
{
	/* one write: a second small one would wait for the first's ACK */
	char out[8192];
	int n = snprintf(out, sizeof out,
			 "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s", status,
			 status == 200 ? "OK" : "X", strlen(body), body);
	if (n < 0 || (size_t)n >= sizeof out)
		abort(); /* a body the test made too long */
	if (write(fd, out, (size_t)n) < 0)
		return;
}

static void *serve(void *arg)
{
	struct connection c = *(struct connection *)arg;
	free(arg);
	char buf[8192], body[4096];
	size_t have = 0;
	for (;;) {
		ssize_t got = read(c.fd, buf + have, sizeof buf - 1 - have);
		if (got <= 0)
			break;
		have += (size_t)got;
		buf[have] = '\0';
		char *end = strstr(buf, "\r\n\r\n");
		if (!end)
			continue;
		*end = '\0';
		body[0] = '\0';
		int status = c.server->handler(c.server->arg, buf, body, sizeof body);
		if (status == STUB_SERVER_SILENT) {
			while (read(c.fd, buf, sizeof buf) > 0) /* until the client gives up */
				;
			break;
		}
		answer(c.fd, status, body);
		size_t used = (size_t)(end + 4 - buf);
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	close(c.fd);
	return NULL;
}

static void *accept_loop(void *arg)
{
	struct stub_server *s = arg;
	for (;;) {
		int fd = accept(s->listen_fd, NULL, NULL);
		if (fd < 0)
			return NULL;
		atomic_fetch_add(&s->accepted, 1);
		struct connection *c = xmalloc(sizeof *c);
		*c = (struct connection){ .server = s, .fd = fd };
		pthread_t th;
		if (pthread_create(&th, NULL, serve, c) != 0)
			abort();
		pthread_detach(th);
	}
}

int stub_server_listen(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 128) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0)
		abort();
	*port = ntohs(a.sin_port);
	return fd;
}

void stub_server_start(struct stub_server *s, stub_server_handler *handler, void *arg)
{
	s->handler = handler;
	s->arg = arg;
	atomic_store(&s->accepted, 0);
	s->listen_fd = stub_server_listen(&s->port);
	pthread_t th;
	if (pthread_create(&th, NULL, accept_loop, s) != 0)
		abort();
	pthread_detach(th);
}
