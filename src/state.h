#ifndef DODO_STATE_H
#define DODO_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;
struct buf;

/* The persistent state of past runs (doit's .doit.db), in an SQLite file. */
struct state;

/* The default state file, relative to the folder of the task file. */
#define STATE_DEFAULT_FILE ".dodo.db"

/* What was known about one file_dep when its task last succeeded. */
struct filesig {
	char *path;
	int64_t mtime_ns;
	int64_t size;
	uint64_t ino;
	uint64_t hash;     /* XXH3 64 of the contents, valid when has_hash */
	bool has_hash;
	bool racy;         /* the stat was racy (fs.h): only the hash can show the file
	                    * unchanged; a task with such a dep is saved without depsig */
};

/* One task's record. found: a success is saved (checker, deps, values_json and
   result are from it). ignored is independent of found. Strings are NULL when
   not stored; deps are sorted by path (byte order). */
struct task_record {
	bool found;
	char *checker;
	struct filesig *deps;       /* sorted by path (strcmp order) */
	size_t ndeps;
	char *values_json;
	char *result;
	bool ignored;
	bool has_depsig;            /* depsig was saved with the deps (none is when one is racy) */
	uint64_t depsig;            /* depsig_add() over the deps in file_dep order */
	bool deps_loaded;           /* deps are read (state_load_head leaves them) */
	bool deps_match;            /* set by plan_deps_match: every dep is as saved */
	int64_t id;                 /* row of the task, for state_load_deps */
};

enum {
	STATE_READONLY = 1,  /* no writes, shared lock; a missing/corrupt/old file reads as empty */
	STATE_NOLOCK = 2,    /* take no flock() at all (tools, tests) */
};

/* Open or create the state file. lock_timeout_ms: how long to wait for another dodo
   holding it (negative: forever). A corrupt file is moved to "<path>.corrupt" with a
   warning and a fresh one is created. Returns NULL with e filled (code 3) on error:
   in use, foreign or newer database, unwritable folder. ":memory:" works (unit tests). */
struct state *state_open(const char *path, int flags, int lock_timeout_ms, struct err *e);

/* Roll back an open batch, close the database, release the lock, free everything. NULL is fine. */
void state_close(struct state *st);

/* The path given to state_open() (owned by st). */
const char *state_path(const struct state *st);

/* Load one task's record into *out (always initialised; found=false when no success
   is saved). Caller frees with task_record_free(). 0, or -1 with e filled (code 3). */
int state_load(struct state *st, const char *task, struct task_record *out, struct err *e);

/* state_load without the deps (deps_loaded false when found). */
int state_load_head(struct state *st, const char *task, struct task_record *out,
                    struct err *e);

/* Read the deps of a record from state_load_head, if not read yet. 0 or -1. */
int state_load_deps(struct state *st, struct task_record *rec, struct err *e);

/* One step of a task's dep signature digest: acc of the deps before, then
   this dep's path and stat. Saved with each success, in file_dep order. */
uint64_t depsig_add(uint64_t acc, const char *path, int64_t mtime_ns, int64_t size,
                    uint64_t ino);

/* Free the contents of a record from state_load() and zero it. */
void task_record_free(struct task_record *r);

/* Replace a task's saved success (keeps its ignored flag). Committed (durable against
   a crash of dodo) before returning, unless inside state_begin(). 0 or -1 (code 3). */
int state_save_success(struct state *st, const char *task, const char *checker,
                       const struct filesig *deps, size_t ndeps,
                       const char *values_json, const char *result, struct err *e);

/* Forget a task's success (doit's remove_success); keeps the ignored flag. 0 or -1. */
int state_remove_success(struct state *st, const char *task, struct err *e);

/* Set or clear a task's ignored flag (doit's ignore command). 0 or -1 (code 3). */
int state_set_ignored(struct state *st, const char *task, bool ignored, struct err *e);

/* Forget everything about a task (doit forget), or about all tasks when task is NULL.
   The meta table is kept. 0 or -1 (code 3). */
int state_forget(struct state *st, const char *task, struct err *e);

/* Call fn for every stored task name in byte order; a nonzero return from fn stops
   the walk and is returned. -1 with e filled on a database error. fn must not
   modify the state. */
int state_foreach_task(struct state *st, int (*fn)(void *arg, const char *name),
                       void *arg, struct err *e);

/* Call fn with every stored task's record as state_load_head gives it, in no
   particular order; fn owns rec's contents (task_record_free). fn must not
   use the state. 0, or -1 with e filled on a database error (fn may have
   had some of the records). */
int state_foreach_head(struct state *st, void (*fn)(void *arg, const char *name,
                       struct task_record *rec), void *arg, struct err *e);

/* Replace out's contents with the meta value of key; *found tells whether it exists.
   0 or -1 with e filled (code 3). */
int state_meta_get(struct state *st, const char *key, struct buf *out, bool *found,
                   struct err *e);

/* Store n bytes as the meta value of key (committed unless inside state_begin()). 0 or -1. */
int state_meta_put(struct state *st, const char *key, const void *val, size_t n,
                   struct err *e);

/* Delete key from the meta table (no error when absent). 0 or -1 (code 3). */
int state_meta_del(struct state *st, const char *key, struct err *e);

/* Start a batch: later writes share one transaction until state_commit(). Batches
   do not nest. 0 or -1 (code 3). */
int state_begin(struct state *st, struct err *e);

/* Commit the batch opened by state_begin(). 0 or -1 (code 3; the batch is rolled back). */
int state_commit(struct state *st, struct err *e);

/* Abandon the batch opened by state_begin(). */
void state_rollback(struct state *st);

#endif
