#ifndef DODO_REPORT_RECORD_H
#define DODO_REPORT_RECORD_H

#include <stdbool.h>

/* A reporter that prints nothing and remembers what it was told, to tell it to another
 * reporter later: the no-op run (noop.c) decides only after the run whether its answer
 * stands, and must not have printed anything when it does not.
 * Only a run where nothing failed is "clean": a failure, an error, a teardown or a custom
 * title the front-end would compute makes it dirty (the stand-in front-end keeps tasks with
 * actions from executing). */

struct graph;
struct reporter;

/* A new recording reporter (free with reporter_free). */
struct reporter *reporter_record_new(struct graph *g);

/* Did the run go without failures, errors, teardowns and custom titles? */
bool reporter_record_clean(const struct reporter *r);

/* Tell `to` what r recorded, in order, including the end of the run. */
void reporter_record_replay(const struct reporter *r, struct reporter *to);

#endif
