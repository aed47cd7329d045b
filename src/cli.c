#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Does name (len bytes) start long option name a? Exact: is it all of a? */
static bool prefixes(const char *a, const char *name, size_t len, bool *exact)
{
	if (!a || strncmp(a, name, len) != 0 || strlen(a) < len)
		return false;
	*exact = strlen(a) == len;
	return true;
}

/* Python getopt's long_has_args: the option whose long name (or inverse name) is name or
 * starts with it uniquely; *inverse tells it was the inverse name, *full is the name
 * matched. NULL with the message in e when none or several match. */
static const struct optdef *find_long(const struct opts *o, const char *name, size_t len,
                                      bool *inverse, const char **full, struct err *e)
{
	const struct optdef *found = NULL;
	size_t i, n = 0;
	bool exact;

	for (i = 0; i < o->n; i++) {
		const struct optdef *d = &o->defs[i];
		int k;
		for (k = 0; k < 2; k++) {
			const char *ln = k ? d->inverse : d->long_;
			if (!prefixes(ln, name, len, &exact))
				continue;
			if (exact) {
				*inverse = k;
				*full = ln;
				return d;
			}
			n++;
			found = d;
			*inverse = k;
			*full = ln;
		}
	}
	if (n == 1)
		return found;
	seterr(e, 3, "Error parsing Command: option --%.*s %s", (int)len, name,
	       n ? "not a unique prefix" : "not recognized");
	return NULL;
}

static const struct optdef *find_short(const struct opts *o, char c)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (o->defs[i].short_ == c)
			return &o->defs[i];
	return NULL;
}

static struct optval *val_of(struct opts *o, const struct optdef *d)
{
	return &o->v[d - o->defs];
}

/* doit's CmdOption.validate_choice. */
static int check_choice(const struct optdef *d, const char *text, struct err *e)
{
	struct buf b = {0};
	size_t i;

	if (!d->choices)
		return 0;
	for (i = 0; d->choices[i]; i += 2)
		if (strcmp(d->choices[i], text) == 0 || strcmp(d->choices[i], "*") == 0)
			return 0;
	for (i = 0; d->choices[i]; i += 2)
		buf_printf(&b, "%s'%s'", i ? ", " : "", d->choices[i]);
	seterr(e, 3, "Error parsing parameter '%s'. Provided '%s' but available choices are: "
	       "%s.", d->name, text, buf_str(&b));
	buf_free(&b);
	return -1;
}

/* doit's str2boolean: 1 / 0, or -1 when text is not a boolean. */
static int boolean_of(const char *text)
{
	static const char *const yes[] = {"1", "yes", "true", "on"}, *const no[] = {"0", "no",
	                                  "false", "off"};
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(text, yes[i]) == 0)
			return 1;
		if (strcasecmp(text, no[i]) == 0)
			return 0;
	}
	return -1;
}

static int set_bool(struct opts *o, const struct optdef *d, const char *text, bool given,
                    struct err *e)
{
	struct optval *v = val_of(o, d);
	int b = boolean_of(text);

	if (b < 0)
		return seterr(e, 3, "Error parsing parameter '%s' <class 'bool'>.\n"
		              "Not a boolean: %s\n", d->name, text);
	v->num = b;
	v->set = true;
	v->given |= given;
	return 0;
}

static int set_value(struct opts *o, const struct optdef *d, const char *text, bool given,
                     struct err *e)
{
	struct optval *v = val_of(o, d);
	char *end;

	if (d->type == OPT_BOOL)
		return set_bool(o, d, text, given, e);
	if (e && check_choice(d, text, e) < 0)
		return -1;
	if (d->type == OPT_INT) {
		errno = 0;
		v->num = strtol(text, &end, 10);
		if (!*text || *end || errno)
			return seterr(e, 3, "Error parsing parameter '%s' <class 'int'>.\n"
			              "invalid literal for int() with base 10: '%s'\n", d->name, text);
	}
	free(v->str);
	v->str = xstrdup(text);
	v->set = true;
	v->given |= given;
	return 0;
}

static int parse_long(struct opts *o, int argc, char **argv, int *i, struct err *e)
{
	const char *arg = argv[*i] + 2, *eq = strchr(arg, '='), *full;
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	bool inverse;
	const struct optdef *d = find_long(o, arg, len, &inverse, &full, e);

	if (!d)
		return -1;
	if (d->type == OPT_BOOL) {
		if (eq)
			return seterr(e, 3, "Error parsing Command: option --%s must not have "
			              "an argument", full);
		val_of(o, d)->num = !inverse;
		val_of(o, d)->set = val_of(o, d)->given = true;
		return 0;
	}
	if (eq)
		return set_value(o, d, eq + 1, true, e);
	if (*i + 1 >= argc)
		return seterr(e, 3, "Error parsing Command: option --%s requires argument", full);
	return set_value(o, d, argv[++*i], true, e);
}

