/* The engine's questions to the dodo.py front-end, answered by calling _dodo. */
#include "py.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph.h"
#include "proc.h"

/* Fill o from a (status, exc_name, message) tuple. */
static void tuple_outcome(PyObject *r, struct outcome *o)
{
	PyObject *st, *kind, *msg;
	char *k, *m;

	if (!PyArg_ParseTuple(r, "OOO", &st, &kind, &msg)) {
		char *tb = py_exc_text();
		outcome_set(o, OUT_ERROR, "TaskError", tb);
		free(tb);
		return;
	}
	k = py_str(kind);
	m = py_str(msg);
	outcome_set(o, (int)PyLong_AsLong(st), k, m);
	free(k);
	free(m);
}

/* A Python exception inside the front-end: _dodo.ActionError carries the outcome;
 * anything else becomes a task error with its traceback. */
static void exc_outcome(struct outcome *o, const char *prefix)
{
	PyObject *type, *value, *trace, *cls, *args;
	char *tb, *msg;

	PyErr_Fetch(&type, &value, &trace);
	PyErr_NormalizeException(&type, &value, &trace);
	cls = PyObject_GetAttrString(pyfront.mod, "ActionError");
	if (cls && value && PyObject_IsInstance(value, cls) == 1) {
		args = PyObject_GetAttrString(value, "args");
		if (args)
			tuple_outcome(args, o);
		else
			outcome_set(o, OUT_ERROR, "TaskError", prefix);
		PyErr_Clear();
		Py_XDECREF(args);
		Py_XDECREF(type);
		Py_XDECREF(value);
		Py_XDECREF(trace);
		Py_DECREF(cls);
		return;
	}
	Py_XDECREF(cls);
	PyErr_Clear();
	PyErr_Restore(type, value, trace);
	tb = py_exc_text();
	msg = xasprintf("%s\n%s", prefix, tb);
	outcome_set(o, OUT_ERROR, "TaskError", msg);
	free(msg);
	free(tb);
}

/* The action's out and err (text) into a->out, a->err as UTF-8; a lone surrogate as
 * its three bytes, which the json reporter shows as Python's json does. */
static void read_output(struct action *a)
{
	static const char *names[] = {"out", "err"};
	int i;

	for (i = 0; i < 2; i++) {
		struct buf *b = i ? &a->err : &a->out;
		PyObject *v = PyObject_GetAttrString(a->fe, names[i]), *text = NULL, *bytes = NULL;

		if (v && v != Py_None)
			text = PyObject_Str(v);
		if (text)
			bytes = PyUnicode_AsEncodedString(text, "utf-8", "surrogatepass");
		Py_XDECREF(text);
		PyErr_Clear();
		buf_reset(b);
		if (bytes)
			buf_add(b, PyBytes_AS_STRING(bytes), (size_t)PyBytes_GET_SIZE(bytes));
		Py_XDECREF(bytes);
		Py_XDECREF(v);
	}
}

static int strings_into(PyObject *seq_obj, struct vec *out)
{
	PyObject *seq = PySequence_Fast(seq_obj, "not a list");
	Py_ssize_t i, n;

	if (!seq)
		return -1;
	n = PySequence_Fast_GET_SIZE(seq);
	for (i = 0; i < n; i++) {
		PyObject *it = PySequence_Fast_GET_ITEM(seq, i);
		PyObject *s = PyOS_FSPath(it);
		char *c;

		if (!s) {
			PyErr_Clear();
			s = PyObject_Str(it);
		}
		c = py_str(s);
		Py_XDECREF(s);
		vec_push(out, c ? c : xstrdup(""));
	}
	Py_DECREF(seq);
	return 0;
}

