/* list: the tasks of the task file (doit's cmd_list). */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdctx.h"
#include "graph.h"
#include "state.h"

static const char *const sort_choices[] = {
	"name", "sort by task name",
	"definition", "list tasks in the order they were defined",
	NULL,
};

const struct optdef cmd_list_opts[] = {
	{"subtasks", 0, "all", OPT_BOOL, NULL, "list include all sub-tasks from dodo file",
	 NULL, NULL, NULL},
	{"quiet", 'q', "quiet", OPT_BOOL, NULL, "print just task name (less verbose than "
	 "default)", NULL, NULL, NULL},
	{"status", 's', "status", OPT_BOOL, NULL, "print task status (R)un, (U)p-to-date, "
	 "(I)gnored", NULL, NULL, NULL},
	{"private", 'p', "private", OPT_BOOL, NULL, "print private tasks (start with '_')",
	 NULL, NULL, NULL},
	{"list_deps", 0, "deps", OPT_BOOL, NULL, "print list of dependencies (file "
	 "dependencies only)", NULL, NULL, NULL},
	{"template", 0, "template", OPT_STR, NULL, "display entries with template", NULL, NULL, NULL},
	{"sort", 0, "sort", OPT_STR, "name", "choose the manner in which the task list is "
	 "sorted. [default: %(default)s]", NULL, NULL, sort_choices},
	{0},
};

