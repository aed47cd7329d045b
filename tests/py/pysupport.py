"""Helpers of the Python-side tests (tests/py): the fake engine module and
the reference doit 0.31.1 (the oracle). Imported by conftest.py and the
tests under this unique name (`conftest` is ambiguous when several suites
run in one pytest session)."""

import json
import os
import subprocess
import types

from dodo_testlib import base_env   # tests/conftest.py

HERE = os.path.dirname(os.path.abspath(__file__))
SRC_PY = os.path.normpath(os.path.join(HERE, '..', '..', 'src', 'py'))
ORACLE_PYTHON = '/usr/bin/python3'
SAMPLES = '/usr/share/doc/python-doit-doc/examples/samples'


class FakeEngine(types.ModuleType):
    """Stand-in for the C engine's `_dodo_engine`: saved values (JSON text)
    and results by task name."""

    def __init__(self):
        super().__init__('_dodo_engine')
        self.values = {}
        self.results = {}
        self.workdir = os.getcwd()

    def get_values(self, task_name):
        return self.values.get(task_name)

    def get_result(self, task_name):
        return self.results.get(task_name)

    def remove(self, task_name):
        self.values.pop(task_name, None)
        self.results.pop(task_name, None)

    def initial_workdir(self):
        return self.workdir

    def note_stat(self, callback):
        """the C engine hands os.stat's paths to callback while a load is
        recorded; the fake records nothing of them (True: set up)"""
        return callback is not None

    def capture_output(self, on):
        """the C engine copies what the load writes; the fake does not"""

    def volatile_env(self):
        return ['OLDPWD']

    def reset(self):
        self.values.clear()
        self.results.clear()
        self.workdir = os.getcwd()

    def save(self, task_name, values_json, result):
        """what the C engine does with finish()'s return value"""
        self.values[task_name] = values_json
        if result is not None:
            self.results[task_name] = result
        else:
            self.results.pop(task_name, None)


ENGINE = FakeEngine()


def oracle_env(extra=None):
    """the environment of the reference doit: the end-to-end suites' (no
    DOIT_*, PYTHONPATH or user site-packages of the caller's), plus extra"""
    return base_env(extra)


def oracle(cwd, *args, env=None, timeout=60):
    """run the reference doit in cwd (with the variables env adds); return
    CompletedProcess (text)"""
    return subprocess.run([ORACLE_PYTHON, '-m', 'doit'] + list(args),
                          cwd=str(cwd), env=oracle_env(env), text=True,
                          capture_output=True, timeout=timeout)


def oracle_load(cwd, file_name='dodo.py', allow_delayed=False):
    """load a task file with the reference doit's loader; return a list of
    task descriptions (see oracle_load.py) or {'error': text}"""
    proc = subprocess.run(
        [ORACLE_PYTHON, os.path.join(HERE, 'oracle_load.py'), file_name,
         '1' if allow_delayed else '0'],
        cwd=str(cwd), env=oracle_env(), text=True, capture_output=True,
        timeout=60)
    if proc.returncode != 0:
        raise AssertionError('oracle_load failed:\n' + proc.stderr)
    return json.loads(proc.stdout)


def oracle_load_batch(cwd, file_names):
    """oracle_load for many files at once: {name: [tasks without delayed
    creation, tasks with delayed creation]}"""
    proc = subprocess.run(
        [ORACLE_PYTHON, os.path.join(HERE, 'oracle_load.py'), '--batch'] +
        list(file_names), cwd=str(cwd), env=oracle_env(), text=True,
        capture_output=True, timeout=300)
    if proc.returncode != 0:
        raise AssertionError('oracle_load failed:\n' + proc.stderr)
    return json.loads(proc.stdout)


def describe(task):
    """the same description of a Task as oracle_load.py gives"""
    return {'name': task.name, 'doc': task.doc,
            'file_dep': sorted(task.file_dep), 'targets': list(task.targets),
            'task_dep': list(task.task_dep), 'wild_dep': list(task.wild_dep),
            'setup': list(task.setup_tasks),
            'calc_dep': sorted(task.calc_dep),
            'has_subtask': bool(task.has_subtask),
            'subtask_of': task.subtask_of, 'verbosity': task.verbosity,
            'clean': bool(task.clean_targets),
            'n_clean': len(task.clean_actions),
            'n_teardown': len(task.teardown),
            'n_uptodate': len(task.uptodate),
            'delayed': bool(task.loader), 'pos_arg': task.pos_arg,
            'params': [p['name'] for p in task.params],
            'watch': list(task.watch)}
