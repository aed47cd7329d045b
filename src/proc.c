#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frontend.h"

extern char **environ;

void write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		s += w;
		n -= (size_t)w;
	}
}

/* A pidfd of the child pid, or -1 where the kernel has none (before 5.3). */
static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	return -1;
#endif
}

void proc_attach(struct proc *p, pid_t pid, int fd, struct buf *cap)
{
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->fd[0] = fd;
	p->fd[1] = -1;
	p->cap[0] = cap;
	p->pidfd = open_pidfd(pid);
}

void proc_release(struct proc *p)
{
	if (p->pidfd >= 0)
		close(p->pidfd);
	p->pidfd = -1;
}

static void build_argv(const struct cmdspec *spec, struct vec *argv)
{
	size_t i;

	if (spec->cmd) {
		vec_push(argv, "/bin/sh");
		vec_push(argv, "-c");
		vec_push(argv, spec->cmd);
	} else {
		for (i = 0; i < spec->argv.n; i++)
			vec_push(argv, spec->argv.v[i]);
	}
	vec_push(argv, NULL);
}

int proc_spawn(struct proc *p, const struct cmdspec *spec, bool capture, bool new_group,
               struct buf *out, struct buf *err, bool live_out, bool live_err,
               struct err *e)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int pipes[2][2] = {{-1, -1}, {-1, -1}};
	struct vec argv = {0}, env = {0};
	char **envp = environ;
	int i, rc;

	memset(p, 0, sizeof(*p));
	p->fd[0] = p->fd[1] = p->pidfd = -1;
	p->cap[0] = out;
	p->cap[1] = err;
	p->live[0] = live_out;
	p->live[1] = live_err;
	build_argv(spec, &argv);
	if (argv.n < 2) {
		vec_free(&argv);
		return seterr(e, 2, "empty command");
	}
	if (spec->has_env) {
		for (i = 0; (size_t)i < spec->env.n; i++)
			vec_push(&env, spec->env.v[i]);
		vec_push(&env, NULL);
		envp = (char **)env.v;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	if (new_group) {
		posix_spawnattr_setpgroup(&attr, 0);
		posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	}
	if (capture) {
		for (i = 0; i < 2; i++) {
			if (pipe2(pipes[i], O_CLOEXEC) < 0) {
				rc = errno;
				goto fail;
			}
			posix_spawn_file_actions_adddup2(&fa, pipes[i][1], i + 1);
		}
	}
	if (spec->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, spec->cwd);
	rc = posix_spawnp(&p->pid, argv.v[0], &fa, &attr, (char **)argv.v, envp);
fail:
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	for (i = 0; i < 2; i++) {
		if (pipes[i][1] >= 0)
			close(pipes[i][1]);
		p->fd[i] = pipes[i][0];
		if (rc != 0 && p->fd[i] >= 0) {
			close(p->fd[i]);
			p->fd[i] = -1;
		}
	}
	vec_free(&argv);
	vec_free(&env);
	if (rc != 0)
		return seterr(e, 2, "cannot run '%s': %s",
		              spec->cmd ? spec->cmd : (char *)spec->argv.v[0], strerror(rc));
	p->pidfd = open_pidfd(p->pid);
	return 0;
}

/* Write what a command printed as doit shows it: decoded as UTF-8, each bad sequence
 * read as U+FFFD (doit decodes each line with errors='replace'). */
static void write_text(int fd, const char *s, size_t n)
{
	struct buf b = {0};

	buf_add_utf8(&b, s, n);
	write_all(fd, b.data, b.len);
	buf_free(&b);
}

/* Echo complete lines of what just arrived on stream i. */
static void echo(struct proc *p, int i, const char *s, size_t n, bool final)
{
	struct buf *pend = &p->pending[i];
	const char *nl;
	int fd = i + 1;

	if (!p->live[i])
		return;
	buf_add(pend, s, n);
	nl = pend->len ? memrchr(pend->data, '\n', pend->len) : NULL;
	if (final) {
		if (pend->len)
			write_text(fd, pend->data, pend->len);
		buf_free(pend);
		return;
	}
	if (nl) {
		size_t k = (size_t)(nl - pend->data) + 1;
		write_text(fd, pend->data, k);
		memmove(pend->data, pend->data + k, pend->len - k);
		pend->len -= k;
	}
}

static void read_fd(struct proc *p, int i)
{
	char chunk[65536];
	ssize_t r = read(p->fd[i], chunk, sizeof(chunk));

	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		close(p->fd[i]);
		p->fd[i] = -1;
		echo(p, i, "", 0, true);
		return;
	}
	if (p->cap[i])
		buf_add(p->cap[i], chunk, (size_t)r);
	echo(p, i, chunk, (size_t)r, false);
}

bool proc_pump(struct proc *p)
{
	struct pollfd pfd[2];
	int i, n = 0, map[2];

	for (i = 0; i < 2; i++) {
		if (p->fd[i] < 0)
			continue;
		pfd[n].fd = p->fd[i];
		pfd[n].events = POLLIN;
		map[n++] = i;
	}
	if (!n)
		return false;
	if (poll(pfd, (nfds_t)n, -1) < 0)
		return errno == EINTR;
	for (i = 0; i < n; i++)
		if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
			read_fd(p, map[i]);
	return true;
}

int proc_pollfds(const struct proc *p, struct pollfd *pfd)
{
	int i, n = 0;

	for (i = 0; i < 2; i++) {
		if (p->fd[i] < 0)
			continue;
		pfd[n].fd = p->fd[i];
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		n++;
	}
	if (!n && !p->exited && p->pidfd >= 0) {
		pfd[n].fd = p->pidfd;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		n++;
	}
	return n;
}

void proc_handle(struct proc *p, const struct pollfd *pfd, int n)
{
	int i, j;

	for (j = 0; j < n; j++) {
		if (!(pfd[j].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		for (i = 0; i < 2; i++)
			if (p->fd[i] == pfd[j].fd)
				read_fd(p, i);
	}
}

bool proc_reap(struct proc *p, bool block)
{
	pid_t r;
	int st;

	if (p->exited)
		return true;
	if (p->fd[0] >= 0 || p->fd[1] >= 0)
		return false;
	do
		r = waitpid(p->pid, &st, block ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return false;
	p->exited = true;
	p->rc = r < 0 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
	if (p->pidfd >= 0)
		close(p->pidfd);
	p->pidfd = -1;
	return true;
}

int proc_wait(struct proc *p)
{
	while (proc_pump(p))
		;
	proc_reap(p, true);
	return p->rc;
}

void proc_kill(struct proc *p, int sig)
{
	if (p->exited || p->pid <= 0)
		return;
	if (kill(-p->pid, sig) < 0)
		kill(p->pid, sig);
}
