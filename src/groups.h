#ifndef DODO_GROUPS_H
#define DODO_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The process groups of what dodo started: a running task's command (each in its own
 * group, so that stopping it reaches the processes it started too), the servers `dodo
 * auto` leaves running (long-running actions, what a command started in the
 * background); how they are stopped (a signal, a grace period, SIGKILL, then waiting
 * until none of their processes is left). */

struct vec;

struct groups;

/* A registry of process groups; grace_ms: how long the stopping signal has before
 * SIGKILL. */
struct groups *groups_new(int grace_ms);
/* Free the registry (NULL is fine); the processes are left alone: stop them first. */
void groups_free(struct groups *gs);

/* Track the process group pgid, whose leader (pid pgid) is our child, for task. server:
 * started to keep running (a long-running action); else a command still expected to
 * exit, which becomes a server if its group outlives it (groups_exited). */
void groups_add(struct groups *gs, const char *task, pid_t pgid, bool server);
/* Track our child pid, which stayed in dodo's process group (it shares the terminal
 * with dodo): stopping it signals and waits for that process alone. has_sig: it got
 * the stopping signal already (the terminal sent it to the whole group, dodo's Ctrl-C):
 * not sent twice (a second Ctrl-C would cut its clean-up short); SIGKILL still comes
 * after the grace period. */
void groups_add_process(struct groups *gs, const char *task, pid_t pid, bool has_sig);
/* The leader of pgid exited and was reaped by the caller: if processes are left in its
 * group, they are a server of its task; otherwise the group is forgotten. */
void groups_exited(struct groups *gs, pid_t pgid);
/* Whether task has a server running. */
bool groups_has_server(const struct groups *gs, const char *task);
/* How many groups are tracked. */
size_t groups_count(const struct groups *gs);

/* Stop every tracked group whose task pick() accepts (pick NULL: all): sig (SIGTERM,
 * or the signal that stops dodo) and SIGCONT to each group, SIGKILL to those left after
 * the grace period, then wait until no process is left in them. Reaps only processes
 * of those groups, so it may be called while other children run. The tasks of the
 * stopped servers are appended to stopped (malloc'd names, once each; NULL: not
 * wanted). Returns how many groups were stopped. */
int groups_stop(struct groups *gs, bool (*pick)(void *arg, const char *task), void *arg,
                int sig, struct vec *stopped);

/* Reap every exited child (call only when no other child of dodo is awaited). Servers
 * whose whole group ended on its own are reported on stderr, forgotten, and their
 * tasks appended to ended (malloc'd names). */
void groups_reap(struct groups *gs, struct vec *ended);

#endif
