#include "output.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "redact.h"
#include "sanitize.h"
#include "xalloc.h"

/* A partial line longer than this goes out anyway. */
#define OUTPUT_HOLD_MAX 65536

struct output_stream {
	int fd;
	bool whole_lines;
	char *held; /* what is not written yet: a partial line or character */
	size_t n_held;
};

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* nowhere to report it: the output is the report */
		p += w;
		n -= (size_t)w;
	}
}

/* How many bytes at the end of s begin a UTF-8 character that the next
 * write will finish (0 to 3). */
static size_t unfinished_char(const char *s, size_t len)
{
	for (size_t back = 1; back <= 3 && back <= len; back++) {
		unsigned char c = (unsigned char)s[len - back];
		if ((c & 0xc0) == 0x80)
			continue;
		size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		return need > back ? back : 0;
	}
	return 0;
}

static void emit(struct output_stream *o, char *text, size_t len)
{
	/* NUL would end the text for the redaction: it is a control anyway. */
	for (size_t i = 0; i < len; i++)
		if (!text[i])
			text[i] = '\x7f';
	text[len] = '\0';
	char *red = redact_secrets(text);
	size_t rlen = strlen(red);
	char *clean = xmalloc(rlen + 1);
	size_t n = sanitize_lines(red, rlen, clean, rlen + 1);
	write_all(o->fd, clean, n);
	free(clean);
	free(red);
}

static ssize_t guard_write(void *cookie, const char *buf, size_t size)
{
	struct output_stream *o = cookie;
	size_t total = o->n_held + size;
	char *text = xmalloc(total + 1);
	if (o->n_held)
		memcpy(text, o->held, o->n_held);
	memcpy(text + o->n_held, buf, size);
	size_t keep = unfinished_char(text, total);
	if (o->whole_lines) {
		const char *nl = memrchr(text, '\n', total);
		size_t partial = nl ? total - (size_t)(nl + 1 - text) : total;
		if (partial <= OUTPUT_HOLD_MAX && partial > keep)
			keep = partial;
	}
	free(o->held);
	o->held = keep ? xstrndup(text + total - keep, keep) : NULL;
	o->n_held = keep;
	emit(o, text, total - keep);
	free(text);
	return (ssize_t)size;
}

static int guard_close(void *cookie)
{
	struct output_stream *o = cookie;
	if (o->n_held) {
		char *text = xmalloc(o->n_held + 1);
		memcpy(text, o->held, o->n_held);
		emit(o, text, o->n_held);
		free(text);
	}
	free(o->held);
	free(o);
	return 0;
}

/* The streams replaced, to be put back at exit: stdout and stderr. */
static struct guarded {
	FILE **stream;
	FILE *original, *guard;
} guarded[2];
static size_t n_guarded;

/* exit() flushes streams but does not close them: the guards are closed
 * here, which writes what they hold back and frees them, and the C
 * library's own streams are put back for whatever runs after. */
static void unguard(void)
{
	while (n_guarded > 0) {
		struct guarded *g = &guarded[--n_guarded];
		*g->stream = g->original;
		fclose(g->guard);
	}
}

void output_guard(FILE **stream, int buf_mode)
{
	if (n_guarded == sizeof guarded / sizeof guarded[0])
		abort(); /* stdout and stderr are all there is to guard */
	struct output_stream *o = xcalloc(1, sizeof *o);
	o->fd = fileno(*stream);
	o->whole_lines = buf_mode == _IOFBF;
	cookie_io_functions_t io = { .write = guard_write, .close = guard_close };
	FILE *f = o->fd >= 0 ? fopencookie(o, "w", io) : NULL;
	if (!f) {
		free(o);
		return;
	}
	fflush(*stream);
	setvbuf(f, NULL, buf_mode, 0);
	if (n_guarded == 0)
		atexit(unguard);
	guarded[n_guarded++] = (struct guarded){ stream, *stream, f };
	*stream = f;
}
