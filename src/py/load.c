/* Finding and loading dodo.py: the loader the commands use. */
#include "py.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fs.h"
#include "graph.h"

struct pyfront pyfront;

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static int not_found(const char *file, struct err *e)
{
	return seterr(e, 3, "Could not find dodo file '%s'.\nPlease use '-f' to specify "
	              "file name.\n", file);
}

/* doit's get_module: the absolute path of the task file. */
static char *find_file(const char *file, bool seek, const char *cwd, struct err *e)
{
	char *path = fs_find_up(file, seek, cwd), *shown;

	if (!path) {
		/* doit names the path it tried, or the file when it searched */
		shown = file[0] != '/' && !seek ? xasprintf("%s/%s", cwd, file) : xstrdup(file);
		not_found(shown, e);
		free(shown);
	}
	return path;
}

/* The virtualenv to honour: VIRTUAL_ENV (relative to cwd), or .venv beside the task file. */
static char *find_venv(const char *cwd, const char *dodo_dir)
{
	const char *env = getenv("VIRTUAL_ENV");
	char *p;

	if (env && *env)
		return env[0] == '/' ? xstrdup(env) : xasprintf("%s/%s", cwd, env);
	p = xasprintf("%s/.venv", dodo_dir);
	if (exists(p))
		return p;
	free(p);
	return NULL;
}

/* A list of str from C strings (an empty list for NULL). New reference or NULL. */
static PyObject *strings_list(const struct vec *v)
{
	PyObject *list = PyList_New(0);
	size_t i;

	for (i = 0; list && v && i < v->n; i++) {
		PyObject *s = PyUnicode_DecodeFSDefault(v->v[i]);
		if (!s || PyList_Append(list, s) < 0)
			Py_CLEAR(list);
		Py_XDECREF(s);
	}
	return list;
}

static PyObject *vars_dict(const struct vec *vars)
{
	PyObject *d = PyDict_New();
	size_t i;

	for (i = 0; d && i < vars->n; i++) {
		const char *a = vars->v[i], *eq = strchr(a, '=');
		PyObject *k = PyUnicode_DecodeFSDefaultAndSize(a, eq - a);
		PyObject *v = PyUnicode_DecodeFSDefault(eq + 1);
		if (!k || !v || PyDict_SetItem(d, k, v) < 0)
			Py_CLEAR(d);
		Py_XDECREF(k);
		Py_XDECREF(v);
	}
	return d;
}

