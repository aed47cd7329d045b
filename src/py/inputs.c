/* What the last load of dodo.py depended on (for the no-op cache), and the command
 * actions the engine can build without Python. Calls the _dodo_inputs module. */
#include "py.h"

#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "hash.h"
#include "inputs.h"

/* Call _dodo_inputs.<fn>(args...) (args: a new tuple, stolen). */
static PyObject *inputs_call(const char *fn, PyObject *args)
{
	return py_call_in("_dodo_inputs", fn, args);
}

/* A malloc'd copy of bytes or str (file system encoding), or NULL. */
static char *py_bytes(PyObject *o)
{
	PyObject *b = NULL;
	char *s = NULL;

	if (PyBytes_Check(o))
		b = Py_NewRef(o);
	else if (PyUnicode_Check(o))
		b = PyUnicode_EncodeFSDefault(o);
	if (b && !memchr(PyBytes_AS_STRING(b), '\0', (size_t)PyBytes_GET_SIZE(b)))
		s = xstrdup(PyBytes_AS_STRING(b));
	Py_XDECREF(b);
	return s;
}

/* Each item of attribute `key` of dict d as a fast sequence (new reference), or NULL. */
static PyObject *items(PyObject *d, const char *key)
{
	PyObject *v = PyDict_GetItemString(d, key);

	return v && v != Py_None ? PySequence_Fast(v, "not a list") : NULL;
}

static void add_file(struct load_inputs *in, PyObject *t)
{
	PyObject *path, *exists, *is_dir, *mtime, *size, *ino, *content;
	struct input *it;
	char *p;

	if (!PyArg_ParseTuple(t, "OOOOOOO", &path, &exists, &is_dir, &mtime, &size, &ino,
	                      &content) || !(p = py_bytes(path)))
		return;
	it = inputs_add(in, IN_FILE, p);
	free(p);
	it->exists = PyObject_IsTrue(exists) == 1;
	it->is_dir = PyObject_IsTrue(is_dir) == 1;
	it->mtime_ns = PyLong_AsLongLong(mtime);
	it->size = PyLong_AsLongLong(size);
	it->ino = PyLong_AsUnsignedLongLongMask(ino);
	if (PyBytes_Check(content)) {
		it->has_hash = true;
		it->hash = hash_bytes(PyBytes_AS_STRING(content), (size_t)PyBytes_GET_SIZE(content));
	}
}

static void add_list(struct load_inputs *in, PyObject *t, const char *skip)
{
	PyObject *path, *importing, *exists, *names, *seq;
	struct input *it;
	struct vec v = {0};
	Py_ssize_t i;
	char *p;

	if (!PyArg_ParseTuple(t, "OOOO", &path, &importing, &exists, &names) ||
	    !(p = py_bytes(path)))
		return;
	it = inputs_add(in, PyObject_IsTrue(importing) == 1 ? IN_LIST_IMPORT : IN_LIST, p);
	free(p);
	it->exists = PyObject_IsTrue(exists) == 1;
	seq = PySequence_Fast(names, "not a list");
	for (i = 0; seq && i < PySequence_Fast_GET_SIZE(seq); i++) {
		char *name = py_bytes(PySequence_Fast_GET_ITEM(seq, i));
		if (name)
			vec_push(&v, name);
	}
	it->hash = inputs_listing_hash((char **)v.v, v.n, it->kind, skip);
	for (i = 0; i < (Py_ssize_t)v.n; i++)
		free(v.v[i]);
	vec_free(&v);
	Py_XDECREF(seq);
}

static void add_env(struct load_inputs *in, PyObject *t)
{
	PyObject *name, *value;
	struct input *it;
	char *n;

	if (!PyArg_ParseTuple(t, "OO", &name, &value) || !(n = py_bytes(name)))
		return;
	it = inputs_add(in, IN_ENV, n);
	free(n);
	it->exists = value != Py_None;
	it->value = it->exists ? py_bytes(value) : NULL;
}

static void add_env_all(struct load_inputs *in, PyObject *seq)
{
	struct vec v = {0};
	Py_ssize_t i;
	struct input *it;

	for (i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
		char *s = py_bytes(PySequence_Fast_GET_ITEM(seq, i));
		if (s)
			vec_push(&v, s);
	}
	it = inputs_add(in, IN_ENV_ALL, "");
	it->exists = true;
	it->hash = inputs_env_hash((char **)v.v, v.n);
	for (i = 0; i < (Py_ssize_t)v.n; i++)
		free(v.v[i]);
	vec_free(&v);
}

