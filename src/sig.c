#include "sig.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "util.h"

static const int caught[] = {SIGINT, SIGTERM, SIGHUP, SIGCHLD};
enum { NCAUGHT = sizeof(caught) / sizeof(caught[0]) };

static int wake[2] = {-1, -1};
static int depth;                       /* sig_catch calls not yet released */
static volatile sig_atomic_t stop_sig;
static volatile sig_atomic_t from_kernel;   /* stop_sig came from the terminal */
static struct sigaction saved[NCAUGHT];
static bool installed[NCAUGHT];

static void on_signal(int sig, siginfo_t *info, void *ctx)
{
	int saved_errno = errno;
	char c = 0;

	if (sig != SIGCHLD && !stop_sig) {
		from_kernel = info && info->si_code == SI_KERNEL;
		stop_sig = sig;
	}
	if (wake[1] >= 0 && write(wake[1], &c, 1) < 0) {
		/* full: a wake-up is pending anyway */
	}
	errno = saved_errno;
}

/* Put back the actions sig_catch replaced and close the pipe. */
static void restore(void)
{
	size_t i;

	for (i = 0; i < NCAUGHT; i++)
		if (installed[i])
			sigaction(caught[i], &saved[i], NULL);
	for (i = 0; i < 2; i++) {
		if (wake[i] >= 0)
			close(wake[i]);
		wake[i] = -1;
	}
	depth = 0;
}

int sig_catch(bool chld)
{
	struct sigaction sa = {0};
	size_t i;

	if (depth++ > 0)
		return 0;
	if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		depth--;
		return -1;
	}
	stop_sig = from_kernel = 0;
	sa.sa_sigaction = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NCAUGHT; i++) {
		installed[i] = false;
		if ((caught[i] == SIGCHLD && !chld) || sigaction(caught[i], NULL, &saved[i]) < 0)
			continue;
		/* ignored when dodo started (nohup, a background job of a script): kept so */
		if (caught[i] != SIGCHLD && saved[i].sa_handler == SIG_IGN)
			continue;
		sa.sa_flags = SA_SIGINFO | SA_RESTART | (caught[i] == SIGCHLD ? SA_NOCLDSTOP : 0);
		installed[i] = sigaction(caught[i], &sa, NULL) == 0;
	}
	if (chld && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		warn("warning: cannot become the reaper of orphaned processes:");
	return 0;
}

void sig_release(void)
{
	if (depth == 0 || --depth > 0)
		return;
	restore();
}

int sig_wake_fd(void)
{
	return wake[0];
}

void sig_wake_clear(void)
{
	char buf[64];

	while (wake[0] >= 0 && read(wake[0], buf, sizeof(buf)) > 0)
		;
}

int sig_caught(void)
{
	return stop_sig;
}

void sig_set_caught(int sig)
{
	if (sig && !stop_sig) {
		from_kernel = 0;
		stop_sig = sig;
	}
}

bool sig_from_terminal(void)
{
	return stop_sig && from_kernel;
}

void sig_child_reset(void)
{
	restore();
}

void sig_die(int sig)
{
	fflush(NULL);
	signal(sig, SIG_DFL);
	raise(sig);
}