/* DOIT_CONFIG entries into options (command line wins) and default_tasks. */
static int apply_config(PyObject *cfg, struct opts *o, struct vec *def_tasks, struct err *e)
{
	PyObject *key, *val;
	Py_ssize_t pos = 0;

	if (!cfg || !PyDict_Check(cfg))
		return 0;
	while (PyDict_Next(cfg, &pos, &key, &val)) {
		char *k = py_str(key), *v = NULL;
		int rc = 0;

		if (k && strcmp(k, "default_tasks") == 0 && PyList_Check(val)) {
			Py_ssize_t i;
			for (i = 0; i < PyList_Size(val); i++) {
				char *s = py_str(PyList_GetItem(val, i));
				if (s)
					vec_push(def_tasks, s);
			}
		} else if (k && (PyUnicode_Check(val) || PyLong_Check(val))) {
			v = py_str(val);
			rc = opts_config(o, k, v, e);
		} else if (k && strcmp(k, "reporter") == 0 && PyType_Check(val)) {
			/* a reporter class: the Python reporter (report_py.c) takes it */
			PyObject *r = py_cmds_call("set_config_reporter", Py_BuildValue("(O)", val));
			Py_XDECREF(r);
			PyErr_Clear();
			rc = opts_config(o, k, "__config__", e);
		}
		free(k);
		free(v);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* run --pdb: Python actions that raise start the debugger. */
static int set_pdb(struct opts *o, struct err *e)
{
	PyObject *r;

	if (!opts_int(o, "pdb"))
		return 0;
	r = py_call("set_pdb", Py_BuildValue("(O)", Py_True));
	if (!r) {
		py_exc_to_err(e);
		return -1;
	}
	Py_DECREF(r);
	return 0;
}

static int py_load(struct loader *l, const struct load_request *rq, struct graph *g,
                   struct opts *o, struct vec *def_tasks, struct err *e)
{
	char cwd[PATH_MAX], *path = NULL, *dir = NULL, *venv = NULL;
	PyObject *r = NULL, *vars = NULL, *args = NULL;
	int rc = -1;

	if (!getcwd(cwd, sizeof(cwd)))
		return seterr(e, 3, "cannot get the current folder: %s", strerror(errno));
	free(pyfront.initial_workdir);
	pyfront.initial_workdir = xstrdup(cwd);
	path = find_file(rq->file, rq->seek, cwd, e);
	if (!path)
		return -1;
	free(pyfront.dodo_path);
	pyfront.dodo_path = xstrdup(path);
	dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	if (!*dir)
		strcpy(dir, "/");
	if (rq->dir) {
		struct stat st;
		char *abs = rq->dir[0] == '/' ? xstrdup(rq->dir) : xasprintf("%s/%s", cwd, rq->dir);
		if (stat(abs, &st) < 0 || !S_ISDIR(st.st_mode)) {
			seterr(e, 3, "Specified 'dir' path must be a directory.\nGot '%s'(%s).",
			       rq->dir, abs);
			free(abs);
			goto out;
		}
		free(abs);
	}
	if (chdir(rq->dir ? rq->dir : dir) < 0) {
		seterr(e, 3, "cannot change to folder '%s': %s", rq->dir ? rq->dir : dir,
		       strerror(errno));
		goto out;
	}
	venv = find_venv(cwd, dir);
	if (py_start(venv, e) < 0)
		goto out;
	pyfront.g = g;
	g->fe = &pyfront.fe;
	vars = vars_dict(rq->vars);
	args = strings_list(rq->args);
	r = vars && args ? py_call("load", Py_BuildValue("(sOOON)", path, vars, args,
	                                                 rq->create_all ? Py_False : Py_True,
	                                                 py_config_sections())) : NULL;
	fflush(stdout);
	if (!r) {
		py_exc_to_err(e);
		goto out;
	}
	if (!PyTuple_Check(r) || PyTuple_Size(r) != 2) {
		seterr(e, 3, "internal error: _dodo.load returned no (config, tasks) pair");
		goto out;
	}
	if (apply_config(PyTuple_GetItem(r, 0), o, def_tasks, e) < 0 ||
	    py_convert_tasks(g, PyTuple_GetItem(r, 1), e) < 0 || set_pdb(o, e) < 0)
		goto out;
	rc = 0;
out:
	Py_XDECREF(r);
	Py_XDECREF(vars);
	Py_XDECREF(args);
	free(path);
	free(dir);
	free(venv);
	return rc;
}

static void py_unload(struct loader *l)
{
	py_stop();
	pyfront.g = NULL;
	free(pyfront.initial_workdir);
	pyfront.initial_workdir = NULL;
	free(pyfront.dodo_path);
	pyfront.dodo_path = NULL;
}

struct loader *pyfront_loader(int argc, char **argv)
{
	pyfront.argc = argc;
	pyfront.argv = argv;
	pyfront.loader.load = py_load;
	pyfront.loader.unload = py_unload;
	pyfront.loader.ctx = &pyfront;
	pyfront.loader.read_config = py_read_config;
	pyfront.loader.plugin_command = py_plugin_command;
	pyfront.loader.plugin_purpose = py_plugin_purpose;
	pyfront.loader.inputs = py_load_inputs;
	pyfront.loader.release = py_release;
	pyfront.loader.sources = py_sources;
	pyfront.loader.refresh = py_refresh;
	pyfront.fe.ops = &py_frontend_ops;
	pyfront.fe.cmd_ops = &py_cmd_ops;
	pyfront.fe.ctx = &pyfront;
	return &pyfront.loader;
}
