/* auto: process groups left running by tasks, the signals of the watch loop, paths. */
#include "auto.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

enum {
	KILL_WAIT_MS = 5000,    /* after SIGKILL: give up waiting (a process in D state) */
	STOP_TICK_MS = 2,       /* re-check of groups whose processes are not our children */
};

/* ---- signals ---- */

static int wake[2] = {-1, -1};
static volatile sig_atomic_t stop_sig;
static const int caught[] = {SIGCHLD, SIGINT, SIGTERM, SIGHUP};
static struct sigaction saved[sizeof(caught) / sizeof(caught[0])];

static void on_signal(int sig)
{
	int saved_errno = errno;
	char c = 0;

	if (sig != SIGCHLD)
		stop_sig = sig;
	if (wake[1] >= 0 && write(wake[1], &c, 1) < 0) {
		/* full: a wake-up is pending anyway */
	}
	errno = saved_errno;
}

int auto_signals_start(void)
{
	struct sigaction sa = {0};
	size_t i;

	if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	stop_sig = 0;
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(caught) / sizeof(caught[0]); i++) {
		sa.sa_flags = SA_RESTART | (caught[i] == SIGCHLD ? SA_NOCLDSTOP : 0);
		sigaction(caught[i], &sa, &saved[i]);
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		warn("warning: cannot become the reaper of orphaned processes:");
	return 0;
}

void auto_signals_stop(void)
{
	size_t i;

	for (i = 0; i < sizeof(caught) / sizeof(caught[0]); i++)
		sigaction(caught[i], &saved[i], NULL);
	for (i = 0; i < 2; i++) {
		if (wake[i] >= 0)
			close(wake[i]);
		wake[i] = -1;
	}
}

int auto_wake_fd(void)
{
	return wake[0];
}

void auto_wake_clear(void)
{
	char buf[64];

	while (wake[0] >= 0 && read(wake[0], buf, sizeof(buf)) > 0)
		;
}

int auto_stop_signal(void)
{
	return stop_sig;
}

void auto_set_stop_signal(int sig)
{
	if (sig)
		stop_sig = sig;
}

/* ---- process groups ---- */

struct group {
	char *task;
	pid_t pgid;
	bool server;        /* kept running; else a command still expected to exit */
	bool leader_done;   /* the leader was reaped (by us or by the runner) */
	int rc;             /* the leader's exit status (-signal), when we reaped it */
	bool stopping;      /* chosen by the groups_stop in progress */
};

struct groups {
	struct vec v;       /* struct group * */
	int grace_ms;
};

struct groups *groups_new(int grace_ms)
{
	struct groups *gs = xcalloc(1, sizeof(*gs));

	gs->grace_ms = grace_ms < 0 ? 0 : grace_ms;
	return gs;
}

static void group_free(struct group *g)
{
	free(g->task);
	free(g);
}

/* Remove entry i (order is not kept). */
static void group_remove(struct groups *gs, size_t i)
{
	group_free(gs->v.v[i]);
	gs->v.v[i] = gs->v.v[--gs->v.n];
}

void groups_free(struct groups *gs)
{
	size_t i;

	if (!gs)
		return;
	for (i = 0; i < gs->v.n; i++)
		group_free(gs->v.v[i]);
	vec_free(&gs->v);
	free(gs);
}

static struct group *group_find(const struct groups *gs, pid_t pgid, size_t *at)
{
	size_t i;

	for (i = 0; i < gs->v.n; i++) {
		struct group *g = gs->v.v[i];
		if (g->pgid == pgid) {
			if (at)
				*at = i;
			return g;
		}
	}
	return NULL;
}

void groups_add(struct groups *gs, const char *task, pid_t pgid, bool server)
{
	struct group *g = group_find(gs, pgid, NULL);

	if (!g) {   /* a pgid is only reused once its group is empty: a stale entry */
		g = xcalloc(1, sizeof(*g));
		vec_push(&gs->v, g);
	}
	free(g->task);
	g->task = xstrdup(task);
	g->pgid = pgid;
	g->server = server;
	g->leader_done = false;
	g->rc = 0;
}

/* Whether any process (a zombie included) is left in group pgid. */
static bool group_alive(pid_t pgid)
{
	return kill(-pgid, 0) == 0 || errno == EPERM;
}

void groups_exited(struct groups *gs, pid_t pgid)
{
	size_t i;
	struct group *g = group_find(gs, pgid, &i);

	if (!g)
		return;
	g->leader_done = true;
	if (!g->server && group_alive(pgid))
		g->server = true;       /* it started something that outlived it */
	else if (!g->server)
		group_remove(gs, i);
}

bool groups_has_server(const struct groups *gs, const char *task)
{
	size_t i;

	for (i = 0; i < gs->v.n; i++) {
		struct group *g = gs->v.v[i];
		if (g->server && strcmp(g->task, task) == 0)
			return true;
	}
	return false;
}

size_t groups_count(const struct groups *gs)
{
	return gs->v.n;
}

static int status_rc(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? -WTERMSIG(st) : 0;
}

