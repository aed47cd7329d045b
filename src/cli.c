#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct optdef *find_long(const struct opts *o, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (o->defs[i].long_ && strlen(o->defs[i].long_) == len &&
		    strncmp(o->defs[i].long_, name, len) == 0)
			return &o->defs[i];
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

static int set_value(struct opts *o, const struct optdef *d, const char *text, bool given,
                     struct err *e)
{
	struct optval *v = val_of(o, d);
	char *end;

	if (d->type == OPT_INT) {
		errno = 0;
		v->num = strtol(text, &end, 10);
		if (!*text || *end || errno)
			return seterr(e, 3, "Error parsing parameter '%s' <class 'int'>.\n"
			              "invalid literal for int() with base 10: '%s'", d->name, text);
	}
	free(v->str);
	v->str = xstrdup(text);
	v->set = true;
	v->given |= given;
	return 0;
}

static int parse_long(struct opts *o, int argc, char **argv, int *i, struct err *e)
{
	const char *arg = argv[*i] + 2, *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct optdef *d = find_long(o, arg, len);

	if (!d)
		return seterr(e, 3, "Error parsing Command: option --%.*s not recognized "
		              "(parsing options: %s)", (int)len, arg, "");
	if (d->type == OPT_BOOL) {
		if (eq)
			return seterr(e, 3, "Error parsing Command: option --%s must not have "
			              "an argument", d->long_);
		val_of(o, d)->num = 1;
		val_of(o, d)->set = val_of(o, d)->given = true;
		return 0;
	}
	if (eq)
		return set_value(o, d, eq + 1, true, e);
	if (*i + 1 >= argc)
		return seterr(e, 3, "Error parsing Command: option --%s requires argument",
		              d->long_);
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

/* doit's messages quote the remaining arguments as a Python list. */
static void quote_args(struct err *e, int argc, char **argv, int from)
{
	struct buf b = {0};
	int i;

	buf_puts(&b, " (parsing options: [");
	for (i = from; i < argc; i++)
		buf_printf(&b, "%s'%s'", i > from ? ", " : "", argv[i]);
	buf_puts(&b, "])");
	if (strstr(e->msg, " (parsing options: )"))
		*strstr(e->msg, " (parsing options: )") = '\0';
	if (strncmp(e->msg, "Error parsing Command", 21) == 0)
		strncat(e->msg, buf_str(&b), sizeof(e->msg) - strlen(e->msg) - 1);
	buf_free(&b);
}

int opts_parse(struct opts *o, const struct optdef *defs, int argc, char **argv,
               struct err *e)
{
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
	for (i = 0; i < argc; i++) {
		char *a = argv[i];
		if (a[0] != '-' && strchr(a, '=')) {
			vec_push(&o->vars, a);
			continue;
		}
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
			quote_args(e, argc, argv, 0);
			return -1;
		}
	}
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
	if (v->def->type == OPT_BOOL) {
		v->num = strcmp(value, "True") == 0 || strcmp(value, "1") == 0 ||
		         strcmp(value, "true") == 0;
		v->set = true;
		return 0;
	}
	return set_value(o, v->def, value, false, e);
}
