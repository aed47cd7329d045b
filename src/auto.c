/* auto: the paths `dodo auto` watches. */
#include "auto.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"


char *auto_path(const char *cwd, const char *path)
{
	struct buf b = {0};
	char *joined = *path == '/' ? NULL : xasprintf("%s/%s", cwd, path);

	path_normalize(&b, joined ? joined : path);
	free(joined);
	return buf_take(&b);
}

/* Names editors write beside the file they save (vim, emacs, kate, JetBrains). */
static const char *const noise[] = {
	"*.swp", "*.swx", "*.swo", "*~", ".#*", "#*#", "4913", ".*.kate-swp",
	"*___jb_tmp___", "*___jb_old___", NULL,
};

bool auto_path_ignored(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t i;

	if (strstr(path, "/__pycache__/") || strcmp(base, "__pycache__") == 0)
		return true;
	for (i = 0; noise[i]; i++)
		if (fnmatch(noise[i], base, 0) == 0)
			return true;
	return false;
}
