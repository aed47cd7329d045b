"""_dodo.load on tricky task files, compared with doit 0.31.1's loader."""

import os
import textwrap

import pytest

import _dodo
from pysupport import SRC_PY, describe, oracle, oracle_load
from tracebacks import strip_internal_frames


def write(folder, source, name='dodo.py'):
    path = folder / name
    path.write_text(textwrap.dedent(source))
    return path


def ours(folder, name='dodo.py', delayed=False, **kwargs):
    os.chdir(folder)
    config, tasks = _dodo.load(str(folder / name), {}, delayed=delayed,
                               **kwargs)
    return [describe(t) for t in tasks]


def same_as_doit(folder, source, delayed=False):
    write(folder, source)
    expected = oracle_load(folder, allow_delayed=delayed)
    assert ours(folder, delayed=delayed) == expected
    return expected


GOOD_FILES = {
    'dict_and_doc': '''
        def task_hello():
            """say hello

            more text"""
            return {'actions': ['echo hello'], 'file_dep': ['a', 'b'],
                    'targets': ['out'], 'verbosity': 2, 'watch': ['w']}
        def task_other():
            return {'basename': 'renamed', 'actions': None, 'doc': '  \\n x '}
        ''',
    'subtasks_and_group': '''
        def task_compile():
            """compile things"""
            yield {'name': None, 'doc': 'group doc', 'task_dep': ['other']}
            for n in ('a', 'b'):
                yield {'name': n, 'actions': ['cc %s' % n],
                       'targets': [n + '.o']}
        def task_other():
            return {'actions': []}
        ''',
    'nested_generators': '''
        def inner():
            """inner doc"""
            yield {'basename': 'b1', 'actions': ['echo 1']}
            yield {'name': 'x', 'actions': ['echo x']}
        def task_outer():
            """outer doc"""
            yield inner()
            yield (t for t in [{'basename': 'b2', 'actions': ['echo 2']}])
            yield {'name': 'y', 'actions': ['echo y']}
        ''',
    'empty_generator_and_none': '''
        def task_empty():
            """nothing here"""
            return
            yield
        def task_none():
            return None
        def task_only_group():
            yield {'name': None, 'doc': 'just a group'}
        ''',
    'basename_subtasks': '''
        def task_gen():
            yield {'basename': 'base', 'name': 's1', 'actions': ['echo']}
            yield {'basename': 'base', 'name': 's2', 'actions': ['echo']}
            yield {'basename': 'alone', 'actions': ['echo'], 'clean': True}
        ''',
    'deps_and_keys': '''
        from pathlib import Path
        from doit.tools import run_once, result_dep
        def task_a():
            return {'actions': ['echo'], 'file_dep': [Path('x'), 'x', 'y'],
                    'task_dep': ['b', 'c*'], 'setup': ['b'],
                    'calc_dep': ['b', 'b'], 'uptodate': [run_once, True,
                    None, 'true', (run_once, [], {}), result_dep('b')],
                    'teardown': ['echo td', (print, )] if False else
                                ['echo td'],
                    'clean': ['rm -f x'], 'params': [
                        {'name': 'p', 'default': 1, 'short': 'p'}],
                    'pos_arg': 'rest', 'getargs': {'v': ('b', 'k'),
                                                   'w': ('b', None)}}
        def task_b():
            return {'actions': [lambda: {'k': 1}], 'targets': [Path('t')]}
        def task_c1():
            return {'actions': None}
        ''',
    'creators_objects': '''
        class Gen(object):
            def __init__(self, n):
                self.n = n
            def create_doit_tasks(self):
                return {'actions': ['echo %d' % self.n], 'doc': 'obj'}
        class WithStatic(object):
            def create_doit_tasks(self):
                return {'actions': []}
        first = Gen(1)
        second = Gen(2)
        def make(func):
            func.create_doit_tasks = func
            return func
        @make
        def decorated():
            return {'actions': ['echo deco']}
        def task_last():
            return {'actions': []}
        ''',
    'create_after': '''
        from doit import create_after
        @create_after(executed='early', target_regex=r'.*\\.out')
        def task_build():
            """build doc"""
            yield {'name': 'x', 'actions': ['echo']}
        @create_after('early', creates=['made1', 'made2'])
        def task_maker():
            """maker doc"""
            yield {'basename': 'made1', 'actions': ['echo 1']}
            yield {'basename': 'made2', 'actions': ['echo 2']}
        def task_early():
            return {'actions': ['touch a.in'], 'targets': ['a.in']}
        ''',
    'same_line_order': '''
        def task_b(): return {'actions': []}
        def task_a(): return {'actions': []}
        def task_c():
            return {'actions': []}
        ''',
}


