#include "groups.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sig.h"
#include "util.h"

enum {
	KILL_WAIT_MS = 5000,    /* after SIGKILL: give up waiting (a process in D state) */
	STOP_TICK_MS = 2,       /* re-check of groups whose processes are not our children */
};

struct group {
	char *task;
	pid_t pgid;
	bool lone;          /* pgid is a process in dodo's own group: it alone counts */
	bool has_sig;       /* lone, and it got the stopping signal from the terminal */
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
	g->lone = g->has_sig = false;
	g->server = server;
	g->leader_done = false;
	g->rc = 0;
}

void groups_add_process(struct groups *gs, const char *task, pid_t pid, bool has_sig)
{
	struct group *g;

	groups_add(gs, task, pid, false);
	g = group_find(gs, pid, NULL);
	g->lone = true;
	g->has_sig = has_sig;
}

/* Whether any process (a zombie included) is left in g. */
static bool group_alive(const struct group *g)
{
	return kill(g->lone ? g->pgid : -g->pgid, 0) == 0 || errno == EPERM;
}

void groups_exited(struct groups *gs, pid_t pgid)
{
	size_t i;
	struct group *g = group_find(gs, pgid, &i);

	if (!g)
		return;
	g->leader_done = true;
	if (!g->server && group_alive(g))
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

	while ((pid = waitpid(g->lone ? g->pgid : -g->pgid, &st, WNOHANG)) > 0) {
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
		pid_t to = g->lone ? g->pgid : -g->pgid;
		if (g->stopping && (sig == SIGKILL || !g->has_sig)) {
			kill(to, sig);
			if (sig != SIGKILL)
				kill(to, SIGCONT);      /* a stopped process must see it */
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
		if (group_alive(g))
			gone = false;
	}
	return gone;
}

/* Sleep until a child may have exited (SIGCHLD, when caught), at most ms. */
static void nap(int ms)
{
	struct pollfd pfd = {.fd = sig_wake_fd(), .events = POLLIN};

	if (pfd.fd < 0) {
		poll(NULL, 0, ms);
		return;
	}
	if (poll(&pfd, 1, ms) > 0)
		sig_wake_clear();
}

/* sig, wait up to the grace period, SIGKILL, wait. dodo becomes the reaper of the
 * processes orphaned meanwhile: those of the groups are then its own to reap, and none
 * stays a zombie in its group until init gets round to it. */
static void stop_chosen(struct groups *gs, int sig)
{
	int64_t deadline = now_ns() + (int64_t)gs->grace_ms * 1000000;
	bool killed = false;

	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	signal_chosen(gs, sig);
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
                int sig, struct vec *stopped)
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
	stop_chosen(gs, sig);
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
		if (!g->server || group_alive(g))
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
