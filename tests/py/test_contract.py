"""The rest of the _dodo contract: getargs, uptodate, calc_dep,
create_after, teardown, clean, titles and error text."""

import io
import os

import pytest

import _dodo
from pysupport import SRC_PY, oracle
from minirun import run_task, uptodate
from tracebacks import strip_internal_frames


# --- prepare / getargs ---------------------------------------------------
GETARGS = '''
    def task_compute():
        return {'actions': [lambda: {'x': 5, 'y': 10}]}
    def task_group():
        yield {'name': '5', 'actions': [lambda: {'x': 5}]}
        yield {'name': '7', 'actions': [lambda: {'x': 7}]}
    def task_use():
        return {'actions': ['echo %(x)s'],
                'getargs': {'x': ('compute', 'x'), 'all': ('compute', None),
                            'grp': ('group', 'x'), 'gall': ('group', None)}}
    def task_bad_key():
        return {'actions': ['true'], 'getargs': {'z': ('compute', 'zz')}}
'''


def test_getargs_values(dodo, engine):
    tasks = dodo(GETARGS)[1]
    assert tasks['use'].setup_tasks == ['compute', 'group']
    for name in ('compute', 'group:5', 'group:7'):
        run_task(tasks[name])
    _dodo.prepare(tasks['use'])
    assert tasks['use'].options == {
        'x': 5, 'all': {'x': 5, 'y': 10}, 'grp': {'5': 5, '7': 7},
        'gall': {'5': {'x': 5}, '7': {'x': 7}}}
    assert _dodo.expand_cmd(tasks['use'], tasks['use'].actions[0]) == 'echo 5'


def test_getargs_error_like_doit(dodo, engine):
    tasks = dodo(GETARGS)[1]
    proc = oracle(dodo.path, 'bad_key')
    assert proc.returncode == 2
    run_task(tasks['compute'])
    with pytest.raises(_dodo.LoadError) as info:
        _dodo.prepare(tasks['bad_key'])
    assert info.value.code == 2
    block = 'DependencyError - taskid:bad_key\n%s\n' % info.value.message
    assert block in proc.stdout


def test_getargs_no_saved_values(dodo, engine):
    tasks = dodo(GETARGS)[1]
    with pytest.raises(_dodo.LoadError) as info:
        _dodo.prepare(tasks['bad_key'])
    assert info.value.args == ("ERROR getting value for argument\n"
                               "taskid 'compute' has no computed value!", 2)


# --- call_uptodate -------------------------------------------------------
def test_uptodate_kinds(dodo, engine):
    tasks = dodo('''
        from doit.dependency import UptodateCalculator
        seen = []
        def with_task(task, values):
            seen.append(('tv', task.name, values))
            return True
        def only_values(x, values):
            seen.append(('xv', x, values))
            return 0
        def plain(a, b=1):
            seen.append(('plain', a, b))
            return None
        class Calc(UptodateCalculator):
            def __call__(self, task):
                seen.append(('calc', sorted(self.tasks_dict),
                             self.get_val('a', 'result:')))
                return 'yes'
        def task_a():
            return {'actions': ['echo r'],
                    'uptodate': [with_task, (only_values, ['X']), (plain, [3]),
                                 (plain, [4], {'b': 5}), 'true', 'false',
                                 True, False, None, Calc()]}
        ''')[1]
    task = tasks['a']
    run_task(task)
    assert uptodate(task) == [True, False, None, None, True, False, True,
                              False, None, True]
    import dodo as module
    # as in doit, `values` is passed first when the first parameter is
    # not named task
    assert module.seen == [('tv', 'a', {}), ('xv', {}, 'X'),
                           ('plain', 3, 1), ('plain', 4, 5),
                           ('calc', ['a'], engine.results['a'])]


