/* Unit tests of auto: absolute normalised paths, the noise filter, and the process
 * groups `dodo auto` keeps (stopping with SIGTERM then SIGKILL, a group outliving its
 * command becoming a server, a server ending by itself). Real processes, bounded waits. */
#include "auto.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frontend.h"
#include "proc.h"
#include "unit.h"
#include "util.h"

static void check_path(const char *cwd, const char *path, const char *want)
{
	char *got = auto_path(cwd, path);

	CHECK_STR(got, want);
	free(got);
}

TEST(paths_are_absolute_and_normalised)
{
	check_path("/w", "a.txt", "/w/a.txt");
	check_path("/w", "./a//b/./c/", "/w/a/b/c");
	check_path("/w/", "a", "/w/a");
	check_path("/w", "/abs//x/", "/abs/x");
	check_path("/w", ".", "/w");
	check_path("/", ".", "/");
	check_path("/", "a", "/a");
	check_path("/w", "../up", "/w/../up");     /* lexical, as the watcher */
}

TEST(noise_is_ignored)
{
	CHECK(auto_path_ignored("/w/.main.c.swp"));
	CHECK(auto_path_ignored("/w/main.c~"));
	CHECK(auto_path_ignored("/w/4913"));
	CHECK(auto_path_ignored("/w/.#main.c"));
	CHECK(auto_path_ignored("/w/#main.c#"));
	CHECK(auto_path_ignored("/w/__pycache__/m.cpython-311.pyc"));
	CHECK(auto_path_ignored("/w/__pycache__"));
	CHECK(!auto_path_ignored("/w/main.c"));
	CHECK(!auto_path_ignored("/w/swp.c"));
	CHECK(!auto_path_ignored("/w/.dodo.db"));
}

/* Start cmd through /bin/sh in its own process group; returns its pid. */
static pid_t spawn_group(const char *cmd)
{
	struct cmdspec spec = {0};
	struct proc p;
	struct err e = {0};

	spec.cmd = xstrdup(cmd);
	if (proc_spawn(&p, &spec, false, true, NULL, NULL, false, false, &e) < 0)
		fatal("%s", e.msg);
	free(spec.cmd);
	return p.pid;
}

static bool gone(pid_t pgid)
{
	return kill(-pgid, 0) < 0 && errno == ESRCH;
}

static bool pick_all(void *arg, const char *task)
{
	return true;
}

static bool pick_b(void *arg, const char *task)
{
	return strcmp(task, "b") == 0;
}

TEST(stop_sends_sigterm_and_waits)
{
	struct groups *gs = groups_new(5000);
	struct vec stopped = {0};
	pid_t a = spawn_group("exec sleep 30"), b = spawn_group("sleep 30; true");

	groups_add(gs, "a", a, true);
	groups_add(gs, "b", b, true);
	CHECK(groups_has_server(gs, "a") && groups_has_server(gs, "b"));
	CHECK_INT(groups_stop(gs, pick_b, NULL, &stopped), 1);
	CHECK(gone(b));             /* the shell and its sleep child alike */
	CHECK(!gone(a));
	CHECK_INT(stopped.n, 1);
	CHECK_STR(stopped.n ? stopped.v[0] : NULL, "b");
	CHECK(!groups_has_server(gs, "b"));
	CHECK_INT(groups_stop(gs, pick_all, NULL, NULL), 1);
	CHECK(gone(a));
	CHECK_INT(groups_count(gs), 0);
	free(stopped.v[0]);
	vec_free(&stopped);
	groups_free(gs);
}

/* A group that ignores SIGTERM is killed once the grace period is over. Its shell
 * would end by itself after 30 s, leaving a second mark: that mark missing shows
 * SIGKILL ended it, with no bound on how long the machine took. */
TEST(sigkill_after_the_grace_period)
{
	struct groups *gs = groups_new(200);
	char mark[] = "/tmp/dodo-test-auto-XXXXXX", *cmd, *survived;
	int fd = mkstemp(mark);
	int64_t t0, end = now_ns() + 10000 * 1000000LL;
	pid_t p;

	close(fd);
	unlink(mark);
	survived = xasprintf("%s.survived", mark);
	cmd = xasprintf("trap '' TERM; : > %s; i=0; while [ $i -lt 300 ]; do sleep 0.1; "
	                "i=$((i+1)); done; : > %s", mark, survived);
	p = spawn_group(cmd);
	while (access(mark, F_OK) != 0 && now_ns() < end)  /* the trap is set */
		usleep(2000);
	unlink(mark);
	free(cmd);
	groups_add(gs, "t", p, true);
	t0 = now_ns();
	groups_stop(gs, NULL, NULL, NULL);
	CHECK(gone(p));
	CHECK(now_ns() - t0 >= 150 * 1000000LL);    /* not before the grace period */
	CHECK(access(survived, F_OK) != 0);         /* killed, not ended by itself */
	unlink(survived);
	free(survived);
	groups_free(gs);
}

TEST(a_group_outliving_its_command_is_a_server)
{
	struct groups *gs = groups_new(2000);
	pid_t p = spawn_group("sleep 30 >/dev/null 2>&1 & exit 0"), q;
	int st;

	groups_add(gs, "bg", p, false);
	CHECK(!groups_has_server(gs, "bg"));
	waitpid(p, &st, 0);         /* the runner reaps the command */
	groups_exited(gs, p);
	CHECK(groups_has_server(gs, "bg"));
	/* a command that leaves nothing behind is forgotten */
	q = spawn_group("exit 0");
	groups_add(gs, "plain", q, false);
	waitpid(q, &st, 0);
	groups_exited(gs, q);
	CHECK_INT(groups_count(gs), 1);
	groups_stop(gs, NULL, NULL, NULL);
	CHECK(gone(p));
	groups_free(gs);
}

TEST(a_server_ending_by_itself_is_reported_once)
{
	struct groups *gs = groups_new(2000);
	pid_t p = spawn_group("exit 7");
	struct vec ended = {0};
	int64_t end = now_ns() + 10000 * 1000000LL;

	groups_add(gs, "crash", p, true);
	while (!ended.n && now_ns() < end) {
		groups_reap(gs, &ended);
		usleep(5000);
	}
	CHECK_INT(ended.n, 1);
	CHECK_STR(ended.n ? ended.v[0] : NULL, "crash");
	CHECK_INT(groups_count(gs), 0);
	groups_reap(gs, &ended);
	CHECK_INT(ended.n, 1);
	free(ended.v[0]);
	vec_free(&ended);
	groups_free(gs);
}

int main(void)
{
	alarm(120);
	if (auto_signals_start() < 0)   /* the reaper of orphans, as in dodo auto */
		fatal("auto_signals_start:");
	RUN(paths_are_absolute_and_normalised);
	RUN(noise_is_ignored);
	RUN(stop_sends_sigterm_and_waits);
	RUN(sigkill_after_the_grace_period);
	RUN(a_group_outliving_its_command_is_a_server);
	RUN(a_server_ending_by_itself_is_reported_once);
	auto_signals_stop();
	return unit_done("auto");
}