/* cwd and env from the action's Popen keyword arguments. */
static int spawn_options(PyObject *act, struct cmdspec *spec)
{
	PyObject *kw = PyObject_GetAttrString(act, "pkwargs"), *cwd, *env;
	PyObject *key, *val;
	Py_ssize_t pos = 0;

	if (!kw || !PyDict_Check(kw)) {
		PyErr_Clear();
		Py_XDECREF(kw);
		return 0;
	}
	cwd = PyDict_GetItemString(kw, "cwd");
	if (cwd && cwd != Py_None) {
		PyObject *p = PyOS_FSPath(cwd);
		spec->cwd = py_str(p);
		Py_XDECREF(p);
	}
	env = PyDict_GetItemString(kw, "env");
	if (env && PyDict_Check(env)) {
		spec->has_env = true;
		while (PyDict_Next(env, &pos, &key, &val)) {
			char *k = py_str(key), *v = py_str(val);
			vec_push(&spec->env, xasprintf("%s=%s", k ? k : "", v ? v : ""));
			free(k);
			free(v);
		}
	}
	PyErr_Clear();
	Py_DECREF(kw);
	return 0;
}

static int op_expand(struct frontend *fe, struct task *t, struct action *a,
                     struct cmdspec *spec, struct outcome *o)
{
	PyObject *r = py_call("expand_cmd", Py_BuildValue("(OO)", t->fe, a->fe));

	if (!r) {
		exc_outcome(o, "CmdAction Error creating command string");
		return -1;
	}
	if (PyUnicode_Check(r))
		spec->cmd = py_str(r);
	else if (strings_into(r, &spec->argv) < 0) {
		Py_DECREF(r);
		exc_outcome(o, "CmdAction Error creating command string");
		return -1;
	}
	Py_DECREF(r);
	if (spec->cmd && !a->shell) {
		vec_push(&spec->argv, spec->cmd);
		spec->cmd = NULL;
	}
	return spawn_options(a->fe, spec);
}

static int op_cmd_done(struct frontend *fe, struct task *t, struct action *a, int rc,
                       struct outcome *o)
{
	PyObject *r = py_call("cmd_done", Py_BuildValue("(OOiy#y#)", t->fe, a->fe, rc,
	                                                buf_str(&a->out), (Py_ssize_t)a->out.len,
	                                                buf_str(&a->err), (Py_ssize_t)a->err.len));

	if (!r) {
		exc_outcome(o, "CmdAction Error");
		return -1;
	}
	tuple_outcome(r, o);
	Py_DECREF(r);
	if (a->mode == MODE_NORMAL)
		read_output(a);     /* the text doit keeps: decoded as the action says */
	return 0;
}

/* What doit prints for exc when its worker (-n) sent it back: the same type made
 * from str(exc), uncaught (malloc'd). */
static char *worker_text(PyObject *exc, bool system_exit)
{
	PyObject *s = PyObject_Str(exc);
	char *text = py_str(s), *r;

	PyErr_Clear();
	Py_XDECREF(s);
	if (system_exit)
		r = xasprintf("%s\n", text ? text : "");
	else
		r = xasprintf("Traceback (most recent call last):\n%s%s%s\n", Py_TYPE(exc)->tp_name,
		              text && *text ? ": " : "", text ? text : "");
	free(text);
	return r;
}

/* SystemExit and KeyboardInterrupt from an action end the run (after it is wound up)
 * and dodo, as they end doit: o says how. False for other exceptions (left set). */
static bool run_ending(struct outcome *o)
{
	bool exit_ = PyErr_ExceptionMatches(PyExc_SystemExit);
	PyObject *type, *value, *tb;
	struct err e = {0};
	char *worker;

	if (!exit_ && !PyErr_ExceptionMatches(PyExc_KeyboardInterrupt))
		return false;
	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	if (tb && value)
		PyException_SetTraceback(value, tb);
	worker = value ? worker_text(value, exit_) : xstrdup("");
	PyErr_Restore(type, value, tb);
	py_exc_to_err(&e);
	outcome_set(o, OUT_ERROR, worker, e.msg);
	o->raised = e.raised;
	o->exit_code = e.code;
	free(worker);
	return true;
}

static int op_run_call(struct frontend *fe, struct task *t, struct action *a, int verbosity,
                       struct outcome *o)
{
	PyObject *r = py_call("run_python", Py_BuildValue("(OOi)", t->fe, a->fe, verbosity));