@pytest.mark.parametrize('key', sorted(GOOD_FILES))
def test_tasks_like_doit(tmp_path, engine, key):
    same_as_doit(tmp_path, GOOD_FILES[key])


@pytest.mark.parametrize('key', ['create_after', 'dict_and_doc'])
def test_tasks_like_doit_run(tmp_path, engine, key):
    """with delayed=True (what `run` does) placeholders are made"""
    same_as_doit(tmp_path, GOOD_FILES[key], delayed=True)


def test_placeholders(tmp_path, engine):
    write(tmp_path, GOOD_FILES['create_after'])
    os.chdir(tmp_path)
    _, tasks = _dodo.load(str(tmp_path / 'dodo.py'), {})
    byname = {t.name: t for t in tasks}
    assert list(byname) == ['build', 'made1', 'made2', 'early']
    assert byname['build'].loader.target_regex == '.*\\.out'
    assert byname['build'].task_dep == ['early']
    assert byname['build'].doc == 'build doc'
    assert byname['made1'].loader is byname['made2'].loader
    assert byname['early'].loader is None


def test_module_name_and_sys_path(tmp_path, engine):
    write(tmp_path, '''
        import sys
        NAME = __name__
        FIRST = sys.path[0]
        import helper
        def task_x():
            return {'actions': [], 'doc': NAME + ' ' + helper.VALUE}
        ''', name='loader_probe.py')
    write(tmp_path, 'VALUE = "helped"\n', name='helper.py')
    os.chdir(tmp_path)
    _, tasks = _dodo.load(str(tmp_path / 'loader_probe.py'), {})
    assert tasks[0].doc == 'loader_probe helped'
    import sys
    assert sys.modules['loader_probe'].FIRST == str(tmp_path)
    assert sys.modules['loader_probe'].__file__ == str(tmp_path / 'loader_probe.py')


def test_main_block_not_run(tmp_path, engine):
    same_as_doit(tmp_path, '''
        import doit
        def task_x():
            return {'actions': []}
        if __name__ == '__main__':
            doit.run(globals())
        ''')


def test_get_var_and_config(tmp_path, engine):
    write(tmp_path, '''
        from doit import get_var
        DOIT_CONFIG = {'default_tasks': ['x'], 'verbosity': 2}
        def task_x():
            return {'actions': [], 'doc': get_var('who', 'nobody') + '/' +
                    str(get_var('missing'))}
        ''')
    os.chdir(tmp_path)
    config, tasks = _dodo.load(str(tmp_path / 'dodo.py'), {'who': 'me'})
    assert config == {'default_tasks': ['x'], 'verbosity': 2}
    assert tasks[0].doc == 'me/None'
    config, tasks = _dodo.load(str(tmp_path / 'dodo.py'), {})
    assert tasks[0].doc == 'nobody/None'


def test_reload_replaces_module(tmp_path, engine):
    write(tmp_path, 'def task_a():\n    return {"actions": []}\n')
    assert [t['name'] for t in ours(tmp_path)] == ['a']
    write(tmp_path, 'def task_b():\n    return {"actions": []}\n')
    assert [t['name'] for t in ours(tmp_path)] == ['b']


def test_task_params_creator(tmp_path, engine):
    write(tmp_path, '''
        from doit import task_params
        @task_params([{'name': 'n', 'default': 2, 'type': int,
                       'long': 'num'}])
        def task_gen(n):
            for i in range(n):
                yield {'name': str(i), 'actions': []}
        ''')
    os.chdir(tmp_path)
    _, tasks = _dodo.load(str(tmp_path / 'dodo.py'), {})
    assert [t.name for t in tasks] == ['gen', 'gen:0', 'gen:1']
    _, tasks = _dodo.load(str(tmp_path / 'dodo.py'), {},
                          args=['gen', '--num', '3'])
    assert [t.name for t in tasks] == ['gen', 'gen:0', 'gen:1', 'gen:2']
    assert _dodo.parse_task_args(tasks[0], ['--num', '3']) == []
    assert tasks[0].options == {'n': 3}
    _, tasks = _dodo.load(str(tmp_path / 'dodo.py'), {},
                          config={'task:gen': {'n': '1'}})
    assert [t.name for t in tasks] == ['gen', 'gen:0']
    with pytest.raises(ValueError):
        import doit
        doit.task_params('not a list')


