#ifndef DODO_DISPATCH_H
#define DODO_DISPATCH_H

#include <stdbool.h>

#include "util.h"

/* The order in which tasks are offered to the runner: doit's TaskDispatcher (control.py)
 * as a state machine, so the same dodo.py runs its tasks in the same order. */

struct graph;
struct task;

enum run_status { RS_NONE, RS_RUN, RS_IGNORE, RS_UPTODATE, RS_FAILURE, RS_SUCCESS };

struct dnode {
	struct task *task;
	struct dnode *parent;       /* the node that first asked for it: cycle detection */
	struct vec task_dep;        /* char * names not yet processed (borrowed) */
	struct vec calc_dep;        /* idem */
	struct ptrset wait_run;     /* struct dnode * still to finish */
	struct ptrset wait_run_calc;
	struct vec waiting_me;      /* struct dnode *, in the order they started waiting */
	struct ptrset waiting_set;  /* the same, for membership */
	struct vec bad_deps;        /* struct dnode * that failed */
	struct vec ignored_deps;
	enum run_status run_status;
	bool wait_select, in_waiting;
	int phase;
};

struct dispatch;

/* A dispatcher over the selected task names (borrowed; each must exist in g). */
struct dispatch *dispatch_new(struct graph *g, const struct vec *selected);
void dispatch_free(struct dispatch *d);

/* The next node for the runner, after it handled `processed` (NULL the first time, and
 * when nothing finished since the last call). Returns 1 with *out set, 0 when done,
 * DISPATCH_HOLD when every remaining task waits for a running one, -1 with e (cycles:
 * doit's message, code 3; errors from delayed task creation). */
#define DISPATCH_HOLD 2
int dispatch_next(struct dispatch *d, struct dnode *processed, struct dnode **out,
                  struct err *e);

/* Tell the dispatcher the runner is done with `processed` (doit's send(node)); the same
 * as passing it to the next dispatch_next. 0 or -1 with e. */
int dispatch_update(struct dispatch *d, struct dnode *processed, struct err *e);

/* Apply finished calc_dep results to a node's task (used when a calc_dep finishes). */
struct dnode *dispatch_node(struct dispatch *d, const char *name);

#endif