/* Characters (not bytes) of a UTF-8 string, as Python counts them for padding. */
static size_t width_of(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* One {field[:[[fill]align][width]]} of a template; *p after the '{'. */
static int format_field(const char **p, const char *const *fields, struct buf *out,
                        struct err *e)
{
	const char *s = *p, *end = strchr(s, '}'), *colon;
	const char *value = NULL;
	char fill = ' ', align = '<';
	size_t i, w = 0, len, n;

	if (!end)
		return seterr(e, 3, "Single '{' encountered in format string");
	colon = memchr(s, ':', (size_t)(end - s));
	len = (size_t)((colon ? colon : end) - s);
	for (i = 0; fields[i]; i += 2)
		if (strlen(fields[i]) == len && strncmp(fields[i], s, len) == 0)
			value = fields[i + 1];
	if (!value)
		return seterr(e, 3, "invalid template: unknown field '%.*s' (fields: name, doc, "
		              "status)", (int)len, s);
	if (colon) {
		const char *spec = colon + 1;
		if (spec + 1 < end && strchr("<>^", spec[1])) {
			fill = spec[0];
			align = spec[1];
			spec += 2;
		} else if (spec < end && strchr("<>^", spec[0])) {
			align = *spec++;
		}
		w = strtoul(spec, NULL, 10);
	}
	n = width_of(value);
	for (i = 0; align != '<' && n < w && i < (align == '^' ? (w - n) / 2 : w - n); i++)
		buf_putc(out, fill);
	buf_puts(out, value);
	if (align == '^')
		i = w > n ? (w - n) - (w - n) / 2 : 0;
	else
		i = align == '<' && w > n ? w - n : 0;
	while (i--)
		buf_putc(out, fill);
	*p = end + 1;
	return 0;
}

/* Python's str.format for a template over the fields (name, value pairs). */
static int format_template(const char *tmpl, const char *const *fields, struct buf *out,
                           struct err *e)
{
	const char *p = tmpl;

	while (*p) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			buf_putc(out, *p);
			p += 2;
		} else if (*p == '{') {
			p++;
			if (format_field(&p, fields, out, e) < 0)
				return -1;
		} else {
			buf_putc(out, *p++);
		}
	}
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct task *x = *(struct task *const *)a, *y = *(struct task *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* The tasks to list: the named ones (with sub-tasks for --all), or all of them. */
static int select_tasks(struct cmdctx *c, struct vec *out)
{
	struct graph *g = c->g;
	bool sub = opts_int(&c->o, "subtasks");
	size_t i;
	int rc;

	if (c->o.args.n) {
		if ((rc = cmdctx_check_tasks(c, &c->o.args)) != 0)
			return rc;
		for (i = 0; i < c->o.args.n; i++) {
			struct task *t = graph_find(g, c->o.args.v[i]);
			vec_push(out, t);
			if (sub)
				cmd_subtasks(g, t, out);
		}
		return 0;
	}
	for (i = 0; i < g->tasks.n; i++) {
		struct task *t = g->tasks.v[i];
		if (sub || !t->subtask_of)
			vec_push(out, t);
	}
	return 0;
}

/* The status letter of t: I(gnored), U(p-to-date), R(un) or E(rror). */
static int status_of(struct cmdctx *c, struct task *t, const char **letter, struct err *e)
{
	struct plan p = {0};
	bool ignored;
	int rc;

	p.g = c->g;
	p.io = &plan_io_real;
	p.checker = c->checker;
	rc = cmdctx_status(c, &p, t, &ignored, e);
	if (rc == 0)
		*letter = ignored ? "I" : p.status == STATUS_UPTODATE ? "U" :
		          p.status == STATUS_RUN ? "R" : "E";
	plan_clear(&p);
	return rc;
}

static int print_task(struct cmdctx *c, const char *tmpl, struct task *t, struct buf *line)
{
	const char *fields[] = {"name", t->name, "doc", t->doc ? t->doc : "", "status", "",
	                        NULL};
	struct err e = {0};
	size_t i;

	if (opts_int(&c->o, "status") && status_of(c, t, &fields[5], &e) < 0)
		return cmd_error(&e);
	buf_reset(line);
	if (format_template(tmpl, fields, line, &e) < 0)
		return cmd_error(&e);
	fputs(buf_str(line), stdout);
	if (opts_int(&c->o, "list_deps")) {
		for (i = 0; i < t->file_dep.n; i++)
			printf(" -  %s\n", ((struct node *)t->file_dep.v[i])->path);
		printf("\n");
	}
	return 0;
}

static char *default_template(struct cmdctx *c, struct vec *tasks)
{
	size_t i, w = 0;

	for (i = 0; i < tasks->n; i++) {
		size_t n = width_of(((struct task *)tasks->v[i])->name);
		w = n > w ? n : w;
	}
	return xasprintf("%s{name:<%zu}%s\n", opts_int(&c->o, "status") ? "{status} " : "",
	                 w + 3, opts_int(&c->o, "quiet") ? "" : "{doc}");
}

static int list_tasks(struct cmdctx *c)
{
	struct vec all = {0}, shown = {0};
	struct buf line = {0};
	const char *given = opts_str(&c->o, "template");
	char *tmpl = NULL;
	size_t i;
	int rc;

	if ((rc = select_tasks(c, &all)) != 0)
		goto out;
	for (i = 0; i < all.n; i++) {
		struct task *t = all.v[i];
		if (opts_int(&c->o, "private") || t->name[0] != '_')
			vec_push(&shown, t);
	}
	tmpl = given ? xasprintf("%s\n", given) : default_template(c, &shown);
	if (strcmp(opts_str(&c->o, "sort"), "name") == 0 && shown.n)
		qsort(shown.v, shown.n, sizeof(*shown.v), by_name);
	if ((rc = opts_int(&c->o, "status") ? cmdctx_state(c, STATE_READONLY) : 0) != 0)
		goto out;
	for (i = 0; i < shown.n && rc == 0; i++)
		rc = print_task(c, tmpl, shown.v[i], &line);
out:
	fflush(stdout);
	free(tmpl);
	buf_free(&line);
	vec_free(&all);
	vec_free(&shown);
	return rc;
}

int cmd_list(struct cmd_env *env, int argc, char **argv)
{
	struct cmdctx c;
	int rc = cmdctx_open(&c, env, argc, argv, -1);

	if (rc == 0)
		rc = list_tasks(&c);
	cmdctx_close(&c);
	return rc;
}