def test_group_return_params(tmp_path, engine):
    write(tmp_path, '''
        def task_g():
            yield {'name': 'a', 'actions': []}
            return {'params': [{'name': 'x', 'default': 'y'}]}
        ''')
    os.chdir(tmp_path)
    _, tasks = _dodo.load(str(tmp_path / 'dodo.py'), {})
    assert [p['name'] for t in tasks for p in t.params] == ['x', 'x']


# --- errors: the text doit prints ---------------------------------------
def doit_stderr(folder, *args):
    proc = oracle(folder, *args)
    return proc.returncode, proc.stderr


def load_error(folder, name='dodo.py'):
    os.chdir(folder)
    with pytest.raises(_dodo.LoadError) as info:
        _dodo.load(str(folder / name), {})
    return info.value.code, info.value.message


USER_ERRORS = {
    'invalid_field': '''
        def task_a():
            return {'actions': [], 'bad_key': 1}
        ''',
    'missing_actions': '''
        def task_a():
            return {'file_dep': ['x']}
        ''',
    'name_in_return': '''
        def task_a():
            return {'name': 'x', 'actions': []}
        ''',
    'yield_not_dict': '''
        def task_a():
            yield 'oops'
        ''',
    'duplicated_subtask': '''
        def task_a():
            yield {'name': 'x', 'actions': []}
            yield {'name': 'x', 'actions': []}
        ''',
    'duplicated_basename': '''
        def task_a():
            yield {'basename': 'b', 'actions': []}
            yield {'basename': 'b', 'actions': []}
        ''',
    'group_clash': '''
        def task_a():
            yield {'basename': 'b', 'actions': []}
            yield {'basename': 'b', 'name': 'c', 'actions': []}
        ''',
    'no_name_no_basename': '''
        def task_a():
            yield {'actions': []}
        ''',
    'bad_return_type': '''
        def task_a():
            return 42
        ''',
    'file_dep_type': '''
        def task_a():
            return {'actions': [], 'file_dep': [3]}
        ''',
    'file_dep_str': '''
        def task_a():
            return {'actions': [], 'file_dep': 'abc'}
        ''',
    'target_type': '''
        def task_a():
            return {'actions': [], 'targets': [None]}
        ''',
    'actions_str': '''
        def task_a():
            return {'actions': 'echo hi'}
        ''',
    'verbosity_value': '''
        def task_a():
            return {'actions': [], 'verbosity': 3}
        ''',
    'doc_type': '''
        def task_a():
            return {'actions': [], 'doc': 5}
        ''',
    'title_type': '''
        def task_a():
            return {'actions': [], 'title': 'no'}
        ''',
    'clean_type': '''
        def task_a():
            return {'actions': [], 'clean': 'yes'}
        ''',
    'getargs_format': '''
        def task_a():
            return {'actions': [], 'getargs': {'x': 'task'}}
        ''',
    'uptodate_item': '''
        def task_a():
            return {'actions': [], 'uptodate': [3]}
        ''',
    'equal_sign': '''
        def task_a():
            return {'actions': [], 'basename': 'x=y'}
        ''',
    'config_not_dict': '''
        DOIT_CONFIG = ['x']
        def task_a():
            return {'actions': []}
        ''',
    'command_name': '''
        def task_list():
            return {'actions': []}
        ''',
    'teardown_type': '''
        def task_a():
            return {'actions': [], 'teardown': [3]}
        ''',
    'clean_tuple_len': '''
        def task_a():
            return {'actions': [], 'clean': [(len, [], {}, 4)]}
        ''',
    'python_action_class': '''
        from doit.action import PythonAction
        def task_a():
            return {'actions': [], 'clean': [dict]}
        ''',
}


@pytest.mark.parametrize('key', sorted(USER_ERRORS))
def test_user_error_like_doit(tmp_path, engine, key):
    write(tmp_path, USER_ERRORS[key])
    expected = doit_stderr(tmp_path, 'list')
    assert expected[0] == 3, expected
    assert load_error(tmp_path) == expected


def test_missing_file(tmp_path, engine):
    expected = doit_stderr(tmp_path, 'list')
    assert load_error(tmp_path) == expected
    assert expected[1].startswith("ERROR: Could not find dodo file '")