static int parse_short(struct opts *o, int argc, char **argv, int *i, struct err *e)
{
	const char *p = argv[*i] + 1;

	for (; *p; p++) {
		const struct optdef *d = find_short(o, *p);
		if (!d)
			return seterr(e, 3, "Error parsing Command: option -%c not recognized", *p);
		if (d->type == OPT_BOOL) {
			val_of(o, d)->num = 1;
			val_of(o, d)->set = val_of(o, d)->given = true;
			continue;
		}
		if (p[1])
			return set_value(o, d, p + 1, true, e);
		if (*i + 1 >= argc)
			return seterr(e, 3, "Error parsing Command: option -%c requires argument", *p);
		return set_value(o, d, argv[++*i], true, e);
	}
	return 0;
}

/* Python's repr() of a str (the bytes of argv taken as text). */
static void repr(struct buf *b, const char *s)
{
	char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
	const unsigned char *p;

	buf_putc(b, q);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '\\' || *p == (unsigned char)q)
			buf_printf(b, "\\%c", *p);
		else if (*p == '\n')
			buf_puts(b, "\\n");
		else if (*p == '\r')
			buf_puts(b, "\\r");
		else if (*p == '\t')
			buf_puts(b, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			buf_printf(b, "\\x%02x", *p);
		else
			buf_putc(b, *p);
	}
	buf_putc(b, q);
}

/* doit's messages quote the arguments (without the variables) as a Python list. */
static void quote_args(struct err *e, int argc, char **argv)
{
	struct buf b = {0};
	int i, n = 0;

	if (strncmp(e->msg, "Error parsing Command", 21) != 0)
		return;
	buf_puts(&b, " (parsing options: [");
	for (i = 0; i < argc; i++) {
		if (argv[i][0] != '-' && strchr(argv[i], '='))
			continue;
		buf_puts(&b, n++ ? ", " : "");
		repr(&b, argv[i]);
	}
	buf_puts(&b, "])");
	strncat(e->msg, buf_str(&b), sizeof(e->msg) - strlen(e->msg) - 1);
	buf_free(&b);
}

int opts_parse(struct opts *o, const struct optdef *defs, int argc, char **argv,
               struct err *e)
{
	struct vec rest = {0};
	int i;
	bool opts_done = false;

	memset(o, 0, sizeof(*o));
	o->defs = defs;
	while (defs[o->n].name)
		o->n++;
	o->v = xcalloc(o->n, sizeof(*o->v));
	for (i = 0; (size_t)i < o->n; i++) {
		o->v[i].def = &defs[i];
		if (defs[i].def)
			set_value(o, &defs[i], defs[i].def, false, NULL);
		o->v[i].set = false;
	}
	for (i = 0; (size_t)i < o->n; i++) {
		const char *env = defs[i].env ? getenv(defs[i].env) : NULL;
		if (env && set_value(o, &defs[i], env, true, e) < 0)
			return -1;
	}
	/* doit takes the variables out first: an option's value is never one */
	for (i = 0; i < argc; i++)
		vec_push(argv[i][0] != '-' && strchr(argv[i], '=') ? &o->vars : &rest, argv[i]);
	argc = (int)rest.n;
	argv = (char **)rest.v;
	for (i = 0; i < argc; i++) {
		char *a = argv[i];
		if (opts_done || a[0] != '-' || !a[1]) {
			opts_done = true;
			vec_push(&o->args, a);
			continue;
		}
		if (strcmp(a, "--") == 0) {
			opts_done = true;
			continue;
		}
		if ((a[1] == '-' ? parse_long(o, argc, argv, &i, e) :
		     parse_short(o, argc, argv, &i, e)) < 0) {
			quote_args(e, argc, argv);
			vec_free(&rest);
			return -1;
		}
	}
	vec_free(&rest);
	return 0;
}

void opts_free(struct opts *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free(o->v[i].str);
		vec_free(&o->v[i].list);
	}
	free(o->v);
	vec_free(&o->args);
	vec_free(&o->vars);
}

struct optval *opts_get(struct opts *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (strcmp(o->defs[i].name, name) == 0)
			return &o->v[i];
	return NULL;
}

long opts_int(struct opts *o, const char *name)
{
	struct optval *v = opts_get(o, name);

	return v ? v->num : 0;
}

const char *opts_str(struct opts *o, const char *name)
{
	struct optval *v = opts_get(o, name);

	return v ? v->str : NULL;
}

bool opts_given(struct opts *o, const char *name)
{
	struct optval *v = opts_get(o, name);

	return v && v->given;
}

int opts_config(struct opts *o, const char *name, const char *value, struct err *e)
{
	struct optval *v = opts_get(o, name);

	if (!v || v->given)
		return 0;
	return set_value(o, v->def, value, false, e);
}
