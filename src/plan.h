#ifndef DODO_PLAN_H
#define DODO_PLAN_H

#include <stdbool.h>

#include "util.h"

/* Up-to-date decisions, as doit makes them (dependency.py get_status), with the file
 * system and shell checks behind an interface so unit tests can fake them. */

struct graph;
struct node;
struct task;
struct task_record;
struct filesig;
struct fsinfo;

enum checker { CHECK_MD5, CHECK_TIMESTAMP };

struct plan_io {
	/* Stat a path: 0 (fills fi; fi->exists false when missing) or -1 with e. */
	int (*stat)(void *ctx, const char *path, struct fsinfo *fi, struct err *e);
	/* Hash a file's contents: 0 or -1 with e. */
	int (*hash)(void *ctx, const char *path, uint64_t *h, struct err *e);
	/* Run a shell command with no output: its exit status, or -1. */
	int (*shell)(void *ctx, const char *cmd);
	void *ctx;
	/* The time now, in ns since the epoch (the clock of mtimes); NULL: the real one. */
	int64_t (*now)(void *ctx);
};

/* The real file system and /bin/sh. */
extern const struct plan_io plan_io_real;

enum status { STATUS_UPTODATE, STATUS_RUN, STATUS_ERROR };

/* Why a task is not up to date (for `info`). */
enum reason_kind {
	R_UPTODATE_FALSE, R_NO_DEPS, R_MISSING_TARGET, R_CHECKER_CHANGED, R_ADDED_DEP,
	R_REMOVED_DEP, R_CHANGED_DEP, R_MISSING_DEP,
};
struct reason {
	enum reason_kind kind;
	char *detail;   /* path or text, malloc'd */
};

struct plan {
	struct graph *g;
	const struct plan_io *io;
	enum checker checker;
	bool get_log;           /* collect every reason instead of stopping at the first */
	/* results of plan_status */
	enum status status;
	char *error;            /* STATUS_ERROR: message, malloc'd */
	bool forget;            /* the saved state must be dropped (checker changed) */
	struct vec reasons;     /* struct reason *, when get_log */
};

/* The name doit stores for a checker ("MD5Checker" / "TimestampChecker"). */
const char *checker_name(enum checker c);

/* Decide whether t is up to date given its saved record (may be !found). Sets p->status,
 * fills t->dep_changed. Returns 0, or -1 with e for an error in an uptodate callable. */
int plan_status(struct plan *p, struct task *t, const struct task_record *rec, struct err *e);

/* Compare the saved depsig of rec (from state_load_head) with the file_deps'
   stat now (through the stat cache); sets rec->deps_match, which lets
   plan_status skip the per-file comparison. 1 match, 0 no (load the deps and
   compare file by file), -1 error. */
int plan_deps_match(struct plan *p, struct task *t, struct task_record *rec, struct err *e);

/* Signatures of t's file_dep to save after a successful run, reusing saved hashes when
 * the stat did not change; one whose stat is racy (fs.h) is marked so. *out is malloc'd
 * (paths borrowed from the graph). Returns 0, or -1 with doit's "Dependent file '%s'
 * does not exist" in e. */
int plan_signatures(struct plan *p, struct task *t, const struct task_record *rec,
                    struct filesig **out, size_t *n, struct err *e);

/* t's file_dep as its actions start (*n of them, in file_dep order): their stat, and
 * the contents' hash of the racy ones. Never fails: a dep that cannot be read gets a
 * zero signature (so the task stays out of date). malloc'd (NULL without file_dep). */
struct filesig *plan_snapshot(struct plan *p, struct task *t, size_t *n);

/* plan_signatures after t's actions ran, with before from plan_snapshot (nbefore of
 * them; NULL, 0: none): a dep whose stat moved since is saved as it was before, without
 * hash, which the next check finds changed (the actions may have read either version). */
int plan_signatures_after(struct plan *p, struct task *t, const struct task_record *rec,
                          const struct filesig *before, size_t nbefore,
                          struct filesig **out, size_t *n, struct err *e);

/* Fill the stat cache of nodes (struct node *) with up to nthreads threads
   (stat is a system call each: a no-op of many files is mostly these) while
   the caller does something else; plan_prefetch_finish joins in with the
   calling thread and waits. The graph must not change in between. Only with
   plan_io_real (NULL otherwise); a node that cannot be stat'd is left to
   plan_stat, which reports the error. */
struct prefetch;
struct prefetch *plan_prefetch_start(struct plan *p, const struct vec *nodes, int nthreads);
void plan_prefetch_finish(struct prefetch *pf);

/* Stat through the graph's cache (valid until the graph epoch changes). */
int plan_stat(struct plan *p, struct node *n, struct err *e);

void plan_clear(struct plan *p);

#endif
