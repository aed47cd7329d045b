/* auto: the paths `dodo auto` watches, apart from the watcher (watch.h); the process
 * groups tasks leave running are groups.h's, the signals sig.h's. No Python here:
 * cmd_auto.c puts it together with the loader. */
#ifndef DODO_AUTO_H
#define DODO_AUTO_H

#include <stdbool.h>


/* path made absolute (relative to cwd, itself absolute) and normalised lexically as
 * the watcher does: no "." components, no repeated or trailing slashes. Malloc'd. */
char *auto_path(const char *cwd, const char *path);

/* Whether a change of path is noise to `dodo auto`: Python byte-code caches and the
 * files editors write beside the file they save (swap and backup files). */
bool auto_path_ignored(const char *path);

#endif
