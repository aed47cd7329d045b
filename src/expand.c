#include "expand.h"

#include <string.h>

#include "frontend.h"
#include "graph.h"

static const char *const keys[] = {"targets", "dependencies", "changed", NULL};

/* The key of "%(key)s" at s (s[0] == '%', s[1] == '('): its index in keys, or -1. */
static int key_at(const char *s, size_t *len)
{
	size_t i, n;

	for (i = 0; keys[i]; i++) {
		n = strlen(keys[i]);
		if (strncmp(s + 2, keys[i], n) == 0 && s[2 + n] == ')' && s[3 + n] == 's') {
			*len = n + 4;
			return (int)i;
		}
	}
	return -1;
}

bool expand_template_ok(const char *s)
{
	size_t len;

	for (; *s; s++) {
		if (*s != '%')
			continue;
		if (s[1] == '%')
			s++;
		else if (s[1] == '(' && key_at(s, &len) >= 0)
			s += len - 1;
		else
			return false;
	}
	return true;
}

static void join(struct buf *b, const struct vec *nodes)
{
	size_t i;

	for (i = 0; i < nodes->n; i++) {
		const struct node *n = nodes->v[i];
		if (i)
			buf_putc(b, ' ');
		buf_add(b, n->path, n->len);
	}
}

static int expand(const struct task *t, const char *s, struct buf *b)
{
	const struct vec *lists[] = {&t->targets, &t->file_dep, &t->dep_changed};
	size_t len;
	int k;

	for (; *s; s++) {
		if (*s != '%') {
			buf_putc(b, *s);
		} else if (s[1] == '%') {
			buf_putc(b, '%');
			s++;
		} else if (s[1] == '(' && (k = key_at(s, &len)) >= 0) {
			join(b, lists[k]);
			s += len - 1;
		} else {
			return -1;
		}
	}
	return 0;
}

int action_expand_native(const struct task *t, const struct action *a, struct cmdspec *spec)
{
	struct buf b = {0};
	char **p;

	if (!a->native || a->kind != ACTION_CMD)
		return -1;
	if (a->argv) {
		for (p = a->argv; *p; p++)
			vec_push(&spec->argv, xstrdup(*p));
		return 0;
	}
	if (!a->cmd || expand(t, a->cmd, &b) < 0) {
		buf_free(&b);
		return -1;
	}
	if (a->shell)
		spec->cmd = buf_take(&b);
	else
		vec_push(&spec->argv, buf_take(&b));
	return 0;
}
