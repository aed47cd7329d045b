/* The embedded interpreter: start-up, the built-in modules, the _dodo_engine module. */
#include "py.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graph.h"
#include "state.h"

struct embedded_py {
	const char *path;
	const char *src;
};
extern const struct embedded_py embedded_py[];

/* Serves the built-in modules ahead of everything else on sys.path, so that `import doit`
 * is ours even where another doit is installed. */
static const char bootstrap[] =
	"import sys, importlib.util, _dodo_engine\n"
	"class _DodoLoader:\n"
	"    def __init__(self, src, path):\n"
	"        self.src, self.path = src, path\n"
	"    def create_module(self, spec):\n"
	"        return None\n"
	"    def exec_module(self, module):\n"
	"        module.__file__ = self.path\n"
	"        exec(compile(self.src, self.path, 'exec'), module.__dict__)\n"
	"    def get_source(self, name):\n"
	"        return self.src\n"
	"class _DodoFinder:\n"
	"    sources = _dodo_engine.sources()\n"
	"    @classmethod\n"
	"    def find_spec(cls, name, path=None, target=None):\n"
	"        ent = cls.sources.get(name)\n"
	"        if ent is None:\n"
	"            return None\n"
	"        src, is_pkg, fpath = ent\n"
	"        return importlib.util.spec_from_loader(name, _DodoLoader(src, fpath),\n"
	"                                              is_package=is_pkg)\n"
	"    @classmethod\n"
	"    def invalidate_caches(cls):\n"
	"        pass\n"
	"for _m in [m for m in sys.modules if m == 'doit' or m.startswith('doit.')]:\n"
	"    del sys.modules[_m]\n"
	"sys.meta_path.insert(0, _DodoFinder)\n";

/* {module name: (source, is_package, file name)} of the built-in modules. */
static PyObject *eng_sources(PyObject *self, PyObject *unused)
{
	PyObject *d = PyDict_New();
	const struct embedded_py *p;

	for (p = embedded_py; d && p->path; p++) {
		char *name = xstrdup(p->path), *dot = strrchr(name, '.'), *s;
		bool pkg;
		PyObject *v;

		*dot = '\0';
		pkg = strlen(name) > 9 && strcmp(name + strlen(name) - 9, "/__init__") == 0;
		if (pkg)
			name[strlen(name) - 9] = '\0';
		for (s = name; *s; s++)
			if (*s == '/')
				*s = '.';
		v = Py_BuildValue("(sOs)", p->src, pkg ? Py_True : Py_False, p->path);
		if (!v || PyDict_SetItemString(d, name, v) < 0)
			Py_CLEAR(d);
		Py_XDECREF(v);
		free(name);
	}
	return d;
}

/* The saved record's field of a task, as str or None. */
static PyObject *record_field(PyObject *arg, bool values)
{
	struct task_record rec = {0};
	struct err e = {0};
	const char *name = PyUnicode_AsUTF8(arg);
	PyObject *r;

	if (!name)
		return NULL;
	if (!pyfront.g || !pyfront.g->st)
		Py_RETURN_NONE;
	if (state_load(pyfront.g->st, name, &rec, &e) < 0) {
		PyErr_SetString(PyExc_RuntimeError, e.msg);
		return NULL;
	}
	if (values && rec.values_json)
		r = PyUnicode_FromString(rec.values_json);
	else if (!values && rec.result)
		r = PyUnicode_FromString(rec.result);
	else
		r = Py_NewRef(Py_None);
	task_record_free(&rec);
	return r;
}

static PyObject *eng_get_values(PyObject *self, PyObject *arg)
{
	return record_field(arg, true);
}

static PyObject *eng_get_result(PyObject *self, PyObject *arg)
{
	return record_field(arg, false);
}

static PyObject *eng_initial_workdir(PyObject *self, PyObject *unused)
{
	return PyUnicode_FromString(pyfront.initial_workdir ? pyfront.initial_workdir : ".");
}

static PyMethodDef eng_methods[] = {
	{"sources", eng_sources, METH_NOARGS, "the built-in modules"},
	{"get_values", eng_get_values, METH_O, "saved values (JSON) of a task, or None"},
	{"get_result", eng_get_result, METH_O, "saved result of a task, or None"},
	{"initial_workdir", eng_initial_workdir, METH_NOARGS, "the folder dodo started in"},
	{"note_stat", py_note_stat, METH_O, "while a load is recorded, os.stat & co. note paths"},
	{"capture_output", py_capture_output, METH_O, "copy what the load writes to stdout/err"},
	{"volatile_env", py_volatile_env, METH_NOARGS, "environment names that do not count"},
	{NULL, NULL, 0, NULL},
};

static struct PyModuleDef eng_module = {
	PyModuleDef_HEAD_INIT, "_dodo_engine", "The dodo engine, seen from Python.", -1,
	eng_methods, NULL, NULL, NULL, NULL,
};

static PyObject *init_engine(void)
{
	return PyModule_Create(&eng_module);
}

