/* Unit tests of auto: absolute normalised paths and the noise filter. */
#include "auto.h"

#include <stdlib.h>

#include "unit.h"
#include "util.h"

static void check_path(const char *cwd, const char *path, const char *want)
{
	char *got = auto_path(cwd, path);

	CHECK_STR(got, want);
	free(got);
}

TEST(paths_are_absolute_and_normalised)
{
	check_path("/w", "a.txt", "/w/a.txt");
	check_path("/w", "./a//b/./c/", "/w/a/b/c");
	check_path("/w/", "a", "/w/a");
	check_path("/w", "/abs//x/", "/abs/x");
	check_path("/w", ".", "/w");
	check_path("/", ".", "/");
	check_path("/", "a", "/a");
	check_path("/w", "../up", "/w/../up");     /* lexical, as the watcher */
}

TEST(noise_is_ignored)
{
	CHECK(auto_path_ignored("/w/.main.c.swp"));
	CHECK(auto_path_ignored("/w/main.c~"));
	CHECK(auto_path_ignored("/w/4913"));
	CHECK(auto_path_ignored("/w/.#main.c"));
	CHECK(auto_path_ignored("/w/#main.c#"));
	CHECK(auto_path_ignored("/w/__pycache__/m.cpython-311.pyc"));
	CHECK(auto_path_ignored("/w/__pycache__"));
	CHECK(!auto_path_ignored("/w/main.c"));
	CHECK(!auto_path_ignored("/w/swp.c"));
	CHECK(!auto_path_ignored("/w/.dodo.db"));
}

int main(void)
{
	RUN(paths_are_absolute_and_normalised);
	RUN(noise_is_ignored);
	return unit_done("auto");
}
