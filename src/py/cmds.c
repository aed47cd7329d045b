/* What the commands other than run ask of the dodo.py front-end: configuration files,
 * clean actions, texts of info and help, strace. Calls the _dodo_cmds module. */
#include "py.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph.h"

PyObject *py_cmds_call(const char *fn, PyObject *args)
{
	return py_call_in("_dodo_cmds", fn, args);
}

/* The virtualenv of a task file in the current folder (the configuration files are read
 * before the task file is found): VIRTUAL_ENV, or ./.venv. */
static char *cwd_venv(void)
{
	const char *env = getenv("VIRTUAL_ENV");

	if (env && *env)
		return xstrdup(env);
	if (access(".venv", F_OK) == 0) {
		char *cwd = getcwd(NULL, 0);
		char *p = cwd ? xasprintf("%s/.venv", cwd) : NULL;
		free(cwd);
		return p;
	}
	return NULL;
}

/* The message of a _dodo_cmds.ConfigError, or the traceback of anything else. */
static void config_error(struct err *e)
{
	PyObject *type, *value, *tb, *mod, *cls;
	char *msg;

	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	mod = PyImport_ImportModule("_dodo_cmds");
	cls = mod ? PyObject_GetAttrString(mod, "ConfigError") : NULL;
	if (cls && value && PyObject_IsInstance(value, cls) == 1) {
		PyObject *s = PyObject_Str(value);
		msg = py_str(s);
		Py_XDECREF(s);
		seterr(e, 3, "%s", msg ? msg : "invalid configuration file");
		free(msg);
		Py_XDECREF(type);
		Py_XDECREF(value);
		Py_XDECREF(tb);
	} else {
		PyErr_Restore(type, value, tb);
		msg = py_exc_text();
		seterr(e, 3, "%s", msg);
		free(msg);
	}
	PyErr_Clear();
	Py_XDECREF(cls);
	Py_XDECREF(mod);
}

/* The configuration files read, as absolute paths, and their folder: an interpreter
 * started again (after a no-op attempt) reads them again (config_sections). */
static struct vec config_paths;
static char *config_dir;

static void remember_paths(const char *const *paths)
{
	size_t i;

	for (i = 0; i < config_paths.n; i++)
		free(config_paths.v[i]);
	config_paths.n = 0;
	free(config_dir);
	config_dir = getcwd(NULL, 0);
	for (i = 0; config_dir && paths[i]; i++)
		vec_push(&config_paths, paths[i][0] == '/' ? xstrdup(paths[i]) :
		         xasprintf("%s/%s", config_dir, paths[i]));
}

/* _dodo_cmds.read_config(the remembered paths, their folder). New reference or NULL. */
static PyObject *read_remembered(void)
{
	PyObject *list = PyList_New((Py_ssize_t)config_paths.n);
	size_t i;

	for (i = 0; list && i < config_paths.n; i++)
		PyList_SET_ITEM(list, (Py_ssize_t)i, PyUnicode_DecodeFSDefault(config_paths.v[i]));
	return list ? py_cmds_call("read_config", Py_BuildValue("(Ns)", list, config_dir)) :
	       NULL;
}

int py_read_config(struct loader *l, const char *const *paths,
                   void (*add)(void *arg, const char *section, const char *key,
                               const char *value),
                   void *arg, struct err *e)
{
	PyObject *r, *seq;
	char *venv = cwd_venv();
	Py_ssize_t i;
	int rc;

	rc = py_start(venv, e);
	free(venv);
	if (rc < 0)
		return -1;
	remember_paths(paths);
	if (!config_dir)
		return seterr(e, 3, "cannot get the current folder");
	r = read_remembered();
	seq = r ? PySequence_Fast(r, "read_config must return a list") : NULL;
	Py_XDECREF(r);
	if (!seq) {
		config_error(e);
		return -1;
	}
	for (i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
		PyObject *ent = PySequence_Fast_GET_ITEM(seq, i);
		char *sec = py_str(PyTuple_GetItem(ent, 0));
		char *key = py_str(PyTuple_GetItem(ent, 1));
		char *val = py_str(PyTuple_GetItem(ent, 2));

		if (sec && key)
			add(arg, sec, key, val);
		free(sec);
		free(key);
		free(val);
	}
	PyErr_Clear();
	Py_DECREF(seq);
	return 0;
}

PyObject *py_config_sections(void)
{
	PyObject *r = py_cmds_call("sections", PyTuple_New(0));

	if (r == Py_None && config_dir) {     /* a new interpreter: read the files again */
		Py_DECREF(r);
		r = read_remembered();
		Py_XDECREF(r);
		r = r ? py_cmds_call("sections", PyTuple_New(0)) : NULL;
	}

	if (!r) {
		PyErr_Clear();
		Py_RETURN_NONE;
	}
	return r;
}

static void flush_py(void);

static PyObject *strings(int argc, char **argv)
{
	PyObject *list = PyList_New(argc > 0 ? argc : 0);
	int i;

	for (i = 0; list && i < argc; i++)
		PyList_SET_ITEM(list, i, PyUnicode_DecodeFSDefault(argv[i]));
	return list;
}

