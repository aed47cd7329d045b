#ifndef DODO_CLI_H
#define DODO_CLI_H

#include <stdbool.h>

#include "util.h"

/* Command-line options as doit parses them (getopt: options first, then positional
 * arguments; `name=value` arguments are variables), with DOIT_CONFIG defaults. */

enum opt_type { OPT_BOOL, OPT_INT, OPT_STR };

struct optdef {
	const char *name;       /* config key (doit's option name) */
	char short_;            /* 0: none */
	const char *long_;      /* NULL: none */
	enum opt_type type;
	const char *def;        /* default value as text (NULL: none) */
	const char *help;       /* doit's text; "%(default)s" shows the default */
	const char *env;        /* environment variable that sets it (as given), or NULL */
	const char *inverse;    /* OPT_BOOL: long name that clears it, or NULL */
	const char *const *choices;     /* allowed values: name, description pairs,
	                                 * NULL-terminated (a name "*" admits any value,
	                                 * checked later); or NULL for any */
};

struct optval {
	const struct optdef *def;
	bool given;             /* on the command line */
	bool set;               /* given or from configuration */
	char *str;              /* text value (OPT_STR / OPT_INT) */
	long num;               /* OPT_INT / OPT_BOOL */
	struct vec list;        /* configuration lists (default_tasks), char * */
};

struct opts {
	const struct optdef *defs;
	size_t n;
	struct optval *v;
	struct vec args;        /* positional arguments, borrowed from argv */
	struct vec vars;        /* "name=value" arguments, borrowed */
};

/* Parse argv (after the command name) against defs (terminated by name == NULL).
 * Returns 0, or -1 with doit's message in e (code 3). */
int opts_parse(struct opts *o, const struct optdef *defs, int argc, char **argv,
               struct err *e);
void opts_free(struct opts *o);

struct optval *opts_get(struct opts *o, const char *name);
/* Value helpers: the option's value (command line, configuration, then default). */
long opts_int(struct opts *o, const char *name);
const char *opts_str(struct opts *o, const char *name);
bool opts_given(struct opts *o, const char *name);

/* Set an option from configuration unless the command line gave it. Returns 0 or -1
 * with doit's message when the value does not parse. */
int opts_config(struct opts *o, const char *name, const char *value, struct err *e);

#endif
