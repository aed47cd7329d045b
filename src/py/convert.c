/* Loaded Task objects into engine tasks. */
#include "py.h"

#include <stdlib.h>
#include <string.h>

#include "graph.h"

/* Keep a reference for the life of the front-end; return the borrowed pointer. */
static void *keep(PyObject *o)
{
	Py_INCREF(o);
	vec_push(&pyfront.objs, o);
	return o;
}

static PyObject *attr(PyObject *o, const char *name)
{
	PyObject *v = PyObject_GetAttrString(o, name);

	if (!v)
		PyErr_Clear();
	return v;
}

static char *attr_str(PyObject *o, const char *name)
{
	PyObject *v = attr(o, name);
	char *s = py_str(v);

	Py_XDECREF(v);
	return s;
}

static int attr_bool(PyObject *o, const char *name)
{
	PyObject *v = attr(o, name);
	int r = v ? PyObject_IsTrue(v) : 0;

	Py_XDECREF(v);
	if (r < 0) {
		PyErr_Clear();
		r = 0;
	}
	return r;
}

static long attr_int(PyObject *o, const char *name, long dflt)
{
	PyObject *v = attr(o, name);
	long r = dflt;

	if (v && v != Py_None) {
		r = PyLong_AsLong(v);
		if (r == -1 && PyErr_Occurred()) {
			PyErr_Clear();
			r = dflt;
		}
	}
	Py_XDECREF(v);
	return r;
}

/* Call fn(graph, task, item) for each str() of an iterable attribute (from index `from`). */
static int each_str(PyObject *o, const char *name, size_t from, struct graph *g,
                    struct task *t, void (*fn)(struct graph *, struct task *, const char *))
{
	PyObject *v = attr(o, name), *seq;
	Py_ssize_t i, n;

	if (!v || v == Py_None) {
		Py_XDECREF(v);
		return 0;
	}
	seq = PySequence_Fast(v, "not a sequence");
	Py_DECREF(v);
	if (!seq)
		return -1;
	n = PySequence_Fast_GET_SIZE(seq);
	for (i = (Py_ssize_t)from; i < n; i++) {
		PyObject *it = PySequence_Fast_GET_ITEM(seq, i);
		PyObject *s = PyOS_FSPath(it);
		char *c;
		if (!s) {
			PyErr_Clear();
			s = PyObject_Str(it);
		}
		c = py_str(s);
		Py_XDECREF(s);
		if (c)
			fn(g, t, c);
		free(c);
	}
	Py_DECREF(seq);
	return 0;
}

static void add_file_dep(struct graph *g, struct task *t, const char *s)
{
	task_add_file_dep(g, t, s);
}

static void add_target(struct graph *g, struct task *t, const char *s)
{
	task_add_target(g, t, s);
}

static void add_task_dep(struct graph *g, struct task *t, const char *s)
{
	vec_push(&t->task_dep, xstrdup(s));
}

static void add_task_dep_new(struct graph *g, struct task *t, const char *s)
{
	namelist_add(&t->task_dep, s);
}

static void add_wild(struct graph *g, struct task *t, const char *s)
{
	vec_push(&t->wild_dep, xstrdup(s));
}

static void add_setup(struct graph *g, struct task *t, const char *s)
{
	vec_push(&t->setup, xstrdup(s));
}

static void add_calc(struct graph *g, struct task *t, const char *s)
{
	namelist_add(&t->calc_dep, s);
}

static int convert_actions(struct task *t, PyObject *task, const char *name, bool teardown)
{
	PyObject *v = attr(task, name), *seq;
	Py_ssize_t i, n;

	if (!v || v == Py_None) {
		Py_XDECREF(v);
		return 0;
	}
	seq = PySequence_Fast(v, "actions must be a list");
	Py_DECREF(v);
	if (!seq)
		return -1;
	n = PySequence_Fast_GET_SIZE(seq);
	for (i = 0; i < n; i++) {
		PyObject *act = PySequence_Fast_GET_ITEM(seq, i);
		char *kind = attr_str(act, "kind"), *mode = attr_str(act, "mode");
		struct action *a = task_add_action(t, kind && strcmp(kind, "cmd") == 0 ?
		                                   ACTION_CMD : ACTION_CALL, teardown);
		a->fe = keep(act);
		a->expand = true;
		a->shell = attr_bool(act, "shell");
		if (a->kind == ACTION_CMD)
			py_native_command(a, task, act);
		if (mode && strcmp(mode, "long") == 0)
			a->mode = MODE_LONG;
		else if (mode && strcmp(mode, "interactive") == 0)
			a->mode = MODE_INTERACTIVE;
		free(kind);
		free(mode);
	}
	Py_DECREF(seq);
	return 0;
}

