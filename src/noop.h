#ifndef DODO_NOOP_H
#define DODO_NOOP_H

#include <stdbool.h>

/* The no-op run without loading the task file. After a normal load, `run` stores the
 * graph with everything the load read (graphcache.h, inputs.h) in the state file. The
 * next `run` checks those inputs first: when none changed it rebuilds the graph from the
 * store, with a stand-in front-end, and runs it in a state transaction with a recording
 * reporter. Anything that needs the task file's interpreter (a task to execute, an
 * uptodate callable, calc_dep, delayed tasks, task options, a custom title, a failure)
 * makes the whole run start again normally (NOOP_AGAIN): nothing was executed, the state
 * is rolled back and nothing was printed. Any doubt means loading the task file.
 * DODO_NOOP=0 turns all this off; DODO_DEBUG_LOAD=1 tells on stderr what happens. */

struct cmd_env;
struct graph;
struct optdef;
struct opts;
struct reporter;
struct state;
struct vec;

/* Returned by noop_finish (and used by cmd_run): redo the run, loading the task file. */
#define NOOP_AGAIN (-2)

/* The meta key of the stored graph in the state file. */
#define NOOP_META_KEY "noop.graph"

struct noop;
struct noop_save;

/* Is the no-op cache wanted (DODO_NOOP is not "0")? */
bool noop_enabled(void);

/* Before loading: the stored graph when it is current. On success: g filled (g->fe is a
 * stand-in front-end), o configured as the load would have (configuration files,
 * DOIT_CONFIG), def_tasks filled, the current folder the load's, the state file open in
 * a batch (see noop_state). NULL when the task file must be loaded: nothing changed. A
 * state file locked by another dodo is not waited for here (the normal run waits). */
struct noop *noop_load(struct cmd_env *env, struct opts *o, struct graph *g,
                       struct vec *def_tasks);

/* The state file noop_load opened; the caller owns it from now on. */
struct state *noop_state(struct noop *n);

/* The reporter for the run: one that records (reporter name: the one to print with
 * later). NULL when that reporter is not a built-in one. */
struct reporter *noop_reporter(struct noop *n, const char *name);

/* After run_tasks returned rc: when the run only found tasks up to date, commit the state,
 * print what it reported (to the output file or stdout, with the reporter o names) and
 * return rc; else roll the state back and return NOOP_AGAIN. */
int noop_finish(struct noop *n, int rc, struct state *st, struct reporter *rec,
                struct opts *o, const struct vec *sel);

/* Free n (NULL is fine). again: the run starts over, so put back the current folder and
 * the configuration as they were before noop_load. */
void noop_free(struct noop *n, bool again);

/* After a normal load by cmd_load (g as it left it; o configured; defs, argc, argv: the
 * command line it was parsed from): what to store, or NULL when nothing is to change. */
struct noop_save *noop_capture(struct cmd_env *env, const struct optdef *defs, int argc,
                               char **argv, struct opts *o, struct graph *g,
                               const struct vec *def_tasks);

/* Store what noop_capture made in st (or forget a stored graph that this load could not
 * replace); frees s. NULL is fine. Errors are only told with DODO_DEBUG_LOAD. */
void noop_store(struct noop_save *s, struct state *st);

void noop_save_free(struct noop_save *s);

#endif