	fflush(stdout);
	if (!r && run_ending(o))
		return -1;
	if (!r) {
		exc_outcome(o, "PythonAction Error");
		return -1;
	}
	tuple_outcome(r, o);
	Py_DECREF(r);
	read_output(a);
	return 0;
}

/* ---- Python actions in a forked copy (-P process, doit's MRunner) ----
 * The child runs the action as op_run_call would and sends back one reply:
 * the outcome (status, exit, exit code, kind, message as length-prefixed
 * fields) and a pickle of what the action keeps (out, err, result, values),
 * which the parent puts on its own action object. */

static void put_field(struct buf *b, const char *s, size_t n)
{
	uint32_t len = (uint32_t)n;

	buf_add(b, &len, sizeof(len));
	buf_add(b, s ? s : "", n);
}

static bool get_field(const char **p, const char *end, const char **s, size_t *n)
{
	uint32_t len;

	if ((size_t)(end - *p) < sizeof(len))
		return false;
	memcpy(&len, *p, sizeof(len));
	*p += sizeof(len);
	if ((size_t)(end - *p) < len)
		return false;
	*s = *p;
	*n = len;
	*p += len;
	return true;
}

static void forked_child(struct task *t, struct action *a, int verbosity, int fd)
{
	struct outcome o = {0};
	struct buf reply = {0};
	PyObject *kept;
	char num[64];

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	op_run_call(NULL, t, a, verbosity, &o);
	kept = py_call("forked_state", Py_BuildValue("(O)", a->fe));
	if (!kept || !PyBytes_Check(kept)) {
		char *tb = py_exc_text();
		outcome_set(&o, OUT_ERROR, "TaskError", tb);
		free(tb);
	}
	snprintf(num, sizeof(num), "%d %d %d", o.status, (int)o.raised, o.exit_code);
	put_field(&reply, num, strlen(num));
	put_field(&reply, o.kind, o.kind ? strlen(o.kind) : 0);
	put_field(&reply, o.msg, o.msg ? strlen(o.msg) : 0);
	if (kept && PyBytes_Check(kept))
		put_field(&reply, PyBytes_AS_STRING(kept), (size_t)PyBytes_GET_SIZE(kept));
	write_all(fd, reply.data, reply.len);
	fflush(stdout);
	fflush(stderr);
	_exit(0);
}

static int op_fork_call(struct frontend *fe, struct task *t, struct action *a, int verbosity,
                        struct proc *p, struct buf *reply, struct err *e)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return seterr(e, 2, "cannot fork a Python action: %s", strerror(errno));
	fflush(NULL);
	PyOS_BeforeFork();
	pid = fork();
	if (pid == 0) {
		PyOS_AfterFork_Child();
		close(fds[0]);
		forked_child(t, a, verbosity, fds[1]);
	}
	PyOS_AfterFork_Parent();
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return seterr(e, 2, "cannot fork a Python action: %s", strerror(errno));
	}
	proc_attach(p, pid, fds[0], reply);
	return 0;
}

static void op_forget_run(struct frontend *fe, struct task *t)
{
	PyObject *r;

	if (!t->fe)
		return;
	r = py_call("forget_run", Py_BuildValue("(O)", t->fe));
	if (!r)
		PyErr_Clear();
	Py_XDECREF(r);
}