/* Reap what has exited in group g (its processes that are our children). */
static void group_reap(struct group *g)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-g->pgid, &st, WNOHANG)) > 0) {
		if (pid == g->pgid) {
			g->leader_done = true;
			g->rc = status_rc(st);
		}
	}
}

static void signal_chosen(struct groups *gs, int sig)
{
	size_t i;

	for (i = 0; i < gs->v.n; i++) {
		struct group *g = gs->v.v[i];
		if (g->stopping) {
			kill(-g->pgid, sig);
			if (sig == SIGTERM)
				kill(-g->pgid, SIGCONT);    /* a stopped process must see it */
		}
	}
}

/* Reap the chosen groups; true when none has a process left. */
static bool chosen_gone(struct groups *gs)
{
	size_t i;
	bool gone = true;

	for (i = 0; i < gs->v.n; i++) {
		struct group *g = gs->v.v[i];
		if (!g->stopping)
			continue;
		group_reap(g);
		if (group_alive(g->pgid))
			gone = false;
	}
	return gone;
}

/* Sleep until a child may have exited (SIGCHLD), at most ms. */
static void nap(int ms)
{
	struct pollfd pfd = {.fd = wake[0], .events = POLLIN};

	if (wake[0] < 0) {
		poll(NULL, 0, ms);
		return;
	}
	if (poll(&pfd, 1, ms) > 0) {
		char buf[64];
		if (read(wake[0], buf, sizeof(buf)) < 0) {
			/* drained by someone else */
		}
	}
}

/* SIGTERM, wait up to the grace period, SIGKILL, wait. */
static void stop_chosen(struct groups *gs)
{
	int64_t deadline = now_ns() + (int64_t)gs->grace_ms * 1000000;
	bool killed = false;

	signal_chosen(gs, SIGTERM);
	while (!chosen_gone(gs)) {
		int64_t left = deadline - now_ns();
		if (left <= 0 && !killed) {
			signal_chosen(gs, SIGKILL);
			killed = true;
			deadline = now_ns() + (int64_t)KILL_WAIT_MS * 1000000;
			continue;
		}
		if (left <= 0) {
			warn("warning: processes of a task's process group do not end");
			break;
		}
		nap(left / 1000000 < STOP_TICK_MS ? (int)(left / 1000000) + 1 : STOP_TICK_MS);
	}
}

/* Append name to v unless there. */
static void add_name(struct vec *v, const char *name)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++)
		if (strcmp(v->v[i], name) == 0)
			return;
	vec_push(v, xstrdup(name));
}

int groups_stop(struct groups *gs, bool (*pick)(void *arg, const char *task), void *arg,
                struct vec *stopped)
{
	size_t i;
	int n = 0;

	for (i = 0; i < gs->v.n; i++) {
		struct group *g = gs->v.v[i];
		g->stopping = !pick || pick(arg, g->task);
		n += g->stopping;
	}
	if (!n)
		return 0;
	fflush(stdout);
	stop_chosen(gs);
	for (i = gs->v.n; i-- > 0;) {
		struct group *g = gs->v.v[i];
		if (!g->stopping)
			continue;
		if (g->server)
			add_name(stopped, g->task);
		group_remove(gs, i);
	}
	return n;
}

/* Reap every exited child; leaders of tracked groups get their status recorded. */
static void reap_all(struct groups *gs)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		struct group *g = group_find(gs, pid, NULL);
		if (g) {
			g->leader_done = true;
			g->rc = status_rc(st);
		}
	}
}

void groups_reap(struct groups *gs, struct vec *ended)
{
	size_t i;

	reap_all(gs);
	for (i = gs->v.n; i-- > 0;) {
		struct group *g = gs->v.v[i];
		if (!g->server || group_alive(g->pgid))
			continue;
		fflush(stdout);
		if (g->rc < 0)
			warn("task '%s': its long-running process ended by itself (signal %d); it "
			     "runs again on the next change", g->task, -g->rc);
		else
			warn("task '%s': its long-running process ended by itself (exit code %d); "
			     "it runs again on the next change", g->task, g->rc);
		add_name(ended, g->task);
		group_remove(gs, i);
	}
}

/* ---- paths ---- */

char *auto_path(const char *cwd, const char *path)
{
	struct buf b = {0};
	char *joined = *path == '/' ? NULL : xasprintf("%s/%s", cwd, path);

	path_normalize(&b, joined ? joined : path);
	free(joined);
	return buf_take(&b);
}

/* Names editors write beside the file they save (vim, emacs, kate, JetBrains). */
static const char *const noise[] = {
	"*.swp", "*.swx", "*.swo", "*~", ".#*", "#*#", "4913", ".*.kate-swp",
	"*___jb_tmp___", "*___jb_old___", NULL,
};

bool auto_path_ignored(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t i;

	if (strstr(path, "/__pycache__/") || strcmp(base, "__pycache__") == 0)
		return true;
	for (i = 0; noise[i]; i++)
		if (fnmatch(noise[i], base, 0) == 0)
			return true;
	return false;
}
