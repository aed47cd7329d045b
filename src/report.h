#ifndef DODO_REPORT_H
#define DODO_REPORT_H

#include <stdbool.h>
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
	/* Before the run: the selected task names (doit's initialize). Optional. */
	void (*initialize)(struct reporter *r, const struct vec *selected);
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
	bool colour;                /* console: colour the lines (a terminal, no NO_COLOR) */
	bool buffers_stdio;         /* json: stands in for stdout and stderr (doit swaps
	                             * sys.stdout/stderr for buffers, copied by the -P
	                             * process workers it forks, so what they print is lost) */
	void *ctx;                  /* reporter-specific data */
};

/* A reporter by doit's name ("console", "executed-only", "zero", ...), writing to out.
 * Returns NULL when the name is unknown. */
struct reporter *reporter_new(const char *name, struct graph *g, FILE *out,
                              int failure_verbosity);
void reporter_free(struct reporter *r);

/* Tell the reporter the selected tasks before the run starts (NULL is fine). */
void reporter_initialize(struct reporter *r, const struct vec *selected);

/* On a terminal (out is a tty, NO_COLOR unset, TERM not dumb): wrap a console reporter
 * with colour and a live progress line kept on the terminal's last row, outside the
 * scrolling region, so task output never runs into it (report_tty.c). Returns inner
 * itself when out is not such a terminal. */
struct reporter *reporter_tty(struct reporter *inner);

/* doit's json reporter (report_json.c): everything the run prints to stdout and stderr is
 * captured; one JSON document goes to out at the end. */
struct reporter *reporter_json_new(struct graph *g, FILE *out, int failure_verbosity);

/* Names of the built-in reporters, NULL-terminated. */
extern const char *const reporter_names[];
/* The --reporter option's choices for run and auto (name, help pairs). */
extern const char *const reporter_choices[];

#endif
