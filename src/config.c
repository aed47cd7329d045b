#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "frontend.h"
#include "fs.h"
#include "util.h"

const char *const config_files[] = {"pyproject.toml", "doit.cfg", NULL};

struct setting {
	char *section, *key, *value;
};

struct config {
	struct vec settings;    /* struct setting *, in file order */
};

static struct setting *find(const struct config *c, const char *section, const char *key)
{
	size_t i;

	for (i = 0; c && i < c->settings.n; i++) {
		struct setting *s = c->settings.v[i];
		if (strcmp(s->section, section) == 0 && strcmp(s->key, key) == 0)
			return s;
	}
	return NULL;
}

/* A later file overrides an earlier one's value but keeps its place. */
static void add(void *arg, const char *section, const char *key, const char *value)
{
	struct config *c = arg;
	struct setting *s = find(c, section, key);

	if (!s) {
		s = xcalloc(1, sizeof(*s));
		s->section = xstrdup(section);
		s->key = xstrdup(key);
		vec_push(&c->settings, s);
	}
	free(s->value);
	s->value = value ? xstrdup(value) : NULL;
}

struct config *config_read(struct loader *l, struct err *e)
{
	struct config *c = xcalloc(1, sizeof(*c));
	const char *present[3];
	size_t i, n = 0;

	for (i = 0; config_files[i]; i++)
		if (access(config_files[i], F_OK) == 0)
			present[n++] = config_files[i];
	present[n] = NULL;
	if (!n || !l->read_config)
		return c;
	if (l->read_config(l, present, add, c, e) < 0) {
		config_free(c);
		return NULL;
	}
	return c;
}

bool config_may_name_commands(void)
{
	struct buf b = {0};
	struct err e;
	size_t i;
	bool may = false;

	for (i = 0; config_files[i] && !may; i++) {
		if (access(config_files[i], F_OK) != 0)
			continue;
		buf_reset(&b);
		/* unreadable: the parse will say so; a TOML escape could spell it */
		may = fs_read_file(config_files[i], &b, &e) < 0 ||
		      strcasestr(buf_str(&b), "command") || strstr(buf_str(&b), "\\u") ||
		      strstr(buf_str(&b), "\\U") || memchr(b.data, '\0', b.len);
	}
	buf_free(&b);
	return may;
}

void config_free(struct config *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->settings.n; i++) {
		struct setting *s = c->settings.v[i];
		free(s->section);
		free(s->key);
		free(s->value);
		free(s);
	}
	vec_free(&c->settings);
	free(c);
}

const char *config_get(const struct config *c, const char *section, const char *key)
{
	struct setting *s = find(c, section, key);

	return s ? s->value : NULL;
}

int config_apply(const struct config *c, const char *section, struct opts *o,
                 struct err *e)
{
	size_t i;

	for (i = 0; c && i < c->settings.n; i++) {
		struct setting *s = c->settings.v[i];
		if (strcmp(s->section, section) == 0 && s->value && opts_get(o, s->key) &&
		    opts_config(o, s->key, s->value, e) < 0)
			return -1;
	}
	return 0;
}

void config_each(const struct config *c, const char *section,
                 void (*fn)(void *arg, const char *key, const char *value), void *arg)
{
	size_t i;

	for (i = 0; c && i < c->settings.n; i++) {
		struct setting *s = c->settings.v[i];
		if (strcmp(s->section, section) == 0)
			fn(arg, s->key, s->value);
	}
}

void config_foreach(const struct config *c,
                    void (*fn)(void *arg, const char *section, const char *key,
                               const char *value), void *arg)
{
	size_t i;

	for (i = 0; c && i < c->settings.n; i++) {
		struct setting *s = c->settings.v[i];
		fn(arg, s->section, s->key, s->value);
	}
}