static void op_forked_done(struct frontend *fe, struct task *t, struct action *a,
                           const struct buf *reply, int rc, struct outcome *o)
{
	const char *p = reply->data, *end = p + reply->len, *f[4];
	size_t n[4];
	int i, status, raised, code;
	char *kind, *msg, num[64];
	PyObject *r;

	for (i = 0; i < 4; i++)
		if (!p || !get_field(&p, end, &f[i], &n[i]))
			break;
	if (i < 4 || n[0] >= sizeof(num)) {
		msg = rc < 0 ? xasprintf("the process running the Python action was killed by "
		                         "signal %d\n", -rc) :
		      xasprintf("the process running the Python action ended (exit code %d) "
		                "without its result\n", rc);
		outcome_set(o, OUT_ERROR, "TaskError", msg);
		free(msg);
		return;
	}
	memcpy(num, f[0], n[0]);
	num[n[0]] = '\0';
	if (sscanf(num, "%d %d %d", &status, &raised, &code) != 3)
		status = OUT_ERROR, raised = RAISE_NONE, code = 0;
	kind = n[1] ? xstrndup(f[1], n[1]) : NULL;
	msg = n[2] ? xstrndup(f[2], n[2]) : NULL;
	outcome_set(o, status, kind, msg);
	o->raised = raised >= RAISE_NONE && raised <= RAISE_SIGINT ? (enum err_raise)raised :
	            RAISE_NONE;
	o->exit_code = code;
	free(kind);
	free(msg);
	r = py_call("forked_restore", Py_BuildValue("(Oy#)", a->fe, f[3], (Py_ssize_t)n[3]));
	if (!r) {
		exc_outcome(o, "PythonAction Error");
		return;
	}
	Py_DECREF(r);
	read_output(a);
}

static int op_uptodate(struct frontend *fe, struct task *t, size_t index, int *res,
                       struct err *e)
{
	PyObject *r = py_call("call_uptodate", Py_BuildValue("(On)", t->fe, (Py_ssize_t)index));

	if (!r) {
		py_exc_to_err(e);
		return -1;
	}
	*res = r == Py_None ? -1 : PyObject_IsTrue(r);
	Py_DECREF(r);
	return 0;
}

static char *op_title(struct frontend *fe, struct task *t)
{
	PyObject *r = py_call("title", Py_BuildValue("(O)", t->fe));
	char *s;

	if (!r) {
		if (pyfront.raised.raised == RAISE_NONE)
			py_exc_to_err(&pyfront.raised);
		PyErr_Clear();
		return NULL;
	}
	s = py_str(r);
	Py_DECREF(r);
	return s ? s : xstrdup(t->name);
}

static int op_take_raised(struct frontend *fe, struct err *e)
{
	if (pyfront.raised.raised == RAISE_NONE)
		return 0;
	*e = pyfront.raised;
	pyfront.raised.raised = RAISE_NONE;
	return 1;
}

static int op_parse_args(struct frontend *fe, struct task *t, char **args, size_t n,
                         size_t *consumed, struct err *e)
{
	PyObject *list = PyList_New((Py_ssize_t)n), *r;
	size_t i;

	for (i = 0; list && i < n; i++)
		PyList_SET_ITEM(list, (Py_ssize_t)i, PyUnicode_DecodeFSDefault(args[i]));
	r = list ? py_call("parse_task_args", Py_BuildValue("(ON)", t->fe, list)) : NULL;
	if (!r) {
		py_exc_to_err(e);
		return -1;
	}
	*consumed = n - (size_t)PySequence_Size(r);
	Py_DECREF(r);
	return 0;
}

/* The files that made t run, as task.dep_changed. */
static int set_dep_changed(struct task *t)
{
	PyObject *list = PyList_New((Py_ssize_t)t->dep_changed.n);
	size_t i;
	int rc;

	if (!list)
		return -1;
	for (i = 0; i < t->dep_changed.n; i++) {
		struct node *n = t->dep_changed.v[i];
		PyList_SET_ITEM(list, (Py_ssize_t)i, PyUnicode_DecodeFSDefault(n->path));
	}
	rc = PyObject_SetAttrString(t->fe, "dep_changed", list);
	Py_DECREF(list);
	return rc;
}

static int op_prepare(struct frontend *fe, struct task *t, struct err *e)
{
	PyObject *r = set_dep_changed(t) < 0 ? NULL :
	              py_call("prepare", Py_BuildValue("(O)", t->fe));

	if (!r) {
		py_exc_to_err(e);
		return -1;
	}
	Py_DECREF(r);
	return 0;
}