int py_plugin_command(struct loader *l, const char *name, int argc, char **argv)
{
	PyObject *r;
	struct err e = {0};
	char *venv = cwd_venv();
	long rc;

	rc = py_start(venv, &e);
	free(venv);
	if (rc < 0) {
		fprintf(stderr, "ERROR: %s\n", e.msg);
		return 3;
	}
	fflush(stdout);
	if (argc < 0)
		r = py_cmds_call("command_help", Py_BuildValue("(ss)", name, "dodo"));
	else
		r = py_cmds_call("command_run", Py_BuildValue("(sNs)", name, strings(argc, argv),
		                                             "dodo"));
	flush_py();
	if (!r) {
		char *tb = py_exc_text();
		fputs(tb, stderr);
		free(tb);
		return 3;
	}
	rc = PyLong_Check(r) ? PyLong_AsLong(r) : 0;
	Py_DECREF(r);
	PyErr_Clear();
	return (int)rc;
}

char *py_plugin_purpose(struct loader *l, const char *name)
{
	PyObject *r = pyfront.started ? py_cmds_call("command_purpose", Py_BuildValue("(s)",
	                                             name)) : NULL;
	char *s = py_str(r);

	Py_XDECREF(r);
	PyErr_Clear();
	return s;
}

/* Flush Python's sys.stdout and sys.stderr (keeping any pending exception). */
static void flush_py(void)
{
	static const char *const names[] = {"stdout", "stderr"};
	PyObject *type, *value, *tb;
	int i;

	PyErr_Fetch(&type, &value, &tb);
	for (i = 0; i < 2; i++) {
		PyObject *f = PySys_GetObject(names[i]);
		PyObject *r = f && f != Py_None ? PyObject_CallMethod(f, "flush", NULL) : NULL;
		Py_XDECREF(r);
		PyErr_Clear();
	}
	PyErr_Restore(type, value, tb);
}

static int cmd_clean(struct frontend *fe, struct task *t, bool dryrun, struct err *e)
{
	PyObject *r;
	int rc;

	if (!t->fe)
		return 0;
	fflush(stdout);
	r = py_cmds_call("clean", Py_BuildValue("(OO)", t->fe, dryrun ? Py_True : Py_False));
	flush_py();
	if (!r) {
		py_exc_to_err(e);
		return -1;
	}
	rc = PyObject_IsTrue(r) == 1;
	Py_DECREF(r);
	return rc;
}

static char *cmd_text(struct frontend *fe, struct task *t, enum fe_text what, size_t index)
{
	PyObject *r = NULL;
	char *s;

	if (!t->fe)
		return NULL;
	if (what == FE_TEXT_INFO)
		r = py_cmds_call("info_text", Py_BuildValue("(O)", t->fe));
	else if (what == FE_TEXT_UPTODATE)
		r = py_cmds_call("uptodate_text", Py_BuildValue("(On)", t->fe, (Py_ssize_t)index));
	else if (what == FE_TEXT_HELP)
		r = py_cmds_call("help_text", Py_BuildValue("(O)", t->fe));
	if (!r) {
		char *tb = py_exc_text();
		fflush(stdout);
		fputs(tb, stderr);
		free(tb);
		return NULL;
	}
	s = py_str(r);
	Py_DECREF(r);
	return s;
}

static int cmd_strace(struct frontend *fe, struct graph *g, struct task *t,
                      const char *trace_file, bool show_all, struct err *e)
{
	PyObject *r, *list;
	size_t first = g->tasks.n, i;
	int rc;

	if (!t->fe)
		return 0;
	r = py_cmds_call("strace", Py_BuildValue("(OsO)", t->fe, trace_file,
	                                         show_all ? Py_True : Py_False));
	list = r ? Py_BuildValue("[O]", r) : NULL;
	Py_XDECREF(r);
	if (!list) {
		py_exc_to_err(e);
		return -1;
	}
	rc = py_convert_tasks(g, list, e);
	Py_DECREF(list);
	if (rc < 0)
		return -1;
	/* the wrapped command lines are the Python actions': build them there */
	for (i = 0; i < t->actions.n; i++) {
		struct action *a = t->actions.v[i];
		if (a->kind == ACTION_CMD) {
			a->native = false;
			a->expand = true;
		}
	}
	return graph_link_new(g, first, e);
}

static int own_deps(struct frontend *fe, struct task *t, struct vec *out)
{
	static const char *const attrs[] = {"task_dep", "setup_tasks"};
	int i;

	for (i = 0; t->fe && i < 2; i++) {
		PyObject *v = PyObject_GetAttrString(t->fe, attrs[i]);
		PyObject *seq = v ? PySequence_Fast(v, "not a list") : NULL;
		Py_ssize_t j;

		Py_XDECREF(v);
		if (!seq) {
			PyErr_Clear();
			return -1;
		}
		for (j = 0; j < PySequence_Fast_GET_SIZE(seq); j++) {
			char *s = py_str(PySequence_Fast_GET_ITEM(seq, j));
			if (s)
				vec_push(out, s);
		}
		Py_DECREF(seq);
	}
	return 0;
}

const struct frontend_cmd_ops py_cmd_ops = {
	.own_deps = own_deps,
	.clean = cmd_clean,
	.text = cmd_text,
	.reporter = py_reporter_new,
	.strace = cmd_strace,
	.watch = py_task_watch,
};
