/* Unit tests of config: settings from the loader's parser, file order, precedence of a
 * later file, application to options (the command line wins; unknown keys ignored). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "frontend.h"
#include "unit.h"
#include "util.h"

/* A fake parser: each existing file gives fixed settings; "bad" files fail. */
static int fake_calls;
static const char *seen_paths[4];

static int fake_read(struct loader *l, const char *const *paths,
                     void (*add)(void *arg, const char *section, const char *key,
                                 const char *value),
                     void *arg, struct err *e)
{
	size_t i;

	fake_calls++;
	for (i = 0; paths[i] && i < 3; i++) {
		seen_paths[i] = paths[i];
		if (strcmp(paths[i], "pyproject.toml") == 0) {
			add(arg, "GLOBAL", "verbosity", "0");
			add(arg, "GLOBAL", "dep_file", "toml.db");
			add(arg, "list", "status", "True");
		} else {
			add(arg, "GLOBAL", "verbosity", "2");   /* doit.cfg overrides */
			add(arg, "run", "reporter", "zero");
			add(arg, "COMMAND", "init", "mod:Init");
			add(arg, "GLOBAL", "novalue", NULL);
		}
	}
	seen_paths[i] = NULL;
	return l->ctx ? seterr(e, 3, "invalid configuration file 'doit.cfg'") : 0;
}

static const struct optdef defs[] = {
	{.name = "verbosity", .short_ = 'v', .long_ = "verbosity", .type = OPT_INT},
	{.name = "dep_file", .long_ = "db-file", .type = OPT_STR, .def = ".dodo.db"},
	{.name = "status", .short_ = 's', .long_ = "status", .type = OPT_BOOL},
	{.name = "reporter", .short_ = 'r', .long_ = "reporter", .type = OPT_STR,
	 .def = "console"},
	{0},
};

/* Run in a fresh temporary folder holding the named files. */
static char *enter_folder(const char *const *files)
{
	char tmpl[] = "/tmp/dodo-config-XXXXXX";
	char *dir = xstrdup(mkdtemp(tmpl));
	size_t i;

	if (!dir || chdir(dir) < 0)
		fatal("temporary folder:");
	for (i = 0; files[i]; i++) {
		FILE *f = fopen(files[i], "w");
		if (!f)
			fatal("cannot write %s:", files[i]);
		fclose(f);
	}
	return dir;
}

static void leave_folder(char *dir, const char *const *files)
{
	size_t i;

	for (i = 0; files[i]; i++)
		unlink(files[i]);
	if (chdir("/") < 0 || rmdir(dir) < 0)
		fatal("cannot remove %s:", dir);
	free(dir);
}

TEST(no_files_no_parser_call)
{
	static const char *const none[] = {NULL};
	struct loader l = {.read_config = fake_read};
	char *dir = enter_folder(none);
	struct err e = {0};
	struct config *c;

	fake_calls = 0;
	c = config_read(&l, &e);
	CHECK(c != NULL);
	CHECK_INT(fake_calls, 0);
	CHECK(config_get(c, "GLOBAL", "verbosity") == NULL);
	config_free(c);
	leave_folder(dir, none);
}

TEST(both_files_in_order)
{
	static const char *const files[] = {"doit.cfg", "pyproject.toml", NULL};
	struct loader l = {.read_config = fake_read};
	char *dir = enter_folder(files);
	struct err e = {0};
	struct config *c = config_read(&l, &e);

	CHECK(c != NULL);
	CHECK_STR(seen_paths[0], "pyproject.toml");
	CHECK_STR(seen_paths[1], "doit.cfg");
	CHECK_STR(config_get(c, "GLOBAL", "verbosity"), "2");
	CHECK_STR(config_get(c, "GLOBAL", "dep_file"), "toml.db");
	CHECK_STR(config_get(c, "COMMAND", "init"), "mod:Init");
	CHECK(config_get(c, "GLOBAL", "novalue") == NULL);
	CHECK(config_get(c, "run", "verbosity") == NULL);
	config_free(c);
	leave_folder(dir, files);
}

static void collect(void *arg, const char *key, const char *value)
{
	buf_printf(arg, "%s=%s;", key, value ? value : "None");
}

TEST(section_in_file_order)
{
	static const char *const files[] = {"doit.cfg", "pyproject.toml", NULL};
	struct loader l = {.read_config = fake_read};
	char *dir = enter_folder(files);
	struct err e = {0};
	struct config *c = config_read(&l, &e);
	struct buf b = {0};

	config_each(c, "GLOBAL", collect, &b);
	/* an overridden key keeps the place it first had */
	CHECK_STR(buf_str(&b), "verbosity=2;dep_file=toml.db;novalue=None;");
	buf_free(&b);
	config_free(c);
	leave_folder(dir, files);
}

TEST(apply_precedence)
{
	static const char *const files[] = {"doit.cfg", "pyproject.toml", NULL};
	struct loader l = {.read_config = fake_read};
	char *dir = enter_folder(files);
	char a0[] = "-v", a1[] = "1", *argv[] = {a0, a1};
	struct err e = {0};
	struct config *c = config_read(&l, &e);
	struct opts o;

	CHECK_INT(opts_parse(&o, defs, 2, argv, &e), 0);
	CHECK_INT(config_apply(c, "GLOBAL", &o, &e), 0);
	CHECK_INT(config_apply(c, "run", &o, &e), 0);
	CHECK_INT(config_apply(c, "list", &o, &e), 0);
	CHECK_INT(opts_int(&o, "verbosity"), 1);           /* the command line wins */
	CHECK_STR(opts_str(&o, "dep_file"), "toml.db");
	CHECK_STR(opts_str(&o, "reporter"), "zero");
	CHECK_INT(opts_int(&o, "status"), 1);
	CHECK(!opts_given(&o, "reporter"));
	opts_free(&o);
	config_free(c);
	leave_folder(dir, files);
}

TEST(parser_error)
{
	static const char *const files[] = {"doit.cfg", NULL};
	struct loader l = {.read_config = fake_read, .ctx = &l};
	char *dir = enter_folder(files);
	struct err e = {0};

	CHECK(config_read(&l, &e) == NULL);
	CHECK_INT(e.code, 3);
	CHECK_STR(e.msg, "invalid configuration file 'doit.cfg'");
	leave_folder(dir, files);
}

TEST(no_parser)
{
	static const char *const files[] = {"doit.cfg", NULL};
	struct loader l = {0};
	char *dir = enter_folder(files);
	struct err e = {0};
	struct config *c = config_read(&l, &e);

	CHECK(c != NULL);
	CHECK(config_get(c, "GLOBAL", "verbosity") == NULL);
	CHECK_INT(config_apply(c, "GLOBAL", NULL, &e), 0);
	config_free(c);
	config_free(NULL);
	leave_folder(dir, files);
}

int main(void)
{
	RUN(no_files_no_parser_call);
	RUN(both_files_in_order);
	RUN(section_in_file_order);
	RUN(apply_precedence);
	RUN(parser_error);
	RUN(no_parser);
	return unit_done("config");
}
