/* watch: tell `dodo auto` which watched files and folders changed.
 * Linux inotify on folders (never on files, so save-by-rename is seen), with a
 * polling fallback when inotify is unavailable or one of its limits is hit.
 * Changes are debounced into batches; each batch names each changed path once. */
#ifndef DODO_WATCH_H
#define DODO_WATCH_H

#include <stdbool.h>

struct err;
struct vec;
struct watch;

/* Create a watcher. debounce_ms: quiet period after the last change before a batch
 * is delivered (< 0: the default, 50 ms); a continuous stream of changes delays a
 * batch by at most 10 quiet periods. With inotify, a batch of a few events that
 * each left a file complete (closed after writing, renamed into place, nothing
 * created or removed and left so) is due 5 ms after the last one instead. force_poll: use the polling backend. If inotify
 * cannot be set up, warns once and polls. Returns NULL with e filled on failure. */
struct watch *watch_new(int debounce_ms, bool force_poll, struct err *e);

/* Free w and everything it holds (NULL is fine). */
void watch_free(struct watch *w);

/* Polling backend: stat watched paths every ms milliseconds (default 200; < 1: default). */
void watch_set_poll_interval(struct watch *w, int ms);

/* Watch path: a file (its folder is watched, so atomic save-by-rename is seen) or a
 * folder (its entries; with recursive, the whole tree, new sub-folders included).
 * The path may not exist yet: the nearest existing ancestor is watched and the path
 * picked up when it appears. Paths are normalised lexically ("a//b/./c/" -> "a/b/c");
 * relative paths are taken from the working directory, which must not change.
 * Returns 0, or -1 with e filled when nothing at all can be watched for path (it
 * stays registered and is retried as folders appear). */
int watch_add(struct watch *w, const char *path, bool recursive, struct err *e);

/* Forget every path and discard undelivered changes (before re-adding after a
 * task-file reload). The backend in use stays in use. */
void watch_clear(struct watch *w);

/* A descriptor to poll() for readiness (then call watch_wait with timeout 0), or -1
 * with the polling backend. Ask again after watch_add and watch_wait: a limit hit
 * there switches w to polling for good. */
int watch_fd(struct watch *w);

/* Milliseconds until watch_wait(w, 0, ...) may have something to do without the
 * descriptor becoming readable (a batch falling due, the next poll), or -1: never. */
int watch_timeout_ms(const struct watch *w);

/* Wait up to timeout_ms (-1: forever) for a debounced batch of changes. Appends the
 * changed paths to changed (malloc'd strings, the caller frees them) and returns their
 * count; 0 on timeout or when a signal interrupted the wait (undelivered changes stay
 * queued for the next call); -1 with e filled on error. A changed path is a watched
 * path as normalised by watch_add, or for a watched folder the path of the entry in
 * it that changed; changes to unwatched entries of a watched file's folder are
 * filtered out. After a lost-event situation (inotify queue overflow, a switch to
 * polling), watched folders are reported as a whole by their own path. */
int watch_wait(struct watch *w, int timeout_ms, struct vec *changed, struct err *e);

/* The backend in use: "inotify" or "poll". */
const char *watch_backend(const struct watch *w);

/* Testing aid: behave as if the kernel refused new inotify watches (ENOSPC,
 * max_user_watches) once w holds max_watches of them; 0 lifts the limit. */
void watch_set_watch_limit(struct watch *w, int max_watches);

#endif
