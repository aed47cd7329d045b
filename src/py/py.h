#ifndef DODO_PY_H
#define DODO_PY_H

/* Internals of the Python front-end (the only place <Python.h> is included). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdbool.h>

#include "frontend.h"
#include "py/pyfront.h"
#include "util.h"

struct graph;
struct task;

struct pyfront {
	struct loader loader;
	struct frontend fe;
	struct graph *g;
	PyObject *mod;          /* the _dodo module */
	struct vec objs;        /* owned references handed to tasks and actions */
	char *initial_workdir;
	char *dodo_path;        /* the task file of the last load (absolute) */
	int argc;
	char **argv;
	bool started;
	struct err raised;      /* an exception no hook could return, for take_raised */
};

/* The one front-end instance (Python has one interpreter). */
extern struct pyfront pyfront;

/* Start the interpreter with the embedded modules first on the import path, as the python
 * of the virtualenv venv (a folder with pyvenv.cfg; else, or NULL: the system's python3).
 * 0 or -1 with e. */
int py_start(const char *venv, struct err *e);
void py_stop(void);

/* Call _dodo.<fn>(args...) (args: a new tuple, stolen). New reference or NULL with a
 * Python exception set. */
PyObject *py_call(const char *fn, PyObject *args);
/* The same for a function of another built-in module. */
PyObject *py_call_in(const char *module, const char *fn, PyObject *args);

/* The current exception's traceback text as doit prints it, from the user's first frame
 * (none of _dodo's); clears the exception. */
char *py_exc_text(void);
/* If the current exception is _dodo.LoadError: fill e (message, code, printed) and return
 * true; else fill e and return false: RunAborted's message (code 2); SystemExit as
 * Python ends on it (e->raised RAISE_EXIT); KeyboardInterrupt (RAISE_SIGINT) or any
 * other exception (RAISE_ERROR, code 3) with its traceback. */
bool py_exc_to_err(struct err *e);

/* Copy a str (or None) to a malloc'd C string (NULL for None or errors). */
char *py_str(PyObject *o);

/* Convert loaded Task objects (a list) into tasks of g. 0 or -1 with e. */
int py_convert_tasks(struct graph *g, PyObject *tasks, struct err *e);
/* Convert tasks made by a delayed loader (replacing placeholders of the same name). */
int py_convert_delayed(struct graph *g, PyObject *tasks, struct err *e);
/* Re-read a task's file_dep/task_dep/calc_dep/uptodate after calc_dep results. */
int py_sync_deps(struct graph *g, struct task *t, struct err *e);

/* The loader's inputs hook: what the last load depended on (inputs.c). */
struct load_inputs;
int py_load_inputs(struct loader *l, const char *skip, struct load_inputs *out);
/* _dodo_engine.note_stat(callable or None): while a load is recorded, os.stat, os.lstat
 * and os.access hand their path to the callable first (the function objects untouched);
 * True when that could be set up, False when not; None stops it. */
PyObject *py_note_stat(PyObject *self, PyObject *cb);
/* _dodo_engine.capture_output(bool): keep a copy of what this thread writes to stdout and
 * stderr from now on (True, forgetting the last copy), or stop (False); py_load_inputs
 * hands the copy on as the load's output. */
PyObject *py_capture_output(PyObject *self, PyObject *on);
/* _dodo_engine.volatile_env(): the names in inputs_volatile_env, a list of str. */
PyObject *py_volatile_env(PyObject *self, PyObject *unused);
/* Mark a command action the engine can build itself (a->native, with its template in
 * a->cmd or a->argv); leaves other actions alone. */
void py_native_command(struct action *a, PyObject *task, PyObject *act);

extern const struct frontend_ops py_frontend_ops;

/* `dodo auto` (auto.c): the loader's release, sources and refresh hooks; a task's watch
 * entries (frontend_cmd_ops.watch). */
void py_release(struct loader *l);
int py_sources(struct loader *l, struct vec *files, struct vec *dirs);
void py_refresh(struct loader *l, const struct vec *changed);
int py_task_watch(struct frontend *fe, struct task *t, struct vec *out, struct err *e);

/* Commands other than run (cmds.c, report_py.c). */
extern const struct frontend_cmd_ops py_cmd_ops;
/* Call _dodo_cmds.<fn>(args...) (args: a new tuple, stolen). New reference or NULL with
 * a Python exception set. */
PyObject *py_cmds_call(const char *fn, PyObject *args);
/* The loader's read_config: the configuration files, parsed by _dodo_cmds. */
int py_read_config(struct loader *l, const char *const *paths,
                   void (*add)(void *arg, const char *section, const char *key,
                               const char *value),
                   void *arg, struct err *e);
/* The loader's plugin_command and plugin_purpose (a [COMMAND] class in Python). */
int py_plugin_command(struct loader *l, const char *name, int argc, char **argv);
char *py_plugin_purpose(struct loader *l, const char *name);
/* The configuration sections read (a dict; new reference, never NULL). */
PyObject *py_config_sections(void);
/* A reporter written in Python (frontend_cmd_ops.reporter). */
struct reporter *py_reporter_new(struct frontend *fe, const char *name, struct graph *g,
                                 FILE *out, int failure_verbosity);

#endif