/* Apply fn(in, item) to each item of d[key]. */
static void each(PyObject *d, const char *key, struct load_inputs *in,
                 void (*fn)(struct load_inputs *, PyObject *))
{
	PyObject *seq = items(d, key);
	Py_ssize_t i;

	for (i = 0; seq && i < PySequence_Fast_GET_SIZE(seq); i++)
		fn(in, PySequence_Fast_GET_ITEM(seq, i));
	Py_XDECREF(seq);
}

static void add_config(struct load_inputs *in, PyObject *t)
{
	PyObject *k, *v;
	char *ks, *vs;

	if (!PyArg_ParseTuple(t, "OO", &k, &v))
		return;
	ks = py_str(k);
	vs = py_str(v);
	if (ks && vs) {
		vec_push(&in->config, ks);
		vec_push(&in->config, vs);
	} else {
		free(ks);
		free(vs);
	}
}

static void add_task_arg(struct load_inputs *in, PyObject *name)
{
	char *s = py_str(name);

	if (s)
		vec_push(&in->task_args, s);
}

static void convert(PyObject *d, const char *skip, struct load_inputs *in)
{
	PyObject *seq, *v;
	Py_ssize_t i;

	each(d, "files", in, add_file);
	seq = items(d, "lists");
	for (i = 0; seq && i < PySequence_Fast_GET_SIZE(seq); i++)
		add_list(in, PySequence_Fast_GET_ITEM(seq, i), skip);
	Py_XDECREF(seq);
	each(d, "env", in, add_env);
	if ((seq = items(d, "env_all"))) {
		add_env_all(in, seq);
		Py_DECREF(seq);
	}
	each(d, "config", in, add_config);
	each(d, "task_args", in, add_task_arg);
	v = PyDict_GetItemString(d, "argv_read");
	in->argv_read = v && PyObject_IsTrue(v) == 1;
	v = PyDict_GetItemString(d, "uncacheable");
	in->uncacheable = v && v != Py_None ? py_str(v) : NULL;
}

int py_load_inputs(struct loader *l, const char *skip, struct load_inputs *out)
{
	PyObject *path, *r;

	if (!pyfront.started || !pyfront.dodo_path)
		return -1;
	path = PyUnicode_DecodeFSDefault(pyfront.dodo_path);
	r = path ? inputs_call("inputs", Py_BuildValue("(N)", path)) : NULL;
	if (!r || !PyDict_Check(r)) {
		Py_XDECREF(r);
		PyErr_Clear();
		return -1;
	}
	convert(r, skip, out);
	if (PyErr_Occurred()) {
		PyErr_Clear();
		free(out->uncacheable);
		out->uncacheable = xstrdup("the record of the load does not convert");
	}
	Py_DECREF(r);
	out->dodo_path = xstrdup(pyfront.dodo_path);
	out->initial_cwd = xstrdup(pyfront.initial_workdir ? pyfront.initial_workdir : "");
	return 0;
}

/* NULL-terminated copy of a list of str. */
static char **argv_of(PyObject *list)
{
	PyObject *seq = PySequence_Fast(list, "not a list");
	Py_ssize_t i, n;
	char **argv;

	if (!seq)
		return NULL;
	n = PySequence_Fast_GET_SIZE(seq);
	argv = xcalloc((size_t)n + 1, sizeof(*argv));
	for (i = 0; i < n; i++) {
		char *s = py_str(PySequence_Fast_GET_ITEM(seq, i));
		argv[i] = s ? s : xstrdup("");
	}
	Py_DECREF(seq);
	return argv;
}

void py_native_command(struct action *a, PyObject *task, PyObject *act)
{
	PyObject *r = inputs_call("native_command", Py_BuildValue("(OO)", task, act));

	if (!r) {
		PyErr_Clear();
		return;
	}
	if (PyUnicode_Check(r) && (a->cmd = py_str(r)))
		a->native = true;
	else if (PyList_Check(r) && (a->argv = argv_of(r)))
		a->native = true;
	PyErr_Clear();
	Py_DECREF(r);
}