def test_uptodate_exception_text(dodo, engine):
    tasks = dodo('''
        def broken(task, values):
            raise RuntimeError('cannot tell')
        def task_a():
            return {'actions': ['true'], 'uptodate': [broken]}
        ''')[1]
    proc = oracle(dodo.path, 'a')
    assert proc.returncode == 3
    with pytest.raises(RuntimeError) as info:
        _dodo.call_uptodate(tasks['a'], 0)
    text = _dodo.format_exception(info.value)
    # (the engine calls from C: here the test's own frame comes first)
    assert strip_internal_frames(text, (SRC_PY, __file__)) == \
        strip_internal_frames(proc.stderr)
    # called from C, the traceback starts at _dodo: hidden
    from doit.exceptions import format_exception_text
    from_c = format_exception_text(info.value, info.value.__traceback__.tb_next)
    assert SRC_PY not in from_c and from_c == strip_internal_frames(
        text, (SRC_PY, __file__))


# --- calc_dep ------------------------------------------------------------
CALC = '''
    def task_get_dep():
        return {'actions': [lambda: {'file_dep': ['a.txt', 'b.txt'],
                                     'task_dep': ['other'],
                                     'calc_dep': ['more'],
                                     'uptodate': [True], 'ignored': 1}]}
    def task_use():
        return {'actions': ['cat %(dependencies)s'], 'file_dep': ['a.txt'],
                'calc_dep': ['get_dep']}
    def task_other():
        return {'actions': []}
    def task_more():
        return {'actions': []}
'''


def test_apply_calc_dep(dodo, engine):
    tasks = dodo(CALC)[1]
    run_task(tasks['get_dep'])
    _dodo.apply_calc_dep(tasks['use'], tasks['get_dep'])
    use = tasks['use']
    assert list(use.file_dep) == ['a.txt', 'b.txt']
    assert use.task_dep == ['other'] and use.calc_dep == ['get_dep', 'more']
    assert use.uptodate == [(True, None, None)]


def test_apply_calc_dep_from_saved_values(dodo, engine):
    tasks = dodo(CALC)[1]
    run_task(tasks['get_dep'])
    tasks = dodo(CALC)[1]  # next run: get_dep is up to date, not executed
    _dodo.apply_calc_dep(tasks['use'], tasks['get_dep'])
    assert list(tasks['use'].file_dep) == ['a.txt', 'b.txt']


# --- create_after --------------------------------------------------------
DELAYED = '''
    from doit import create_after, task_params
    @create_after(executed='early', target_regex=r'.*\\.out')
    def task_build():
        """build doc"""
        for name in sorted(open('list.txt').read().split()):
            yield {'name': name, 'actions': ['cp %(dependencies)s %(targets)s'],
                   'file_dep': [name], 'targets': [name + '.out']}
    @create_after('early', creates=['made1', 'made2'])
    def task_maker():
        yield {'basename': 'made1', 'actions': ['echo 1']}
        yield {'basename': 'made2', 'actions': ['echo 2'], 'task_dep': ['made1']}
    @create_after('early')
    def task_bad():
        return {'actions': [], 'oops': 1}
    def task_early():
        return {'actions': ['echo a.in b.in > list.txt'], 'targets': ['list.txt']}
'''


def test_create_delayed(dodo, engine):
    tasks = dodo(DELAYED)[1]
    assert tasks['build'].loader and tasks['build'].task_dep == ['early']
    run_task(tasks['early'])
    new = _dodo.create_delayed('build')
    assert [t.name for t in new] == ['build', 'build:a.in', 'build:b.in']
    assert new[0].doc == 'build doc' and new[0].loader is None
    assert new[1].targets == ['a.in.out']
    assert _dodo.tasks()['build'] is new[0]
    assert _dodo.create_delayed('build:a.in') == []


def test_create_delayed_creates(dodo, engine):
    tasks = dodo(DELAYED)[1]
    run_task(tasks['early'])
    new = _dodo.create_delayed('made2')
    assert [t.name for t in new] == ['made1', 'made2']
    assert _dodo.create_delayed('made1') == []
    assert _dodo.tasks()['made1'] is new[0]


def test_create_delayed_subtask_and_regex_names(dodo, engine):
    tasks = dodo(DELAYED)[1]
    run_task(tasks['early'])
    new = _dodo.create_delayed('build:b.in')
    assert 'build:b.in' in [t.name for t in new]
    tasks = dodo(DELAYED)[1]
    new = _dodo.create_delayed('_regex_target_a.in.out:build')
    assert [t.name for t in new][0] == 'build'
    assert _dodo.create_delayed('early') == []
    with pytest.raises(KeyError):
        _dodo.create_delayed('no_such_task')


