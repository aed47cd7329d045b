#include "jobserver.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

struct jobserver {
	int rfd, wfd;       /* our own non-blocking read side, and the write side */
	int pipe_r;         /* the read end children inherit (server), or -1 */
	int held;           /* tokens taken and not given back */
	bool server;
	char *old_flags;    /* server: MAKEFLAGS before ours (NULL: unset), put back on close */
};

/* A private, non-blocking open file description of the pipe's read end, so that setting
 * O_NONBLOCK does not change it for make and the other clients. */
static int reopen_nonblock(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
}

static bool valid_fd(int fd)
{
	return fd >= 0 && fcntl(fd, F_GETFD) >= 0;
}

/* The jobserver of an outer make, from MAKEFLAGS. */
static struct jobserver *join(const char *flags)
{
	const char *p = strstr(flags, "--jobserver-auth=");
	struct jobserver *js;
	int r = -1, w = -1;

	if (!p)
		p = strstr(flags, "--jobserver-fds=");
	if (!p)
		return NULL;
	p = strchr(p, '=') + 1;
	js = xcalloc(1, sizeof(*js));
	js->pipe_r = -1;
	if (strncmp(p, "fifo:", 5) == 0) {
		char path[4096];
		size_t n = strcspn(p + 5, " ");
		snprintf(path, sizeof(path), "%.*s", (int)n, p + 5);
		js->rfd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		js->wfd = open(path, O_WRONLY | O_CLOEXEC);
	} else if (sscanf(p, "%d,%d", &r, &w) == 2 && valid_fd(r) && valid_fd(w)) {
		js->rfd = reopen_nonblock(r);
		js->wfd = w;
	} else {
		js->rfd = js->wfd = -1;
	}
	if (js->rfd < 0 || js->wfd < 0) {
		/* make did not pass us the pipe (a command line without '+'): run alone */
		if (js->rfd >= 0)
			close(js->rfd);
		free(js);
		return NULL;
	}
	return js;
}

/* Serve jobs-1 tokens to ourselves and the commands we run. */
static struct jobserver *serve(int jobs)
{
	struct jobserver *js;
	int fds[2], i;
	char *flags;
	const char *old = getenv("MAKEFLAGS");

	if (pipe(fds) < 0)
		return NULL;
	js = xcalloc(1, sizeof(*js));
	js->server = true;
	js->wfd = fds[1];
	js->pipe_r = fds[0];
	for (i = 0; i < jobs - 1; i++)
		if (write(fds[1], "+", 1) != 1)
			break;
	js->rfd = reopen_nonblock(fds[0]);
	if (js->rfd < 0) {
		close(fds[0]);
		close(fds[1]);
		free(js);
		return NULL;
	}
	/* the children inherit fds[0] and fds[1] */
	js->old_flags = old ? xstrdup(old) : NULL;
	flags = xasprintf("%s%s-j%d --jobserver-auth=%d,%d", old ? old : "",
	                  old && *old ? " " : "", jobs, fds[0], fds[1]);
	setenv("MAKEFLAGS", flags, 1);
	free(flags);
	return js;
}

struct jobserver *jobserver_open(int jobs)
{
	const char *flags = getenv("MAKEFLAGS");
	struct jobserver *js = flags ? join(flags) : NULL;

	if (js || jobs <= 1)
		return js;
	return serve(jobs);
}

bool jobserver_acquire(struct jobserver *js)
{
	char c;
	ssize_t r;

	do
		r = read(js->rfd, &c, 1);
	while (r < 0 && errno == EINTR);
	if (r != 1)
		return false;
	js->held++;
	return true;
}

void jobserver_release(struct jobserver *js)
{
	ssize_t w;

	if (js->held <= 0)
		return;
	do
		w = write(js->wfd, "+", 1);
	while (w < 0 && errno == EINTR);
	js->held--;
}

int jobserver_fd(const struct jobserver *js)
{
	return js->rfd;
}

bool jobserver_is_server(const struct jobserver *js)
{
	return js->server;
}

void jobserver_close(struct jobserver *js)
{
	if (!js)
		return;
	while (js->held > 0)
		jobserver_release(js);
	close(js->rfd);
	if (js->server) {
		close(js->wfd);
		close(js->pipe_r);
		/* a later run in this process (after the no-op's fallback, in auto) must not
		   join this closed pipe, whose descriptor numbers may name other files by then */
		if (js->old_flags)
			setenv("MAKEFLAGS", js->old_flags, 1);
		else
			unsetenv("MAKEFLAGS");
		free(js->old_flags);
	}
	free(js);
}