static int status_err(PyStatus st, struct err *e)
{
	return seterr(e, 3, "cannot start Python: %s%s%s", st.func ? st.func : "",
	              st.func ? ": " : "", st.err_msg ? st.err_msg : "unknown error");
}

#ifndef DODO_PY_BINDIR
#define DODO_PY_BINDIR "/usr/bin"
#endif

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The python3 that doit runs under outside a virtualenv: <bindir>/python3 when it is the
 * embedded version, else <bindir>/python3.X. Malloc'd. */
static char *system_python(void)
{
	char *gen = xasprintf("%s/python%d", DODO_PY_BINDIR, PY_MAJOR_VERSION);
	char *ver = xasprintf("%s/python%d.%d", DODO_PY_BINDIR, PY_MAJOR_VERSION,
	                      PY_MINOR_VERSION);
	char *a = realpath(gen, NULL), *b = realpath(ver, NULL);
	bool same = a && b && strcmp(a, b) == 0;

	free(a);
	free(b);
	free(same ? ver : gen);
	return same ? gen : ver;
}

/* The interpreter of the virtualenv venv: its bin/python, as an absolute path. NULL when
 * venv has no pyvenv.cfg (not a virtualenv). Malloc'd. */
static char *venv_python(const char *venv)
{
	char *cfg = xasprintf("%s/pyvenv.cfg", venv), *cwd, *exe;
	bool ok = is_file(cfg);

	free(cfg);
	if (!ok)
		return NULL;
	if (venv[0] == '/')
		return xasprintf("%s/bin/python", venv);
	cwd = getcwd(NULL, 0);
	exe = cwd ? xasprintf("%s/%s/bin/python", cwd, venv) : NULL;
	free(cwd);
	return exe;
}

/* Make config the interpreter doit would run under: the virtualenv's python or the system's
 * python3. CPython's path configuration reads the virtualenv's pyvenv.cfg beside it (its
 * home finds the standard library) and site adds the virtualenv's site-packages. */
static PyStatus set_executable(PyConfig *config, const char *venv)
{
	char *exe = venv ? venv_python(venv) : NULL;
	PyStatus st;

	if (!exe)
		exe = system_python();
	st = PyConfig_SetBytesString(config, &config->executable, exe);
	if (!PyStatus_Exception(st))
		st = PyConfig_SetBytesString(config, &config->program_name, exe);
	free(exe);
	return st;
}

int py_start(const char *venv, struct err *e)
{
	PyConfig config;
	PyStatus st;
	PyObject *r, *mod, *globals;

	if (pyfront.started)
		return 0;
	if (getenv("DODO_DEBUG_LOAD") && *getenv("DODO_DEBUG_LOAD"))
		fprintf(stderr, "dodo: load: python started\n");
	if (PyImport_AppendInittab("_dodo_engine", init_engine) < 0)
		return seterr(e, 3, "cannot register the _dodo_engine module");
	PyConfig_InitPythonConfig(&config);
	config.install_signal_handlers = 0;
	config.buffered_stdio = 0;
	config.parse_argv = 0;
	st = set_executable(&config, venv);
	if (!PyStatus_Exception(st))
		st = PyConfig_SetBytesArgv(&config, pyfront.argc, pyfront.argv);
	if (!PyStatus_Exception(st))
		st = Py_InitializeFromConfig(&config);
	PyConfig_Clear(&config);
	if (PyStatus_Exception(st))
		return status_err(st, e);
	pyfront.started = true;
	mod = PyImport_AddModule("__main__");
	globals = mod ? PyModule_GetDict(mod) : NULL;
	r = globals ? PyRun_String(bootstrap, Py_file_input, globals, globals) : NULL;
	if (!r) {
		char *tb = py_exc_text();
		seterr(e, 3, "cannot install the built-in modules:\n%s", tb);
		free(tb);
		return -1;
	}
	Py_DECREF(r);
	pyfront.mod = PyImport_ImportModule("_dodo");
	if (!pyfront.mod) {
		char *tb = py_exc_text();
		seterr(e, 3, "cannot import the _dodo module:\n%s", tb);
		free(tb);
		return -1;
	}
	return 0;
}

void py_stop(void)
{
	if (!pyfront.started)
		return;
	py_release(&pyfront.loader);
	Py_CLEAR(pyfront.mod);
	Py_FinalizeEx();
	pyfront.started = false;
}

PyObject *py_call_in(const char *module, const char *fn, PyObject *args)
{
	PyObject *mod, *f, *r = NULL;

	if (!args)
		return NULL;
	mod = PyImport_ImportModule(module);
	f = mod ? PyObject_GetAttrString(mod, fn) : NULL;
	if (f)
		r = PyObject_Call(f, args, NULL);
	Py_XDECREF(f);
	Py_XDECREF(mod);
	Py_DECREF(args);
	return r;
}

PyObject *py_call(const char *fn, PyObject *args)
{
	PyObject *f, *r = NULL;

	if (!args)
		return NULL;
	f = PyObject_GetAttrString(pyfront.mod, fn);
	if (f) {
		r = PyObject_Call(f, args, NULL);
		Py_DECREF(f);
	}
	Py_DECREF(args);
	return r;
}