def test_create_delayed_invalid(dodo, engine):
    dodo(DELAYED)
    with pytest.raises(_dodo.RunAborted) as info:
        _dodo.create_delayed('bad')
    assert info.value.message == "Task bad contains invalid field: 'oops'"


# --- teardown ------------------------------------------------------------
TEARDOWN = '''
    def fail():
        raise ValueError("bad")
    def task_a():
        return {'actions': ['true'], 'teardown': ['false', 'echo td']}
    def task_b():
        return {'actions': ['true'], 'teardown': [fail]}
    def task_c():
        return {'actions': ['true'], 'teardown': ['echo ok', lambda: None]}
'''


@pytest.mark.parametrize('name', ['a', 'b'])
def test_teardown_like_doit(dodo, engine, name):
    tasks = dodo(TEARDOWN)[1]
    proc = oracle(dodo.path, name)
    assert proc.returncode == 0
    run_task(tasks[name])
    text = _dodo.run_teardown(tasks[name], 1)
    assert strip_internal_frames(text, (SRC_PY,)) == \
        strip_internal_frames(proc.stderr)


def test_teardown_ok(dodo, engine, capfd):
    tasks = dodo(TEARDOWN)[1]
    assert _dodo.run_teardown(tasks['c'], 2) is None
    assert capfd.readouterr().out == 'ok\n'


# --- clean ---------------------------------------------------------------
CLEAN = '''
    def py_clean(dryrun):
        print('python clean, dryrun=%s' % dryrun)
    def py_plain():
        print('plain python clean')
    def task_files():
        return {'actions': ['true'], 'clean': True,
                'targets': ['f1', 'd_full', 'missing', 'd_empty', 'f2']}
    def task_acts():
        return {'actions': ['true'],
                'clean': ['echo cleaning %(opt)s', py_clean, py_plain],
                'params': [{'name': 'opt', 'default': 'O'}]}
    def task_none():
        return {'actions': ['true']}
'''


def make_clean_files(folder):
    for name in ('f1', 'f2', 'd_full/x'):
        os.makedirs(folder / os.path.dirname(name), exist_ok=True)
        (folder / name).write_text('x')
    os.makedirs(folder / 'd_empty', exist_ok=True)


@pytest.mark.parametrize('dryrun', [True, False])
def test_clean_like_doit(dodo, engine, dryrun, capfd):
    tasks = dodo(CLEAN)[1]
    make_clean_files(dodo.path)
    flags = ['-n'] if dryrun else []
    proc = oracle(dodo.path, 'clean', *flags, 'files', 'acts', 'none')
    assert proc.returncode == 0, proc.stderr
    make_clean_files(dodo.path)
    out = io.StringIO()
    for name in ('files', 'acts', 'none'):
        _dodo.clean(tasks[name], dryrun, out)
    shown = capfd.readouterr().out
    assert out.getvalue() + shown == proc.stdout or \
        sorted((out.getvalue() + shown).splitlines()) == \
        sorted(proc.stdout.splitlines())
    assert os.path.exists(dodo.path / 'f1') == dryrun
    assert os.path.exists(dodo.path / 'd_empty') == dryrun
    assert os.path.exists(dodo.path / 'd_full')


def test_clean_messages_order(dodo, engine):
    tasks = dodo(CLEAN)[1]
    make_clean_files(dodo.path)
    out = io.StringIO()
    _dodo.clean(tasks['files'], True, out)
    assert out.getvalue() == (
        "files - removing file 'f1'\n"
        "files - removing file 'f2'\n"
        "files - cannot remove (it is not empty) 'd_full'\n"
        "files - removing dir 'd_empty'\n")


# --- titles and misc -----------------------------------------------------
def test_custom_title(dodo):
    tasks = dodo('''
        def show(task):
            return 'T:' + task.name
        def task_a():
            return {'actions': [], 'title': show}
        def task_b():
            return {'actions': []}
        ''')[1]
    assert _dodo.title(tasks['a']) == 'T:a'
    assert _dodo.title(tasks['b']) == 'b'


