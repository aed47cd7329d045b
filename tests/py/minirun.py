"""A tiny stand-in for the C engine: runs one task through the _dodo
contract the way the engine does, saving results in the fake engine."""

import re
import subprocess

import _dodo
from pysupport import ENGINE


def run_action(task, action, verbosity=1):
    """one action through the contract; return (status, kind, message)"""
    if action.kind != 'cmd':
        return _dodo.run_python(task, action, verbosity)
    try:
        cmd = _dodo.expand_cmd(task, action)
    except _dodo.ActionError as exc:
        return (exc.status, exc.exc_name, exc.message)
    shell = isinstance(cmd, str) and action.shell
    kwargs = dict(action.pkwargs)
    if action.mode != 'normal':
        proc = subprocess.run(cmd, shell=shell, **kwargs)
        return _dodo.cmd_done(task, action, proc.returncode, b'', b'')
    proc = subprocess.run(cmd, shell=shell, capture_output=True, **kwargs)
    return _dodo.cmd_done(task, action, proc.returncode, proc.stdout,
                          proc.stderr)


def run_task(task, verbosity=1):
    """prepare, run every action, finish and save: return the outcome"""
    _dodo.prepare(task)
    for action in task.actions:
        outcome = run_action(task, action, verbosity)
        if outcome[0]:
            ENGINE.values.pop(task.name, None)  # doit forgets failed tasks
            ENGINE.results.pop(task.name, None)
            return outcome
    values, result = _dodo.finish(task)
    ENGINE.save(task.name, values, result)
    return (0, None, None)


def uptodate(task):
    """results of every uptodate entry"""
    return [_dodo.call_uptodate(task, i) for i in range(len(task.uptodate))]


def failure_block(task_name, outcome):
    """how doit's console reporter shows a failure"""
    status, kind, message = outcome
    return "%s - taskid:%s\n%s\n" % (kind, task_name, message)


def normalize(text):
    """hide memory addresses"""
    return re.sub(r' at 0x[0-9a-f]+', ' at 0xADDR', text)
