/* Reporters written in Python (a class in DOIT_CONFIG, a [REPORTER] plugin): each
 * callback of the engine calls the Python reporter's method with the Python Task. */
#include "py.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "report.h"

static void report_exc(void)
{
	char *tb;

	if (!PyErr_Occurred())
		return;
	tb = py_exc_text();
	fflush(stdout);
	fputs(tb, stderr);
	free(tb);
}

/* Flush Python's sys.stdout: the reporter writes there, the engine to stdout. */
static void flush_out(void)
{
	PyObject *out = PySys_GetObject("stdout"), *r;

	if (!out)
		return;
	r = PyObject_CallMethod(out, "flush", NULL);
	if (!r)
		PyErr_Clear();
	Py_XDECREF(r);
}

/* obj.<method>(arg) when obj has the method (args stolen, may be NULL: no argument). */
static void call(struct reporter *r, const char *method, PyObject *arg)
{
	PyObject *obj = r->ctx, *res;

	fflush(stdout);
	if (!PyObject_HasAttrString(obj, method)) {
		Py_XDECREF(arg);
		return;
	}
	res = arg ? PyObject_CallMethod(obj, method, "O", arg) :
	      PyObject_CallMethod(obj, method, NULL);
	if (!res)
		report_exc();
	Py_XDECREF(res);
	Py_XDECREF(arg);
	flush_out();
}

/* The Python Task of t, with the run's effective verbosity (new reference). */
static PyObject *task_obj(struct task *t)
{
	PyObject *v;

	if (!t->fe)
		Py_RETURN_NONE;
	if (t->verbosity >= 0) {
		v = PyLong_FromLong(t->verbosity);
		if (!v || PyObject_SetAttrString(t->fe, "verbosity", v) < 0)
			PyErr_Clear();
		Py_XDECREF(v);
	}
	if (PyObject_SetAttrString(t->fe, "executed", t->executed ? Py_True : Py_False) < 0)
		PyErr_Clear();
	return Py_NewRef((PyObject *)t->fe);
}

static void on_task(struct reporter *r, struct task *t, const char *method)
{
	call(r, method, task_obj(t));
}

static void get_status(struct reporter *r, struct task *t)
{
	on_task(r, t, "get_status");
}

static void execute_task(struct reporter *r, struct task *t)
{
	on_task(r, t, "execute_task");
}

static void add_success(struct reporter *r, struct task *t)
{
	on_task(r, t, "add_success");
}

static void skip_uptodate(struct reporter *r, struct task *t)
{
	on_task(r, t, "skip_uptodate");
}

static void skip_ignore(struct reporter *r, struct task *t)
{
	on_task(r, t, "skip_ignore");
}

static void teardown_task(struct reporter *r, struct task *t)
{
	on_task(r, t, "teardown_task");
}

static PyObject *failure(const char *kind, const char *msg)
{
	return py_cmds_call("failure", Py_BuildValue("(ss)", kind ? kind : "TaskError",
	                                             msg ? msg : ""));
}

static void add_failure(struct reporter *r, struct task *t, const struct outcome *o)
{
	PyObject *obj = r->ctx, *task = task_obj(t), *exc = failure(o->kind, o->msg), *res;

	fflush(stdout);
	if (exc && o->silent && PyObject_SetAttrString(exc, "report", Py_False) < 0)
		Py_CLEAR(exc);
	res = exc ? PyObject_CallMethod(obj, "add_failure", "OO", task, exc) : NULL;
	if (!res)
		report_exc();
	Py_XDECREF(res);
	Py_XDECREF(exc);
	Py_DECREF(task);
	flush_out();
}

static void cleanup_error(struct reporter *r, const char *msg)
{
	PyObject *exc = failure("SetupError", msg);

	if (exc)
		call(r, "cleanup_error", exc);
	else
		report_exc();
}

static void runtime_error(struct reporter *r, const char *msg)
{
	call(r, "runtime_error", PyUnicode_FromString(msg));
}

static void complete_run(struct reporter *r)
{
	call(r, "complete_run", NULL);
	fflush(r->out);
}

/* doit's runner calls initialize(tasks, selected_tasks) when the reporter has it. */
static void initialize(struct reporter *r, const struct vec *selected)
{
	PyObject *tasks = py_call("tasks", PyTuple_New(0)), *sel = PyList_New(0), *res = NULL;
	size_t i;

	for (i = 0; sel && selected && i < selected->n; i++) {
		PyObject *s = PyUnicode_FromString(selected->v[i]);
		if (!s || PyList_Append(sel, s) < 0)
			Py_CLEAR(sel);
		Py_XDECREF(s);
	}
	fflush(stdout);
	if (tasks && sel && PyObject_HasAttrString(r->ctx, "initialize"))
		res = PyObject_CallMethod(r->ctx, "initialize", "OO", tasks, sel);
	else
		res = Py_NewRef(Py_None);
	if (!res)
		report_exc();
	Py_XDECREF(res);
	Py_XDECREF(tasks);
	Py_XDECREF(sel);
	flush_out();
}

static void free_reporter(struct reporter *r)
{
	Py_XDECREF((PyObject *)r->ctx);
	r->ctx = NULL;
}

static const struct reporter_ops py_reporter_ops = {
	get_status, execute_task, add_failure, add_success, skip_uptodate, skip_ignore,
	teardown_task, cleanup_error, runtime_error, complete_run, free_reporter, initialize,
};

/* Point Python's sys.stdout at out when it is not the process's stdout (-o FILE). */
static PyObject *stream_for(FILE *out)
{
	int fd = fileno(out);

	if (out == stdout)
		return NULL;
	return PyFile_FromFd(dup(fd), NULL, "w", 1, "utf-8", NULL, NULL, 1);
}

struct reporter *py_reporter_new(struct frontend *fe, const char *name, struct graph *g,
                                 FILE *out, int failure_verbosity)
{
	PyObject *cls, *obj, *stream, *saved = NULL;
	struct reporter *r;

	if (!pyfront.started)
		return NULL;
	cls = py_cmds_call("reporter_class", Py_BuildValue("(s)", name));
	if (!cls || cls == Py_None) {
		if (!cls)
			report_exc();
		Py_XDECREF(cls);
		return NULL;
	}
	stream = stream_for(out);
	if (stream) {
		saved = Py_XNewRef(PySys_GetObject("stdout"));
		PySys_SetObject("stdout", stream);
	}
	obj = py_cmds_call("new_reporter", Py_BuildValue("(Oi)", cls, failure_verbosity));
	if (stream) {
		PySys_SetObject("stdout", saved);
		Py_XDECREF(saved);
		Py_DECREF(stream);
	}
	Py_DECREF(cls);
	if (!obj) {
		report_exc();
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->ops = &py_reporter_ops;
	r->g = g;
	r->out = out;
	r->failure_verbosity = failure_verbosity;
	r->ctx = obj;
	return r;
}
