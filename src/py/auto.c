/* The dodo.py front-end's side of `dodo auto`: loading the task file again without
 * restarting the interpreter, what a load ran (the task file, local modules, listed
 * folders), and the tasks' `watch` entries. Calls the _dodo_auto module. */
#include "py.h"

#include <stdlib.h>

#include "graph.h"

/* Append str() of each item of an iterable to out (malloc'd). 0, or -1 with an
 * exception set. */
static int strings_into(PyObject *seq, struct vec *out)
{
	PyObject *it = PyObject_GetIter(seq), *item;

	if (!it)
		return -1;
	while ((item = PyIter_Next(it))) {
		PyObject *s = PyOS_FSPath(item);
		char *c = NULL;

		if (!s) {
			PyErr_Clear();
			s = PyObject_Str(item);
		}
		if (s && PyBytes_Check(s)) {
			PyObject *u = PyUnicode_DecodeFSDefault(PyBytes_AsString(s));
			Py_SETREF(s, u);
		}
		c = py_str(s);
		if (c)
			vec_push(out, c);
		Py_XDECREF(s);
		Py_DECREF(item);
	}
	Py_DECREF(it);
	return PyErr_Occurred() ? -1 : 0;
}

void py_release(struct loader *l)
{
	size_t i;

	if (!pyfront.started)
		return;
	for (i = 0; i < pyfront.objs.n; i++)
		Py_DECREF((PyObject *)pyfront.objs.v[i]);
	vec_free(&pyfront.objs);
	pyfront.g = NULL;
	free(pyfront.initial_workdir);
	pyfront.initial_workdir = NULL;
	fflush(stdout);
}

int py_sources(struct loader *l, struct vec *files, struct vec *dirs)
{
	PyObject *r;
	int rc = -1;

	if (!pyfront.started)
		return -1;
	r = py_call_in("_dodo_auto", "sources", Py_BuildValue("(s)", pyfront.dodo_path ? pyfront.dodo_path : ""));
	if (r && PyTuple_Check(r) && PyTuple_Size(r) == 2 &&
	    strings_into(PyTuple_GetItem(r, 0), files) == 0 &&
	    strings_into(PyTuple_GetItem(r, 1), dirs) == 0)
		rc = 0;
	if (rc < 0) {
		char *tb = py_exc_text();
		warn("dodo auto: cannot tell which modules the task file imported:\n%s", tb);
		free(tb);
	}
	Py_XDECREF(r);
	return rc;
}

void py_refresh(struct loader *l, const struct vec *changed)
{
	PyObject *list, *r = NULL;
	size_t i;

	if (!pyfront.started)
		return;
	list = PyList_New(0);
	for (i = 0; list && i < changed->n; i++) {
		PyObject *s = PyUnicode_DecodeFSDefault(changed->v[i]);
		if (!s || PyList_Append(list, s) < 0)
			Py_CLEAR(list);
		Py_XDECREF(s);
	}
	if (list)
		r = py_call_in("_dodo_auto", "refresh", Py_BuildValue("(N)", list));
	if (!r) {
		char *tb = py_exc_text();
		warn("dodo auto: cannot forget the changed modules:\n%s", tb);
		free(tb);
	}
	Py_XDECREF(r);
}

int py_task_watch(struct frontend *fe, struct task *t, struct vec *out, struct err *e)
{
	PyObject *w;
	int rc = 0;

	if (!t->fe)
		return 0;
	w = PyObject_GetAttrString((PyObject *)t->fe, "watch");
	if (!w) {
		PyErr_Clear();
		return 0;
	}
	if (w != Py_None && strings_into(w, out) < 0) {
		char *tb = py_exc_text();
		rc = seterr(e, 3, "task '%s': cannot read its watch entries:\n%s", t->name, tb);
		free(tb);
	}
	Py_DECREF(w);
	return rc;
}
