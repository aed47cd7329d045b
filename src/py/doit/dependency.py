"""File checkers and saved task state, as seen from Python.

dodo keeps task state in its own SQLite database, owned by the C engine.
Python code (uptodate callables, getargs) reaches it through EngineState,
which reads saved values and results from the `_dodo_engine` module.
"""

import hashlib
import json
import os


class DatabaseException(Exception):
    """Error reading or writing saved state"""


def get_md5(input_data):
    """return the md5 hex digest of a str"""
    return hashlib.md5(input_data.encode("utf-8")).hexdigest()


def get_file_md5(path):
    """return the md5 hex digest of a file's content"""
    digest = hashlib.md5()
    with open(path, 'rb') as stream:
        for block in iter(lambda: stream.read(1 << 16), b''):
            digest.update(block)
    return digest.hexdigest()


class FileChangedChecker(object):
    """Base class of the file_dep checkers."""

    def check_modified(self, file_path, file_stat, state):
        """return True if file_path changed since state was saved"""
        raise NotImplementedError()

    def get_state(self, dep, current_state):
        """return the state to save for dep (None: keep current_state)"""
        raise NotImplementedError()


class MD5Checker(FileChangedChecker):
    """Content checker: same mtime means unchanged; a different size means
    changed; otherwise compare md5 digests. State: (mtime, size, md5)."""

    def check_modified(self, file_path, file_stat, state):
        timestamp, size, file_md5 = state
        if file_stat.st_mtime == timestamp:
            return False
        if file_stat.st_size != size:
            return True
        return file_md5 != get_file_md5(file_path)

    def get_state(self, dep, current_state):
        timestamp = os.path.getmtime(dep)
        if current_state and current_state[0] == timestamp:
            return None
        return timestamp, os.path.getsize(dep), get_file_md5(dep)


class TimestampChecker(FileChangedChecker):
    """mtime checker. State: mtime."""

    def check_modified(self, file_path, file_stat, state):
        return file_stat.st_mtime != state

    def get_state(self, dep, current_state):
        return os.path.getmtime(dep)


CHECKERS = {'md5': MD5Checker, 'timestamp': TimestampChecker}


def _engine():
    import _dodo_engine  # provided by the dodo binary (or by tests)
    return _dodo_engine


def json_default(obj):
    """json.dumps default=: store what JSON cannot hold in a readable form"""
    if isinstance(obj, (set, frozenset)):
        try:
            return sorted(obj)
        except TypeError:
            return list(obj)
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if isinstance(obj, bytes):
        return obj.decode('utf-8', 'replace')
    return repr(obj)


def encode_json(value, canonical=False):
    """JSON text of value (sorted keys when canonical)"""
    return json.dumps(value, default=json_default, sort_keys=canonical)


def encode_result(result):
    """the text saved for a task's result: None for none, the JSON of a dict
    (doit saves dicts as they are), else the md5 of its text"""
    if not result:
        return None
    if isinstance(result, dict):
        return encode_json(result, canonical=True)
    return get_md5(result if isinstance(result, str) else str(result))


def decode_result(text):
    """a saved result as doit's get_result() gives it: a dict, an md5 hex
    digest, or None"""
    if text is not None and text.startswith('{'):
        return json.loads(text)
    return text


class EngineState(object):
    """Saved state of tasks, read through the engine (doit's Dependency
    interface, as far as uptodate objects and getargs use it)."""

    def _get(self, task_id, key):
        """doit's Dependency._get for the keys Python code reads:
        'result:' and '_values_:'"""
        if key == 'result:':
            return decode_result(_engine().get_result(task_id))
        if key == '_values_:':
            text = _engine().get_values(task_id)
            return None if text is None else json.loads(text)
        return None

    def _in(self, task_id):
        return _engine().get_values(task_id) is not None

    def get_values(self, task_id):
        """saved values of a task ({} when none)"""
        return self._get(task_id, '_values_:') or {}

    def get_value(self, task_id, key_name):
        """one saved value of a task, or its values dict when key is None"""
        if not self._in(task_id):
            raise Exception("taskid '%s' has no computed value!" % task_id)
        values = self.get_values(task_id)
        if key_name is None:
            return values
        if key_name not in values:
            raise Exception("Invalid arg name. Task '%s' has no value for '%s'."
                            % (task_id, key_name))
        return values[key_name]

    def get_result(self, task_id):
        """saved result of a task (what result_dep compares)"""
        return self._get(task_id, 'result:')


class Dependency(EngineState):
    """doit's dependency manager (doit.Globals.dep_manager): the saved
    values and results of the tasks, and remove() to forget a task."""

    def remove(self, task_id):
        """forget the saved success of a task (as `forget TASK` would,
        keeping its ignored mark)"""
        _engine().remove(task_id)

    def remove_success(self, task):
        """forget the saved success of a Task"""
        self.remove(task.name)


class UptodateCalculator(object):
    """Base class for uptodate objects that need all tasks and saved state.
    setup() gives them `get_val(task_name, key)` and `tasks_dict`."""

    def __init__(self):
        self.get_val = None
        self.tasks_dict = None

    def setup(self, dep_manager, tasks_dict):
        """called before the object is evaluated"""
        self.get_val = dep_manager._get
        self.tasks_dict = tasks_dict
