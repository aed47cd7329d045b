#ifndef DODO_REPORT_H
#define DODO_REPORT_H

#include <stdio.h>

#include "util.h"

/* Reporters: what the user sees of a run. The console reporter prints doit's lines. */

struct graph;
struct task;
struct outcome;
struct reporter;

struct reporter_ops {
	void (*get_status)(struct reporter *r, struct task *t);
	void (*execute_task)(struct reporter *r, struct task *t);
	void (*add_failure)(struct reporter *r, struct task *t, const struct outcome *o);
	void (*add_success)(struct reporter *r, struct task *t);
	void (*skip_uptodate)(struct reporter *r, struct task *t);
	void (*skip_ignore)(struct reporter *r, struct task *t);
	void (*teardown_task)(struct reporter *r, struct task *t);
	void (*cleanup_error)(struct reporter *r, const char *msg);
	void (*runtime_error)(struct reporter *r, const char *msg);
	void (*complete_run)(struct reporter *r);
	void (*free)(struct reporter *r);
};

struct failure {
	struct task *task;
	char *kind, *msg;
};

struct reporter {
	const struct reporter_ops *ops;
	struct graph *g;
	FILE *out;
	int failure_verbosity;
	struct vec failures;        /* struct failure * */
	struct vec runtime_errors;  /* char * */
	void *ctx;                  /* reporter-specific data */
};

/* A reporter by doit's name ("console", "executed-only", "zero", ...), writing to out.
 * Returns NULL when the name is unknown. */
struct reporter *reporter_new(const char *name, struct graph *g, FILE *out,
                              int failure_verbosity);
void reporter_free(struct reporter *r);

/* doit's json reporter (report_json.c): everything the run prints to stdout and stderr is
 * captured; one JSON document goes to out at the end. */
struct reporter *reporter_json_new(struct graph *g, FILE *out, int failure_verbosity);

/* Names of the built-in reporters, NULL-terminated. */
extern const char *const reporter_names[];

#endif
