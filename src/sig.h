#ifndef DODO_SIG_H
#define DODO_SIG_H

#include <stdbool.h>

/* The signals that stop dodo: SIGINT (Ctrl-C), SIGTERM and SIGHUP. While tasks run or
 * `dodo auto` watches they are caught, so that dodo stops what it started and winds up
 * before it exits by the same signal. Each one (and SIGCHLD, when asked) makes a pipe
 * readable, for poll loops: no signal is lost between a check and a poll. */

/* Catch the stopping signals (not one that was ignored when dodo started, as under
 * nohup: it stays ignored); chld: SIGCHLD too, and become the reaper of orphaned
 * descendants (the processes of a group left behind are then ours to wait for). Calls
 * nest: an inner call keeps the handlers and a signal the outer one received. Returns 0,
 * or -1 with errno. */
int sig_catch(bool chld);
/* End the matching sig_catch; the outermost puts back the handlers it replaced and
 * closes the pipe. */
void sig_release(void);

/* Readable after a caught signal arrived; sig_wake_clear() empties it. -1 when none is
 * caught. */
int sig_wake_fd(void);
void sig_wake_clear(void);

/* The stopping signal received since the outermost sig_catch, or 0; set: record one as
 * received (a run inside `dodo auto` hands its signal over). */
int sig_caught(void);
void sig_set_caught(int sig);
/* Whether that signal came from the kernel, not from a process: a terminal's Ctrl-C or
 * hang-up, which its whole foreground process group got. */
bool sig_from_terminal(void);

/* In a forked child that does not exec: the actions sig_catch replaced back (the
 * default ones, as after exec), the pipe closed. */
void sig_child_reset(void);

/* Flush stdio and die of sig as a process killed by it (the exit status a shell or a
 * supervisor expects after sending it); returns only when sig does not kill. */
void sig_die(int sig);

#endif