/* Is the current exception _dodo.<name>? Then take its message into e (raw, code 3,
 * raised as doit's error); else leave it set. */
static bool take_dodo_exc(const char *name, struct err *e)
{
	PyObject *type, *value, *tb, *cls, *msg;
	char *m;

	PyErr_Fetch(&type, &value, &tb);
	cls = PyObject_GetAttrString(pyfront.mod, name);
	if (!cls || !type || !PyErr_GivenExceptionMatches(type, cls)) {
		Py_XDECREF(cls);
		PyErr_Clear();
		PyErr_Restore(type, value, tb);
		return false;
	}
	Py_DECREF(cls);
	PyErr_NormalizeException(&type, &value, &tb);
	msg = value ? PyObject_GetAttrString(value, "message") : NULL;
	m = py_str(msg);
	PyErr_Clear();
	seterr(e, 3, "%s", m ? m : "");
	e->raw = true;
	e->raised = RAISE_ERROR;
	free(m);
	Py_XDECREF(msg);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	return true;
}

static int op_finish(struct frontend *fe, struct task *t, char **values, char **result,
                     struct err *e)
{
	PyObject *r = py_call("finish", Py_BuildValue("(O)", t->fe)), *v, *res;

	if (!r && take_dodo_exc("Unsavable", e))
		return -2;
	if (!r || !PyArg_ParseTuple(r, "OO", &v, &res)) {
		Py_XDECREF(r);
		py_exc_to_err(e);
		return -1;
	}
	*values = py_str(v);
	*result = py_str(res);
	Py_DECREF(r);
	return 0;
}

static void op_restore(struct frontend *fe, struct task *t, const char *values_json)
{
	PyObject *json = PyImport_ImportModule("json"), *v = NULL;

	if (json && values_json)
		v = PyObject_CallMethod(json, "loads", "s", values_json);
	else if (json)
		v = PyDict_New();
	if (!v || PyObject_SetAttrString(t->fe, "values", v) < 0)
		PyErr_Clear();
	Py_XDECREF(v);
	Py_XDECREF(json);
}

static int op_calc_dep(struct frontend *fe, struct graph *g, struct task *t,
                       struct task *calc, struct err *e)
{
	PyObject *r;

	if (!t->fe || !calc->fe)
		return 0;
	r = py_call("apply_calc_dep", Py_BuildValue("(OO)", t->fe, calc->fe));
	if (!r) {
		py_exc_to_err(e);
		return -1;
	}
	Py_DECREF(r);
	return py_sync_deps(g, t, e);
}

static int op_match_target(struct frontend *fe, struct task *t, const char *target)
{
	PyObject *re = PyImport_ImportModule("re"), *m = NULL;
	int rc = 0;

	if (re && t->target_regex)
		m = PyObject_CallMethod(re, "match", "ss", t->target_regex, target);
	if (m)
		rc = m != Py_None;
	else
		PyErr_Clear();
	Py_XDECREF(m);
	Py_XDECREF(re);
	return rc;
}

static int op_create_delayed(struct frontend *fe, struct graph *g, struct task *t,
                             struct err *e)
{
	PyObject *r = py_call("create_delayed", Py_BuildValue("(s)", t->name));
	int rc;

	if (!r) {
		py_exc_to_err(e);
		return -1;
	}
	rc = py_convert_delayed(g, r, e);
	Py_DECREF(r);
	return rc;
}

const struct frontend_ops py_frontend_ops = {
	.expand = op_expand,
	.cmd_done = op_cmd_done,
	.run_call = op_run_call,
	.fork_call = op_fork_call,
	.forked_done = op_forked_done,
	.forget_run = op_forget_run,
	.uptodate = op_uptodate,
	.title = op_title,
	.take_raised = op_take_raised,
	.parse_args = op_parse_args,
	.prepare = op_prepare,
	.finish = op_finish,
	.restore = op_restore,
	.calc_dep = op_calc_dep,
	.match_target = op_match_target,
	.create_delayed = op_create_delayed,
};
