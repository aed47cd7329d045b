/* Unit tests of groups: stopping process groups (a signal, then SIGKILL after the grace
 * period), a lone process sharing dodo's group, a group outliving its command becoming
 * a server, a server ending by itself; and of sig: the stopping signals caught, their
 * wake-up, nesting. Real processes, bounded waits. */
#include "groups.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frontend.h"
#include "proc.h"
#include "sig.h"
#include "unit.h"
#include "util.h"

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
	CHECK_INT(groups_stop(gs, pick_b, NULL, SIGTERM, &stopped), 1);
	CHECK(gone(b));             /* the shell and its sleep child alike */
	CHECK(!gone(a));
	CHECK_INT(stopped.n, 1);
	CHECK_STR(stopped.n ? stopped.v[0] : NULL, "b");
	CHECK(!groups_has_server(gs, "b"));
	CHECK_INT(groups_stop(gs, pick_all, NULL, SIGTERM, NULL), 1);
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
	groups_stop(gs, NULL, NULL, SIGTERM, NULL);
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
	groups_stop(gs, NULL, NULL, SIGTERM, NULL);
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

/* groups_stop sends the signal it is given (SIGINT here), not always SIGTERM. */
TEST(stop_sends_the_given_signal)
{
	struct groups *gs = groups_new(5000);
	char mark[] = "/tmp/dodo-test-groups-XXXXXX", *cmd, got[16] = "";
	int fd = mkstemp(mark);
	int64_t end = now_ns() + 10000 * 1000000LL;
	pid_t p;
	ssize_t n;

	close(fd);
	unlink(mark);
	cmd = xasprintf("trap 'echo INT > %s; exit 0' INT; trap '' TERM; echo > %s.ready; "
	                "while :; do sleep 1; done", mark, mark);
	p = spawn_group(cmd);
	free(cmd);
	cmd = xasprintf("%s.ready", mark);
	while (access(cmd, F_OK) != 0 && now_ns() < end)  /* the traps are set */
		usleep(2000);
	unlink(cmd);
	free(cmd);
	groups_add(gs, "t", p, false);
	groups_stop(gs, NULL, NULL, SIGINT, NULL);
	CHECK(gone(p));
	fd = open(mark, O_RDONLY);
	n = fd >= 0 ? read(fd, got, sizeof(got) - 1) : -1;
	got[n > 0 ? n : 0] = '\0';
	CHECK_STR(got, "INT\n");
	if (fd >= 0)
		close(fd);
	unlink(mark);
	groups_free(gs);
}

/* A process that stayed in our group is signalled alone (no group of its own). */
TEST(a_lone_process_is_stopped_alone)
{
	struct groups *gs = groups_new(5000);
	struct cmdspec spec = {0};
	struct proc p;
	struct err e = {0};

	spec.cmd = xstrdup("exec sleep 30");
	if (proc_spawn(&p, &spec, false, false, NULL, NULL, false, false, &e) < 0)
		fatal("%s", e.msg);
	free(spec.cmd);
	proc_release(&p);
	groups_add_process(gs, "t", p.pid, false);
	CHECK_INT(groups_count(gs), 1);
	CHECK_INT(groups_stop(gs, NULL, NULL, SIGTERM, NULL), 1);
	CHECK(kill(p.pid, 0) < 0 && errno == ESRCH);
	groups_free(gs);
}

/* A lone process that got the signal from the terminal does not get it twice: only
 * SIGKILL, after the grace period. */
TEST(a_lone_process_signalled_by_the_terminal)
{
	struct groups *gs = groups_new(200);
	char mark[] = "/tmp/dodo-test-groups-XXXXXX", *ready;
	struct cmdspec spec = {0};
	int64_t end = now_ns() + 10000 * 1000000LL;
	struct proc p;
	struct err e = {0};
	int fd = mkstemp(mark);

	close(fd);
	unlink(mark);
	ready = xasprintf("%s.ready", mark);
	spec.cmd = xasprintf("trap 'echo TERM > %s; exit 0' TERM; echo > %s; "
	                     "while :; do sleep 1; done", mark, ready);
	if (proc_spawn(&p, &spec, false, false, NULL, NULL, false, false, &e) < 0)
		fatal("%s", e.msg);
	free(spec.cmd);
	proc_release(&p);
	while (access(ready, F_OK) != 0 && now_ns() < end)  /* the trap is set */
		usleep(2000);
	groups_add_process(gs, "t", p.pid, true);
	groups_stop(gs, NULL, NULL, SIGTERM, NULL);
	CHECK(kill(p.pid, 0) < 0 && errno == ESRCH);
	CHECK(access(mark, F_OK) != 0);             /* no SIGTERM came */
	unlink(mark);
	unlink(ready);
	free(ready);
	groups_free(gs);
}

static bool handled(int sig)
{
	struct sigaction sa;

	sigaction(sig, NULL, &sa);
	return sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN;
}

/* A signal ignored when dodo starts (nohup) stays ignored; the others are caught. */
TEST(an_ignored_signal_stays_ignored)
{
	struct sigaction sa;

	signal(SIGHUP, SIG_IGN);
	CHECK_INT(sig_catch(false), 0);
	sigaction(SIGHUP, NULL, &sa);
	CHECK(sa.sa_handler == SIG_IGN);
	CHECK(handled(SIGTERM) && handled(SIGINT));
	CHECK(!handled(SIGCHLD));
	sig_release();
	CHECK(!handled(SIGTERM) && !handled(SIGINT));
	signal(SIGHUP, SIG_DFL);
}

/* Calls nest; a caught signal is kept and wakes the pipe; the outermost release puts
 * the default actions back. */
TEST(signals_nest_and_wake)
{
	struct pollfd pfd;

	CHECK_INT(sig_catch(false), 0);
	CHECK_INT(sig_catch(false), 0);
	CHECK_INT(sig_caught(), 0);
	raise(SIGTERM);
	CHECK_INT(sig_caught(), SIGTERM);
	raise(SIGINT);
	CHECK_INT(sig_caught(), SIGTERM);     /* the first one counts */
	pfd.fd = sig_wake_fd();
	pfd.events = POLLIN;
	CHECK_INT(poll(&pfd, 1, 0), 1);
	sig_wake_clear();
	CHECK_INT(poll(&pfd, 1, 0), 0);
	sig_release();
	CHECK(handled(SIGTERM));
	CHECK_INT(sig_caught(), SIGTERM);
	sig_release();
	CHECK(!handled(SIGTERM));
	CHECK_INT(sig_wake_fd(), -1);
	CHECK_INT(sig_catch(false), 0);
	CHECK_INT(sig_caught(), 0);           /* a new outermost call starts afresh */
	sig_release();
}

int main(void)
{
	alarm(120);
	RUN(an_ignored_signal_stays_ignored);
	RUN(signals_nest_and_wake);
	if (sig_catch(true) < 0)   /* the reaper of orphans, as in dodo auto */
		fatal("sig_catch:");
	RUN(stop_sends_sigterm_and_waits);
	RUN(sigkill_after_the_grace_period);
	RUN(a_group_outliving_its_command_is_a_server);
	RUN(a_server_ending_by_itself_is_reported_once);
	RUN(stop_sends_the_given_signal);
	RUN(a_lone_process_is_stopped_alone);
	RUN(a_lone_process_signalled_by_the_terminal);
	sig_release();
	return unit_done("groups");
}
