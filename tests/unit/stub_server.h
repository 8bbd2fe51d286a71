/* A small HTTP/1.1 server on 127.0.0.1 for unit tests, a thread per
 * connection, so that a test drives the client on its own thread while
 * the server answers. The test's handler answers each request. */
#ifndef CMDR_STUB_SERVER_H
#define CMDR_STUB_SERVER_H
#include <stdatomic.h>
#include <stddef.h>

/* A handler's status for a request it never answers: the connection is
 * held, and read, until the client gives up on it. */
#define STUB_SERVER_SILENT 0

/* Answers one request, on the connection's thread (several at once):
 * head is its request line and headers, NUL-terminated (requests have no
 * body). Writes a body of at most size bytes and returns the status, or
 * returns STUB_SERVER_SILENT. */
typedef int stub_server_handler(void *arg, const char *head, char *body, size_t size);

struct stub_server {
	int port;
	atomic_int accepted; /* connections accepted, for the test to read and reset */
	stub_server_handler *handler;
	void *arg;
	int listen_fd;
};

/* Starts serving on a free port (s->port) until the program exits. */
void stub_server_start(struct stub_server *s, stub_server_handler *handler, void *arg);

/* A listening socket on a free loopback port that nothing accepts on: the
 * kernel takes connections, nobody answers. Closed, the port is one where
 * nothing listens. Returns the socket; aborts if there is none. */
int stub_server_listen(int *port);

#endif