static int convert_uptodate(struct task *t, PyObject *task, size_t from)
{
	PyObject *v = attr(task, "uptodate"), *seq;
	Py_ssize_t i, n;

	if (!v || v == Py_None) {
		Py_XDECREF(v);
		return 0;
	}
	seq = PySequence_Fast(v, "uptodate must be a list");
	Py_DECREF(v);
	if (!seq)
		return -1;
	n = PySequence_Fast_GET_SIZE(seq);
	for (i = (Py_ssize_t)from; i < n; i++) {
		PyObject *ent = PySequence_Fast_GET_ITEM(seq, i);
		PyObject *obj = PyTuple_Check(ent) && PyTuple_Size(ent) > 0 ?
		                PyTuple_GetItem(ent, 0) : ent;
		struct uptodate *u;

		if (obj == Py_None || PyBool_Check(obj)) {
			u = task_add_uptodate(t, UTD_CONST);
			u->value = obj == Py_None ? -1 : obj == Py_True;
		} else if (PyUnicode_Check(obj)) {
			u = task_add_uptodate(t, UTD_SHELL);
			u->cmd = py_str(obj);
		} else {
			u = task_add_uptodate(t, UTD_FRONTEND);
		}
		u->index = (size_t)i;
	}
	Py_DECREF(seq);
	return 0;
}

static int convert_one(struct graph *g, PyObject *task, bool replace, struct err *e)
{
	char *name = attr_str(task, "name");
	PyObject *loader, *title;
	struct task *t;
	int rc = -1;

	if (!name)
		return seterr(e, 3, "a task without a name");
	t = replace ? graph_replace_task(g, name) : graph_add_task(g, name, e);
	free(name);
	if (!t)
		return -1;
	t->fe = keep(task);
	t->doc = attr_str(task, "doc");
	t->abort_msg = attr_str(task, "actions_error");
	t->verbosity = (int)attr_int(task, "verbosity", -1);
	t->has_subtask = attr_bool(task, "has_subtask");
	t->subtask_of = attr_str(task, "subtask_of");
	if (t->subtask_of && !*t->subtask_of) {   /* doit tests it for truth */
		free(t->subtask_of);
		t->subtask_of = NULL;
	}
	loader = attr(task, "loader");
	if (loader && loader != Py_None && PyObject_IsTrue(loader) > 0) {
		t->loader = attr_bool(loader, "created") ? LOADER_DONE : LOADER_PENDING;
		t->target_regex = attr_str(loader, "target_regex");
	}
	Py_XDECREF(loader);
	title = attr(task, "custom_title");
	t->custom_title = title && title != Py_None;
	Py_XDECREF(title);
	PyErr_Clear();
	if (convert_actions(t, task, "actions", false) < 0 ||
	    convert_actions(t, task, "teardown", true) < 0 ||
	    each_str(task, "file_dep", 0, g, t, add_file_dep) < 0 ||
	    each_str(task, "targets", 0, g, t, add_target) < 0 ||
	    each_str(task, "task_dep", 0, g, t, add_task_dep) < 0 ||
	    each_str(task, "wild_dep", 0, g, t, add_wild) < 0 ||
	    each_str(task, "setup_tasks", 0, g, t, add_setup) < 0 ||
	    each_str(task, "calc_dep", 0, g, t, add_calc) < 0 ||
	    convert_uptodate(t, task, 0) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0 && PyErr_Occurred())
		py_exc_to_err(e);
	return rc;
}

static int convert_list(struct graph *g, PyObject *tasks, bool replace, struct err *e)
{
	PyObject *seq = PySequence_Fast(tasks, "tasks must be a list");
	Py_ssize_t i, n;

	if (!seq) {
		py_exc_to_err(e);
		return -1;
	}
	n = PySequence_Fast_GET_SIZE(seq);
	for (i = 0; i < n; i++)
		if (convert_one(g, PySequence_Fast_GET_ITEM(seq, i), replace, e) < 0) {
			Py_DECREF(seq);
			return -1;
		}
	Py_DECREF(seq);
	return 0;
}

int py_convert_tasks(struct graph *g, PyObject *tasks, struct err *e)
{
	return convert_list(g, tasks, false, e);
}

/* Delayed creation: new tasks may take the place of their placeholder. */
int py_convert_delayed(struct graph *g, PyObject *tasks, struct err *e)
{
	PyObject *seq = PySequence_Fast(tasks, "tasks must be a list");
	Py_ssize_t i, n;

	if (!seq) {
		py_exc_to_err(e);
		return -1;
	}
	n = PySequence_Fast_GET_SIZE(seq);
	for (i = 0; i < n; i++) {
		PyObject *task = PySequence_Fast_GET_ITEM(seq, i);
		char *name = attr_str(task, "name");
		bool exists = name && graph_find(g, name);
		free(name);
		if (convert_one(g, task, exists, e) < 0) {
			Py_DECREF(seq);
			return -1;
		}
	}
	Py_DECREF(seq);
	return 0;
}

int py_sync_deps(struct graph *g, struct task *t, struct err *e)
{
	PyObject *task = t->fe;

	if (each_str(task, "file_dep", 0, g, t, add_file_dep) < 0 ||
	    each_str(task, "task_dep", 0, g, t, add_task_dep_new) < 0 ||
	    each_str(task, "calc_dep", 0, g, t, add_calc) < 0 ||
	    convert_uptodate(t, task, t->uptodate.n) < 0) {
		py_exc_to_err(e);
		return -1;
	}
	return 0;
}
