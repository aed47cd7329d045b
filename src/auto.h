/* auto: what `dodo auto` keeps between its runs, apart from the watcher (watch.h).
 * The process groups tasks left running (long-running actions, servers a command
 * started in the background), how they are stopped (SIGTERM, a grace period, SIGKILL,
 * then waiting until none of their processes is left), and the signals that wake the
 * watch loop. No Python here: cmd_auto.c puts it together with the loader. */
#ifndef DODO_AUTO_H
#define DODO_AUTO_H

#include <stdbool.h>
#include <sys/types.h>

struct vec;

/* ---- signals ---- */

/* Catch SIGCHLD, SIGINT, SIGTERM and SIGHUP, each making auto_wake_fd() readable, and
 * become the reaper of orphaned descendants (so the processes of a group left behind
 * are ours to wait for). Returns 0, or -1 with errno. */
int auto_signals_start(void);
/* Put back the handlers auto_signals_start replaced and close its descriptors. */
void auto_signals_stop(void);
/* Readable after a signal arrived; auto_wake_clear() empties it. */
int auto_wake_fd(void);
void auto_wake_clear(void);
/* The stopping signal received since auto_signals_start (SIGINT, SIGTERM, SIGHUP), or
 * 0; set: record one caught elsewhere (run_tasks). */
int auto_stop_signal(void);
void auto_set_stop_signal(int sig);

/* ---- process groups ---- */

struct groups;

/* A registry of process groups; grace_ms: how long SIGTERM has before SIGKILL. */
struct groups *groups_new(int grace_ms);
/* Free the registry (NULL is fine); the processes are left alone: stop them first. */
void groups_free(struct groups *gs);

/* Track the process group pgid, whose leader (pid pgid) is our child, for task. server:
 * started to keep running (a long-running action); else a command still expected to
 * exit, which becomes a server if its group outlives it (groups_exited). */
void groups_add(struct groups *gs, const char *task, pid_t pgid, bool server);
/* The leader of pgid exited and was reaped by the caller: if processes are left in its
 * group, they are a server of its task; otherwise the group is forgotten. */
void groups_exited(struct groups *gs, pid_t pgid);
/* Whether task has a server running. */
bool groups_has_server(const struct groups *gs, const char *task);
/* How many groups are tracked. */
size_t groups_count(const struct groups *gs);

/* Stop every tracked group whose task pick() accepts (pick NULL: all): SIGTERM to each
 * group, SIGKILL to those left after the grace period, then wait until no process is
 * left in them. Reaps only processes of those groups, so it may be called while other
 * children run. The tasks of the stopped servers are appended to stopped (malloc'd
 * names, once each; NULL: not wanted). Returns how many groups were stopped. */
int groups_stop(struct groups *gs, bool (*pick)(void *arg, const char *task), void *arg,
                struct vec *stopped);

/* Reap every exited child (call only when no other child of dodo is awaited). Servers
 * whose whole group ended on its own are reported on stderr, forgotten, and their
 * tasks appended to ended (malloc'd names). */
void groups_reap(struct groups *gs, struct vec *ended);

/* ---- paths ---- */

/* path made absolute (relative to cwd, itself absolute) and normalised lexically as
 * the watcher does: no "." components, no repeated or trailing slashes. Malloc'd. */
char *auto_path(const char *cwd, const char *path);

/* Whether a change of path is noise to `dodo auto`: Python byte-code caches and the
 * files editors write beside the file they save (swap and backup files). */
bool auto_path_ignored(const char *path);

#endif
