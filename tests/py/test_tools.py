"""doit.tools uptodate helpers, evaluated through call_uptodate and saved
through finish, as the engine does over several runs."""

import datetime
import os

import pytest

import _dodo
from doit import tools
from minirun import run_task, uptodate


def test_run_once(dodo, engine):
    tasks = dodo('''
        from doit.tools import run_once
        def task_a():
            return {'actions': ['true'], 'uptodate': [run_once]}
        ''')[1]
    assert uptodate(tasks['a']) == [False]
    assert run_task(tasks['a'])[0] == 0
    assert '"run-once": true' in engine.values['a']
    again = _dodo.load(str(dodo.path / 'dodo.py'), {})[1][0]
    assert uptodate(again) == [True]


@pytest.mark.parametrize('first,second,same', [
    ('abc', 'abc', True), ('abc', 'abd', False),
    ({'b': 1, 'a': [1, 2]}, {'a': [1, 2], 'b': 1}, True),
    ({'a': 1}, {'a': 2}, False),
    ({'s': {1}}, {'s': {1}}, True),  # not JSON: digest of the reprs
])
def test_config_changed(dodo, engine, first, second, same):
    source = '''
        from doit.tools import config_changed
        def task_a():
            return {'actions': ['true'], 'uptodate': [config_changed(%r)]}
        '''
    task = dodo(source % (first,))[1]['a']
    assert uptodate(task) == [False]
    run_task(task)
    task = dodo(source % (second,))[1]['a']
    assert uptodate(task) == [same]


def test_config_changed_digest():
    import hashlib
    import json
    check = tools.config_changed({'x': 1, 'a': 'b'})
    assert check._calc_digest() == hashlib.md5(
        json.dumps({'a': 'b', 'x': 1}, sort_keys=True).encode()).hexdigest()
    assert tools.config_changed('text')._calc_digest() == 'text'
    with pytest.raises(Exception, match='Invalid type of config_changed '
                       "parameter got <class 'int'>, must be string or dict"):
        tools.config_changed(3)._calc_digest()

    class Enc(json.JSONEncoder):
        def default(self, o):
            return sorted(o)
    check = tools.config_changed({'s': {2, 1}}, encoder=Enc)
    assert check._calc_digest() == hashlib.md5(b'{"s": [1, 2]}').hexdigest()


def test_timeout(dodo, engine, monkeypatch):
    source = '''
        import datetime
        from doit.tools import timeout
        def task_a():
            return {'actions': ['true'], 'uptodate': [timeout(%s)]}
        '''
    now = [1000.0]
    monkeypatch.setattr(tools.time_module, 'time', lambda: now[0])
    task = dodo(source % 'datetime.timedelta(minutes=1)')[1]['a']
    assert uptodate(task) == [False]
    run_task(task)
    now[0] += 59
    task = dodo(source % 'datetime.timedelta(minutes=1)')[1]['a']
    assert uptodate(task) == [True]
    now[0] += 2
    task = dodo(source % '60')[1]['a']
    assert uptodate(task) == [False]
    assert tools.timeout(datetime.timedelta(days=1, seconds=5)).limit_sec == \
        86405
    with pytest.raises(Exception, match='timeout should be datetime.timedelta '
                       'or int got 1.5'):
        tools.timeout(1.5)


def test_check_timestamp_unchanged(dodo, engine):
    source = '''
        import operator
        from doit.tools import check_timestamp_unchanged
        def task_a():
            return {'actions': ['true'], 'uptodate': [
                check_timestamp_unchanged('watched', %s)]}
        '''
    folder = dodo.path
    (folder / 'watched').write_text('x')
    os.utime(folder / 'watched', (100, 100))
    task = dodo(source % "'mtime'")[1]['a']
    assert uptodate(task) == [False]
    run_task(task)
    assert '"watched.st_mtime": 100' in engine.values['a']
    task = dodo(source % "'modify'")[1]['a']
    assert uptodate(task) == [True]
    os.utime(folder / 'watched', (100, 50))
    task = dodo(source % "'mtime'")[1]['a']
    assert uptodate(task) == [False]
    task = dodo(source % "cmp_op=operator.ge")[1]['a']
    assert uptodate(task) == [True]
    os.remove(folder / 'watched')
    task = dodo(source % "'mtime'")[1]['a']
    with pytest.raises(FileNotFoundError):
        uptodate(task)
    with pytest.raises(ValueError, match="time can be one of: atime, access, "
                       "ctime, status, mtime, modify \\(got: 'x'\\)"):
        tools.check_timestamp_unchanged('f', 'x')


def test_result_dep(dodo, engine):
    source = '''
        from doit.tools import result_dep
        def task_version():
            return {'actions': ['echo %s']}
        def task_group():
            yield {'name': 'a', 'actions': [lambda: {'v': %s}]}
            yield {'name': 'b', 'actions': [lambda: 'text']}
        def task_send():
            return {'actions': ['true'], 'uptodate': [result_dep('version'),
                                                      result_dep('group')]}
        '''

    def run_all(version, value):
        tasks = dodo(source % (version, value))[1]
        for name in ('version', 'group:a', 'group:b'):
            assert run_task(tasks[name])[0] == 0
        return tasks
    tasks = run_all('1', '1')
    assert tasks['send'].task_dep == ['version', 'group']
    assert uptodate(tasks['send']) == [False, False]
    run_task(tasks['send'])
    tasks = run_all('1', '1')
    assert uptodate(tasks['send']) == [True, True]
    tasks = run_all('2', '1')
    assert uptodate(tasks['send']) == [False, True]
    run_task(tasks['send'])
    tasks = run_all('2', '2')
    assert uptodate(tasks['send']) == [True, False]


def test_title_with_actions(dodo):
    tasks = dodo('''
        from doit.tools import title_with_actions
        def f():
            pass
        def task_a():
            return {'actions': ['echo 1', f], 'title': title_with_actions}
        def task_g():
            yield {'name': None, 'title': title_with_actions}
            yield {'name': 'x', 'actions': []}
        ''')[1]
    assert _dodo.title(tasks['a']) == 'a => Cmd: echo 1\n\tPython: function f'
    assert _dodo.title(tasks['g']) == 'g => Group: g:x'


def test_create_folder(tmp_path):
    tools.create_folder(str(tmp_path / 'a' / 'b'))
    tools.create_folder(str(tmp_path / 'a' / 'b'))
    assert (tmp_path / 'a' / 'b').is_dir()