def test_duplicate_names_like_doit_run(tmp_path, engine):
    write(tmp_path, '''
        def task_a():
            return {'actions': []}
        def task_b():
            return {'basename': 'a', 'actions': []}
        ''')
    expected = doit_stderr(tmp_path, 'run')
    assert load_error(tmp_path) == expected
    assert 'Task names must be unique.' in expected[1]


TRACEBACK_FILES = {
    'syntax_error': 'def task_a(:\n    pass\n',
    'indentation_error': 'def task_a():\nreturn 1\n',
    'module_exception': '''
        def helper():
            raise ValueError("boom")
        helper()
        ''',
    'creator_exception': '''
        def task_a():
            return {'actions': []} if 1 / 0 else None
        ''',
    'import_error': 'import no_such_module_here\n',
    'config_changed_type': '''
        from doit.tools import config_changed
        def task_a():
            return {'actions': [], 'uptodate': [config_changed(3)._calc_digest()]}
        ''',
}


@pytest.mark.parametrize('key', sorted(TRACEBACK_FILES))
def test_traceback_like_doit(tmp_path, engine, key):
    write(tmp_path, TRACEBACK_FILES[key])
    rc, text = doit_stderr(tmp_path, 'list')
    assert rc == 3
    code, message = load_error(tmp_path)
    assert code == 3
    assert message.startswith('Traceback (most recent call last):\n')
    ours_text = strip_internal_frames(message, (SRC_PY,))
    assert ours_text == strip_internal_frames(text)
    assert SRC_PY not in message or key == 'config_changed_type'


@pytest.mark.parametrize('where', ['module', 'creator'])
def test_system_exit_in_dodo_goes_through(tmp_path, engine, where):
    """SystemExit leaves load() as it is (C ends dodo as Python would),
    from the module's code or from a task creator's"""
    os.chdir(tmp_path)
    for code in (4, 'bye', 0, None):
        body = 'import sys\nsys.exit(%r)\n' % (code,)
        if where == 'creator':
            body = 'import sys\ndef task_a():\n    sys.exit(%r)\n' % (code,)
        write(tmp_path, body)
        with pytest.raises(SystemExit) as info:
            _dodo.load(str(tmp_path / 'dodo.py'), {})
        assert info.value.code == code


def test_minversion(tmp_path, engine):
    write(tmp_path, "DOIT_CONFIG = {'minversion': '0.99.0'}\n")
    code, message = load_error(tmp_path)
    assert code == 3
    assert message.startswith('ERROR: Please update doit. Minimum version '
                              'required is 0.99.0. You are using ')
    write(tmp_path, "DOIT_CONFIG = {'minversion': '0.30.0'}\n")
    assert ours(tmp_path) == []


def test_invalid_action_only_at_run(tmp_path, engine):
    """doit lists the task and aborts the run only when it gets there"""
    write(tmp_path, '''
        def task_a():
            return {'actions': ['echo a']}
        def task_b():
            return {'actions': [5]}
        ''')
    proc = oracle(tmp_path)
    assert proc.returncode == 2
    expected = proc.stdout.split('Execution aborted.\n')[1].rstrip('\n')
    os.chdir(tmp_path)
    _, tasks = _dodo.load(str(tmp_path / 'dodo.py'), {})
    task_b = tasks[1]
    assert [a.kind for a in task_b.actions] == ['python']
    assert task_b.actions_error == expected
    assert tasks[0].actions_error is None
    _dodo.prepare(task_b)
    with pytest.raises(_dodo.RunAborted) as info:
        _dodo.run_python(task_b, task_b.actions[0], 1)
    assert info.value.message == expected


def test_other_working_folder(tmp_path, engine):
    """like doit --dir: the working folder comes first on sys.path, then the
    task file's folder; relative paths in the file are from the former"""
    src = tmp_path / 'src'
    work = tmp_path / 'work'
    src.mkdir()
    work.mkdir()
    write(src, '''
        import os, sys
        PATHS = sys.path[:2]
        def task_a():
            return {'actions': [], 'doc': os.getcwd()}
        ''')
    os.chdir(work)
    _, tasks = _dodo.load(str(src / 'dodo.py'), {})
    import sys
    assert tasks[0].doc == str(work)
    assert sys.modules['dodo'].PATHS == [str(work), str(src)]