char *py_str(PyObject *o)
{
	const char *s;

	if (!o || o == Py_None)
		return NULL;
	if (!PyUnicode_Check(o)) {
		PyObject *t = PyObject_Str(o);
		char *r = t ? py_str(t) : NULL;
		Py_XDECREF(t);
		PyErr_Clear();
		return r;
	}
	s = PyUnicode_AsUTF8(o);
	if (!s) {
		PyErr_Clear();
		return NULL;
	}
	return xstrdup(s);
}

/* The current exception as one normalised object (new reference) with its traceback;
 * clears the error indicator. NULL when none. */
static PyObject *fetch_exc(void)
{
	PyObject *type, *value, *tb;

	PyErr_Fetch(&type, &value, &tb);
	if (!type)
		return NULL;
	PyErr_NormalizeException(&type, &value, &tb);
	if (tb && value)
		PyException_SetTraceback(value, tb);
	Py_XDECREF(type);
	Py_XDECREF(tb);
	return value;
}

/* exc's traceback as the user sees it: _dodo.format_exception (from the user's first
 * frame), else Python's own text. malloc'd; never NULL. */
static char *exc_text(PyObject *exc)
{
	PyObject *s = py_call("format_exception", Py_BuildValue("(O)", exc));
	char *r = NULL;

	if (!s) {
		PyObject *tbmod = PyImport_ImportModule("traceback"), *lines = NULL;
		PyErr_Clear();
		if (tbmod)
			lines = PyObject_CallMethod(tbmod, "format_exception", "O", exc);
		if (lines) {
			PyObject *empty = PyUnicode_FromString("");
			s = empty ? PyUnicode_Join(empty, lines) : NULL;
			Py_XDECREF(empty);
		}
		Py_XDECREF(lines);
		Py_XDECREF(tbmod);
	}
	r = s ? py_str(s) : NULL;
	PyErr_Clear();
	Py_XDECREF(s);
	return r ? r : xstrdup("(an exception that cannot be shown)\n");
}

char *py_exc_text(void)
{
	PyObject *exc = fetch_exc();
	char *r;

	if (!exc)
		return xstrdup("");
	r = exc_text(exc);
	Py_DECREF(exc);
	return r;
}

/* Is exc an instance of _dodo.<name>? */
static bool is_dodo_exc(PyObject *exc, const char *name)
{
	PyObject *cls = PyObject_GetAttrString(pyfront.mod, name);
	bool r = cls && exc && PyObject_IsInstance(exc, cls) == 1;

	Py_XDECREF(cls);
	PyErr_Clear();
	return r;
}

/* How Python ends on SystemExit exc: exit status and what it prints. */
static void system_exit_err(PyObject *exc, struct err *e)
{
	PyObject *code = PyObject_GetAttrString(exc, "code");
	char *m = NULL;
	int status = 0;

	if (code && PyLong_Check(code)) {
		status = (int)PyLong_AsLong(code);
	} else if (code && code != Py_None) {
		m = py_str(code);
		status = 1;
	}
	PyErr_Clear();
	seterr(e, status, "%s%s", m ? m : "", m ? "\n" : "");
	e->raw = true;
	e->raised = RAISE_EXIT;
	free(m);
	Py_XDECREF(code);
}

bool py_exc_to_err(struct err *e)
{
	PyObject *exc = fetch_exc(), *args, *msg, *code;
	char *m;

	if (is_dodo_exc(exc, "RunAborted")) {
		PyObject *s = PyObject_Str(exc);
		m = py_str(s);
		seterr(e, 2, "%s", m ? m : "");
		free(m);
		Py_XDECREF(s);
		PyErr_Clear();
		Py_DECREF(exc);
		return false;
	}
	if (exc && PyErr_GivenExceptionMatches(exc, PyExc_SystemExit)) {
		system_exit_err(exc, e);
		Py_DECREF(exc);
		return false;
	}
	if (!is_dodo_exc(exc, "LoadError")) {
		m = exc ? exc_text(exc) : xstrdup("");
		seterr(e, 3, "%s", m);
		e->raw = true;
		e->raised = exc && PyErr_GivenExceptionMatches(exc, PyExc_KeyboardInterrupt) ?
		            RAISE_SIGINT : RAISE_ERROR;
		free(m);
		Py_XDECREF(exc);
		return false;
	}
	args = PyObject_GetAttrString(exc, "args");
	msg = args && PyTuple_Size(args) > 0 ? PyTuple_GetItem(args, 0) : NULL;
	code = args && PyTuple_Size(args) > 1 ? PyTuple_GetItem(args, 1) : NULL;
	m = py_str(msg);
	seterr(e, code ? (int)PyLong_AsLong(code) : 3, "%s", m ? m : "");
	e->raw = true;
	PyErr_Clear();
	free(m);
	Py_XDECREF(args);
	Py_DECREF(exc);
	return true;
}
