/* What the last load of dodo.py depended on (for the no-op cache), and the command
 * actions the engine can build without Python. Calls the _dodo_inputs module. */
#include "py.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static void add_env_all(struct load_inputs *in, PyObject *seq, PyObject *mentioned)
{
	struct vec v = {0};
	Py_ssize_t i;
	struct input *it;
	char *m = mentioned ? py_bytes(mentioned) : NULL;

	for (i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
		char *s = py_bytes(PySequence_Fast_GET_ITEM(seq, i));
		if (s)
			vec_push(&v, s);
	}
	it = inputs_add(in, IN_ENV_ALL, m ? m : "");
	it->exists = true;
	it->hash = inputs_env_hash((char **)v.v, v.n, it->name);
	for (i = 0; i < (Py_ssize_t)v.n; i++)
		free(v.v[i]);
	vec_free(&v);
	free(m);
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
	if ((seq = items(d, "env_all"))) {
		add_env_all(in, seq, PyDict_GetItemString(d, "env_mentioned"));
		Py_DECREF(seq);
	}
	each(d, "config", in, add_config);
	each(d, "task_args", in, add_task_arg);
	v = PyDict_GetItemString(d, "argv_read");
	in->argv_read = v && PyObject_IsTrue(v) == 1;
	v = PyDict_GetItemString(d, "uncacheable");
	in->uncacheable = v && v != Py_None ? py_str(v) : NULL;
}

/* --- what the load writes to stdout and stderr -------------------------------------
 *
 * doit prints what a task file prints while it loads on every run, so the no-op replays
 * it. It is taken where every write of the interpreter goes, the C library's write():
 * dodo's own definition (the program's symbols come first for the libraries it loads)
 * passes each call on to the C library's and, while a load runs on the thread that
 * loads, keeps a copy of what reached stdout and stderr. Nothing the task file can see
 * changes: sys.stdout, the descriptors and their terminals are untouched. */

static struct load_inputs capture_in;   /* only its output is used */
static bool capturing;
static pthread_t capture_thread;

ssize_t write(int fd, const void *p, size_t n)
{
	static ssize_t (*libc_write)(int, const void *, size_t);
	ssize_t r;

	if (!libc_write)
		*(void **)&libc_write = dlsym(RTLD_NEXT, "write");
	r = libc_write(fd, p, n);
	if (capturing && r > 0 && (fd == 1 || fd == 2) &&
	    pthread_equal(pthread_self(), capture_thread))
		inputs_output_add(&capture_in, fd, p, (size_t)r);
	return r;
}

PyObject *py_capture_output(PyObject *self, PyObject *on)
{
	int v = PyObject_IsTrue(on);

	if (v < 0)
		return NULL;
	if (v) {
		buf_reset(&capture_in.output);
		capture_thread = pthread_self();
	}
	capturing = v;
	Py_RETURN_NONE;
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
	buf_add(&out->output, capture_in.output.data, capture_in.output.len);
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

/* --- the paths os.stat, os.lstat and os.access look at while a load is recorded -------
 *
 * A task file must not be able to tell: the function objects keep their identity, hash,
 * os.supports_* membership, signature and pickling. What changes while a load is
 * recorded is each object's vectorcall entry (invisible to Python), which notes the path
 * and calls the original. The interpreter's specialised call of a built-in reads the C
 * function from the method definition, bypassing vectorcall; it checks the definition's
 * flags first, so a flag that means nothing to module functions (METH_COEXIST) is set
 * meanwhile to send every call the generic way. */

enum { NOTE_STAT, NOTE_LSTAT, NOTE_ACCESS, NOTE_N };

static const char *const note_names[NOTE_N] = {"stat", "lstat", "access"};
static PyCFunctionObject *note_fn[NOTE_N];      /* the function objects, while swapped */
static vectorcallfunc note_orig[NOTE_N];
static PyObject *note_cb;       /* the callable, while a load is recorded */
static bool noting;             /* the callable is at work: its own stats are not noted */

/* Argument `name` (at position pos, -1: keyword only) of a vectorcall, or NULL. */
static PyObject *call_arg(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                          const char *name, Py_ssize_t pos)
{
	Py_ssize_t i;

	if (pos >= 0 && nargs > pos)
		return args[pos];
	for (i = 0; kwnames && i < PyTuple_GET_SIZE(kwnames); i++)
		if (PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, i), name) == 0)
			return args[nargs + i];
	return NULL;
}