def test_load_error_shape():
    err = _dodo.LoadError('text\n', 2)
    assert err.args == ('text\n', 2) and str(err) == 'text\n'
    assert _dodo.ActionError(2, 'TaskError', 'm').args == (2, 'TaskError', 'm')


def test_format_exception_chained():
    try:
        try:
            raise KeyError('inner')
        except KeyError:
            raise ValueError('outer')
    except ValueError as exc:
        text = _dodo.format_exception(exc)
    assert 'KeyError' in text and text.endswith('ValueError: outer\n')
    assert 'During handling of the above exception' in text


@pytest.mark.parametrize('sample', ['clean_mix.py', 'custom_clean.py'])
@pytest.mark.parametrize('dryrun', [True, False])
def test_clean_samples_like_doit(tmp_path, engine, monkeypatch, sample,
                                 dryrun):
    from pysupport import SAMPLES
    source = os.path.join(SAMPLES, sample)
    if not os.path.exists(source):
        pytest.skip('no doit samples')
    (tmp_path / 'dodo.py').write_text(open(source).read())
    (tmp_path / 'poo').write_text('x')
    proc = oracle(tmp_path, 'clean', *(['-n'] if dryrun else []))
    assert proc.returncode == 0, proc.stderr
    (tmp_path / 'poo').write_text('x')
    monkeypatch.chdir(tmp_path)
    _, tasks = _dodo.load(str(tmp_path / 'dodo.py'), {})
    out = io.StringIO()
    for task in reversed(tasks):
        _dodo.clean(task, dryrun, out)
    assert out.getvalue() == proc.stdout
    if sample == 'clean_mix.py':
        assert os.path.exists(tmp_path / 'poo') == dryrun


def test_invalid_command_messages():
    from doit.exceptions import InvalidCommand
    err = InvalidCommand(not_found='xyz')
    assert str(err) == ('Invalid parameter: "xyz". Must be a command, task, '
                        'or a target.\nType "doit help" to see available '
                        'commands.\nType "doit list" to see available tasks.\n')
    err.cmd_used, err.bin_name = 'run', 'dodo'
    assert str(err) == ('command `run` invalid parameter: "xyz". Must be a '
                        'task, or a target.\nType "dodo list" to see '
                        'available tasks')
    assert str(InvalidCommand('plain')) == 'plain'


def test_unknown_task_like_doit(tmp_path):
    (tmp_path / 'dodo.py').write_text('def task_a():\n    return {"actions": []}\n')
    from doit.exceptions import InvalidCommand
    for args, used in ((['nope'], None), (['run', 'nope'], 'run')):
        proc = oracle(tmp_path, *args)
        err = InvalidCommand(not_found='nope')
        err.cmd_used = used
        err.bin_name = '-m'  # sys.argv[0] of `python3 -m doit`
        assert (proc.returncode, proc.stderr) == (3, 'ERROR: %s\n' % err)


def test_failure_records():
    from doit.exceptions import (BaseFail, DependencyError, SetupError,
                                 TaskError, TaskFailed, UnmetDependency)
    fail = TaskFailed('msg')
    assert (fail.get_name(), fail.get_msg(), repr(fail), str(fail)) == (
        'TaskFailed', 'msg\n', '(<TaskFailed> msg)', 'TaskFailed\nmsg\n')
    # doit 0.36: UnmetDependency, SetupError, DependencyError are TaskErrors
    assert all(issubclass(cls, TaskError) and not issubclass(cls, TaskFailed)
               for cls in (UnmetDependency, SetupError, DependencyError))
    try:
        raise KeyError('k')
    except KeyError as exc:
        error = TaskError('wrapped', exc)
    assert error.get_msg().startswith('wrapped\nTraceback (most recent call '
                                      'last):\n')
    assert error.get_msg().endswith("KeyError: 'k'\n")
    setup = SetupError('outer', error)
    assert setup.traceback == error.traceback
    assert setup.get_msg() == 'outer\n' + ''.join(error.traceback)
    assert all(issubclass(cls, BaseFail) for cls in
               (TaskFailed, TaskError, SetupError, DependencyError))
