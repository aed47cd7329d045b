#ifndef DODO_CONFIG_H
#define DODO_CONFIG_H

#include <stdbool.h>

/* Configuration files, as doit reads them: pyproject.toml's [tool.doit] tables, then
 * doit.cfg (INI), both from the folder dodo starts in; a later file overrides. Each is a
 * set of sections ("GLOBAL", a command's name, "task:NAME", plugin sections such as
 * "REPORTER") of key = value text. The front-end parses the files (TOML and INI need
 * real parsers); this module keeps the result and applies it to command options. */

struct config;
struct err;
struct loader;
struct opts;

/* The files read, in order, NULL-terminated. */
extern const char *const config_files[];

/* Read the configuration files of the current folder through the loader's parser.
 * Returns a config (empty when no file exists or the loader cannot parse), or NULL with
 * e (code 3) when a file is malformed. Free with config_free. */
struct config *config_read(struct loader *l, struct err *e);

/* Could the configuration files define plugin commands (doit's [COMMAND],
   [tool.doit.plugins.command])? False only when no file holds the word
   "command" in any case, nor a TOML escape that could spell it: then they
   need not be parsed (which starts Python) to know. */
bool config_may_name_commands(void);
void config_free(struct config *c);

/* The value of key in section (owned by c), or NULL. */
const char *config_get(const struct config *c, const char *section, const char *key);

/* Set every option of o named in section from its value, unless the command line gave
 * it. Keys that are not options of o are ignored (as doit does). 0, or -1 with doit's
 * message in e when a value does not parse. */
int config_apply(const struct config *c, const char *section, struct opts *o,
                 struct err *e);

/* Call fn(arg, key, value) for each setting of section, in file order. */
void config_each(const struct config *c, const char *section,
                 void (*fn)(void *arg, const char *key, const char *value), void *arg);

/* Call fn(arg, section, key, value) for every setting, in file order (value may be NULL). */
void config_foreach(const struct config *c,
                    void (*fn)(void *arg, const char *section, const char *key,
                               const char *value), void *arg);

#endif