static void note(PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
	Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
	PyObject *path = call_arg(args, nargs, kwnames, "path", 0);
	PyObject *dir_fd = call_arg(args, nargs, kwnames, "dir_fd", -1);
	PyObject *r;

	if (!note_cb || noting || !path || (dir_fd && dir_fd != Py_None))
		return;
	noting = true;
	r = PyObject_CallOneArg(note_cb, path);
	noting = false;
	if (r)
		Py_DECREF(r);
	else
		PyErr_Clear();
}

#define NOTING(i, fn)                                                                   \
	static PyObject *fn(PyObject *f, PyObject *const *a, size_t n, PyObject *k)     \
	{                                                                               \
		note(a, n, k);                                                          \
		return note_orig[i](f, a, n, k);                                        \
	}
NOTING(NOTE_STAT, note_stat)
NOTING(NOTE_LSTAT, note_lstat)
NOTING(NOTE_ACCESS, note_access)

static const vectorcallfunc note_fns[NOTE_N] = {note_stat, note_lstat, note_access};

static void note_off(void)
{
	int i;

	for (i = 0; i < NOTE_N; i++) {
		if (!note_fn[i])
			continue;
		note_fn[i]->vectorcall = note_orig[i];
		note_fn[i]->m_ml->ml_flags &= ~METH_COEXIST;
		Py_CLEAR(note_fn[i]);
	}
	Py_CLEAR(note_cb);
}

/* Swap in the noting calls; false (nothing swapped) when a function is not the kind of
 * built-in expected. */
static bool note_on(PyObject *cb)
{
	PyObject *posix = PyImport_ImportModule("posix"), *f = NULL;
	int i;

	for (i = 0; posix && i < NOTE_N; i++) {
		f = PyObject_GetAttrString(posix, note_names[i]);
		if (!f || !PyCFunction_CheckExact(f) || !((PyCFunctionObject *)f)->vectorcall ||
		    PyCFunction_GET_FLAGS(f) != (METH_FASTCALL | METH_KEYWORDS))
			break;
		note_fn[i] = (PyCFunctionObject *)f;
		f = NULL;
	}
	Py_XDECREF(f);
	Py_XDECREF(posix);
	PyErr_Clear();
	if (i < NOTE_N) {
		while (i-- > 0)
			Py_CLEAR(note_fn[i]);
		return false;
	}
	note_cb = Py_NewRef(cb);
	for (i = 0; i < NOTE_N; i++) {
		note_orig[i] = note_fn[i]->vectorcall;
		note_fn[i]->vectorcall = note_fns[i];
		note_fn[i]->m_ml->ml_flags |= METH_COEXIST;
	}
	return true;
}

PyObject *py_note_stat(PyObject *self, PyObject *cb)
{
	note_off();
	if (cb == Py_None)
		Py_RETURN_NONE;
	return PyBool_FromLong(note_on(cb));
}

PyObject *py_volatile_env(PyObject *self, PyObject *unused)
{
	PyObject *t = PyList_New(0);
	size_t i;

	for (i = 0; t && inputs_volatile_env[i]; i++) {
		PyObject *s = PyUnicode_FromString(inputs_volatile_env[i]);
		if (!s || PyList_Append(t, s) < 0)
			Py_CLEAR(t);
		Py_XDECREF(s);
	}
	return t;
}
