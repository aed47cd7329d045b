#ifndef DODO_EXPAND_H
#define DODO_EXPAND_H

#include <stdbool.h>

/* Command actions the engine expands itself: doit's old-style %-formatting of a command
 * string with only the keys every task has (targets, dependencies, changed). */

struct action;
struct cmdspec;
struct task;

/* Can the string template s be expanded natively? True when its only '%' are "%%" and
 * "%(targets)s", "%(dependencies)s", "%(changed)s". */
bool expand_template_ok(const char *s);

/* Fill spec with the command of native action a of t (a->native): the string template
 * expanded (for /bin/sh -c when a->shell, else as the only argv word), or the argv list
 * as is. doit's values: each key is its file list joined by spaces (file_dep in definition
 * order, targets, t->dep_changed). 0, or -1 when a is not native or the template has a
 * key it cannot expand. */
int action_expand_native(const struct task *t, const struct action *a, struct cmdspec *spec);

#endif
