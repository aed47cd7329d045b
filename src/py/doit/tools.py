"""Helpers for dodo files: uptodate checkers, action classes, titles."""

# no __all__: as with doit, `from doit.tools import *` also brings the
# modules imported here (os, datetime, ...), which some dodo files rely on
import datetime
import hashlib
import json
import operator
import os
import subprocess
import sys
import time as time_module

from . import exceptions
from .action import (CmdAction, Interactive, LongRunning, PythonAction,
                     PythonInteractiveAction)
from .task import result_dep

# re-exported names (doit.tools has them too)
_REEXPORTED = (subprocess, exceptions, CmdAction, PythonAction, Interactive,
               PythonInteractiveAction, result_dep)

# the name before doit 0.25
InteractiveAction = LongRunning


def create_folder(dir_path):
    """action: create a folder (and its parents) unless it exists"""
    os.makedirs(dir_path, exist_ok=True)


def title_with_actions(task):
    """title: the task name and its actions (or the group's tasks)"""
    if task.actions:
        title = "\n\t".join(str(action) for action in task.actions)
    else:
        title = "Group: %s" % ", ".join(task.task_dep)
    return "%s => %s" % (task.name, title)


def run_once(task, values):
    """uptodate: false until the task ran once successfully"""
    task.value_savers.append(lambda: {'run-once': True})
    return values.get('run-once', False)


class config_changed(object):
    """uptodate: false when config (a str, or a dict compared by the md5 of
    its JSON with sorted keys) differs from the last successful run."""

    def __init__(self, config, encoder=None):
        self.config = config
        self.encoder = encoder
        self.config_digest = None

    def _calc_digest(self):
        if isinstance(self.config, str):
            return self.config
        if isinstance(self.config, dict):
            try:
                data = json.dumps(self.config, sort_keys=True,
                                  cls=self.encoder)
            except TypeError:
                if self.encoder is not None:
                    raise
                # not JSON: digest the sorted key/repr pairs (doit 0.31)
                data = ''.join(key + repr(self.config[key])
                               for key in sorted(self.config))
            return hashlib.md5(data.encode("utf-8")).hexdigest()
        raise Exception(('Invalid type of config_changed parameter got %s' +
                         ', must be string or dict') % (type(self.config),))

    def configure_task(self, task):
        task.value_savers.append(
            lambda: {'_config_changed': self.config_digest})

    def __call__(self, task, values):
        self.config_digest = self._calc_digest()
        last_success = values.get('_config_changed')
        if last_success is None:
            return False
        return last_success == self.config_digest


class timeout(object):
    """uptodate: false when more than timeout_limit (a timedelta, or an
    int in seconds) passed since the last successful run."""

    def __init__(self, timeout_limit):
        if isinstance(timeout_limit, datetime.timedelta):
            self.limit_sec = (timeout_limit.days * 24 * 3600 +
                              timeout_limit.seconds)
        elif isinstance(timeout_limit, int):
            self.limit_sec = timeout_limit
        else:
            raise Exception("timeout should be datetime.timedelta or int got %r "
                            % (timeout_limit,))

    def __call__(self, task, values):
        task.value_savers.append(
            lambda: {'success-time': time_module.time()})
        last_success = values.get('success-time', None)
        if last_success is None:
            return False
        return (time_module.time() - last_success) < self.limit_sec


_TIME_FIELDS = {'atime': 'st_atime', 'access': 'st_atime',
                'ctime': 'st_ctime', 'status': 'st_ctime',
                'mtime': 'st_mtime', 'modify': 'st_mtime'}


class check_timestamp_unchanged(object):
    """uptodate: true while cmp_op(saved time, current time) holds for a
    file's atime, ctime or mtime. Raises OSError if the file is missing."""

    def __init__(self, file_name, time='mtime', cmp_op=operator.eq):
        if time not in _TIME_FIELDS:
            raise ValueError('time can be one of: atime, access, ctime, '
                             'status, mtime, modify (got: %r)' % time)
        self._timeattr = _TIME_FIELDS[time]
        self._file_name = file_name
        self._cmp_op = cmp_op
        self._key = '%s.%s' % (file_name, self._timeattr)

    def _get_time(self):
        return getattr(os.stat(self._file_name), self._timeattr)

    def __call__(self, task, values):
        task.value_savers.append(lambda: {self._key: self._get_time()})
        prev_time = values.get(self._key)
        if prev_time is None:
            return False
        return self._cmp_op(prev_time, self._get_time())


def set_trace():  # pragma: no cover - interactive
    """start pdb on the real terminal (output is not restored)"""
    import pdb
    debugger = pdb.Pdb(stdin=sys.__stdin__, stdout=sys.__stdout__)
    debugger.set_trace(sys._getframe().f_back)


def load_ipython_extension(ip=None):  # pragma: no cover - needs IPython
    """the %doit IPython magic is not available in dodo"""
    raise NotImplementedError(
        "dodo: the %doit IPython magic is not supported; run `dodo`")


register_doit_as_IPython_magic = load_ipython_extension
