"""Actions through the contract: expand_cmd, cmd_done, run_python, finish."""

import json
import textwrap

import pytest

import _dodo
from pysupport import SRC_PY, oracle
from doit.action import CmdAction, PythonAction
from doit.dependency import get_md5
from doit.exceptions import TaskError, TaskFailed
from doit.tools import Interactive, LongRunning
from minirun import failure_block, normalize, run_task
from tracebacks import strip_internal_frames


def load(dodo, source, **kwargs):
    return dodo(source, **kwargs)[1]


# --- expand_cmd ----------------------------------------------------------
def test_expand_substitutions(dodo):
    tasks = load(dodo, '''
        def task_a():
            return {'actions': ['cp %(dependencies)s %(targets)s; %(changed)s',
                                'echo %(opt)s %(rest)s'],
                    'file_dep': ['in1', 'in2', 'in1'], 'targets': ['o1', 'o2'],
                    'params': [{'name': 'opt', 'short': 'o', 'default': 'd'}],
                    'pos_arg': 'rest'}
        ''')
    task = tasks['a']
    _dodo.parse_task_args(task, ['-o', 'v', 'p1', 'p2'])
    task.dep_changed = ['in2']
    assert _dodo.expand_cmd(task, task.actions[0]) == 'cp in1 in2 o1 o2; in2'
    assert _dodo.expand_cmd(task, task.actions[1]) == 'echo v p1 p2'
    assert task.executed


def test_expand_without_changed_or_pos(dodo):
    tasks = load(dodo, '''
        def task_a():
            return {'actions': ['echo %(changed)s', 'echo [%(rest)s]'],
                    'pos_arg': 'rest'}
        ''')
    task = tasks['a']
    _dodo.prepare(task)
    with pytest.raises(_dodo.ActionError) as info:
        _dodo.expand_cmd(task, task.actions[0])
    assert info.value.status == 2 and info.value.exc_name == 'TaskError'
    assert info.value.message.startswith(
        'CmdAction Error creating command string\nTraceback')
    assert info.value.message.endswith("KeyError: 'changed'\n")
    assert _dodo.expand_cmd(task, task.actions[1]) == 'echo []'


@pytest.mark.parametrize('style,expected', [
    ('old', 'a %(t)s {targets} b'),
    ('new', 'a %(t)s out b'),
    ('both', 'a T out b'),
])
def test_string_formatting(dodo, style, expected):
    tasks = load(dodo, '''
        DOIT_CONFIG = {'action_string_formatting': '%s'}
        def task_a():
            return {'actions': ['a %%(t)s {targets} b'], 'targets': ['out'],
                    'params': [{'name': 't', 'default': 'T'}]}
        ''' % style)
    task = tasks['a']
    _dodo.prepare(task)
    if style == 'old':
        expected = 'a T {targets} b'
    assert _dodo.expand_cmd(task, task.actions[0]) == expected


def test_bad_string_formatting(dodo):
    with pytest.raises(_dodo.LoadError) as info:
        load(dodo, "DOIT_CONFIG = {'action_string_formatting': 'x'}\n")
    assert info.value.code == 3
    _dodo.configure({})
    assert CmdAction.STRING_FORMAT == 'old'


def test_expand_list_and_callables(dodo):
    tasks = load(dodo, '''
        from pathlib import Path
        from doit.action import CmdAction
        def build(targets, opt):
            return 'make %s %s' % (' '.join(targets), opt)
        def argv(dependencies, extra):
            return ['ls'] + list(dependencies) + [extra]
        def task_a():
            return {'actions': [['echo', Path('a/b'), '%(targets)s'],
                                CmdAction(build), CmdAction((argv, [], {'extra': '-l'})),
                                CmdAction('pwd', cwd='/tmp', shell=False,
                                          save_out='where')],
                    'targets': ['t1'], 'file_dep': ['d1'],
                    'params': [{'name': 'opt', 'default': 'O'}]}
        ''')
    task = tasks['a']
    _dodo.prepare(task)
    acts = task.actions
    assert [a.kind for a in acts] == ['cmd'] * 4
    assert [a.shell for a in acts] == [False, True, True, False]
    assert _dodo.expand_cmd(task, acts[0]) == ['echo', 'a/b', '%(targets)s']
    assert _dodo.expand_cmd(task, acts[1]) == 'make t1 O'
    assert _dodo.expand_cmd(task, acts[2]) == ['ls', 'd1', '-l']
    assert acts[3].pkwargs == {'cwd': '/tmp'} and acts[3].save_out == 'where'


def test_expand_bad_list_element(dodo):
    tasks = load(dodo, '''
        def task_a():
            return {'actions': [['echo', 3]]}
        ''')
    with pytest.raises(_dodo.ActionError) as info:
        _dodo.expand_cmd(tasks['a'], tasks['a'].actions[0])
    assert "a. CmdAction element must be a str or Path from pathlib. " \
        "Got '3' (<class 'int'>)" in info.value.message


def test_cmd_action_forbidden_kwargs():
    from doit.exceptions import InvalidTask
    with pytest.raises(InvalidTask, match="CmdAction can't take param named "
                                          "'stdout'."):
        CmdAction('ls', stdout=None)


# --- cmd_done ------------------------------------------------------------
def test_cmd_done_outcomes(dodo):
    tasks = load(dodo, '''
        from doit.tools import LongRunning, Interactive
        from doit.action import CmdAction
        def task_a():
            return {'actions': ['exit 0', CmdAction('echo hi', save_out='o'),
                                LongRunning('serve'), Interactive('vi')]}
        ''')
    task = tasks['a']
    plain, saving, long_, inter = task.actions
    assert (long_.mode, inter.mode, plain.mode) == ('long', 'interactive',
                                                    'normal')
    _dodo.prepare(task)
    _dodo.expand_cmd(task, plain)
    assert _dodo.cmd_done(task, plain, 0, b'out', b'err') == (0, None, None)
    assert (plain.out, plain.err, plain.result) == ('out', 'err', 'outerr')
    assert _dodo.cmd_done(task, plain, 1, b'', b'') == (
        1, 'TaskFailed', "Command failed: 'exit 0' returned 1\n")
    assert _dodo.cmd_done(task, plain, 125, b'', b'')[0] == 1
    assert _dodo.cmd_done(task, plain, 126, b'', b'') == (
        2, 'TaskError', "Command error: 'exit 0' returned 126\n")
    _dodo.expand_cmd(task, saving)
    assert _dodo.cmd_done(task, saving, 1, b'x\n', b'')[0] == 1
    assert saving.values == {}
    assert _dodo.cmd_done(task, saving, 0, b'hi\n', b'')[0] == 0
    assert saving.values == {'o': 'hi\n'}
    # output is bytes, decoded as the action says (utf-8, errors='replace')
    assert _dodo.cmd_done(task, saving, 0, b'caf\xe9\n', b'\xff')[0] == 0
    assert (saving.out, saving.err) == ('caf\ufffd\n', '\ufffd')
    assert saving.values == {'o': 'caf\ufffd\n'}
    _dodo.expand_cmd(task, long_)
    assert _dodo.cmd_done(task, long_, 3, b'', b'') == (0, None, None)
    assert long_.out is None
    _dodo.expand_cmd(task, inter)
    assert _dodo.cmd_done(task, inter, 0, b'', b'') == (0, None, None)
    assert _dodo.cmd_done(task, inter, 3, b'', b'') == (
        1, 'TaskFailed', "Interactive command failed: 'vi' returned 3\n")


FAILURES = '''
    import sys
    from doit.exceptions import TaskFailed, TaskError
    def ret_false():
        return False
    def raise_exc():
        print('some output')
        raise ValueError('bad value')
    def ret_int():
        return 5
    def ret_failed():
        return TaskFailed('custom failure')
    def ret_error():
        return TaskError('custom error')
    def needs_arg(x):
        pass
    def task_f_false():
        return {'actions': [ret_false]}
    def task_f_exc():
        return {'actions': [raise_exc]}
    def task_f_int():
        return {'actions': [ret_int]}
    def task_f_failed():
        return {'actions': [ret_failed]}
    def task_f_error():
        return {'actions': [ret_error]}
    def task_f_arg():
        return {'actions': [needs_arg]}
    def task_c_fail():
        return {'actions': ['echo before; exit 3']}
    def task_c_err():
        return {'actions': ['exit 127']}
    def task_c_key():
        return {'actions': ['echo %(nope)s']}
    def task_c_list():
        return {'actions': [['sh', '-c', 'exit 2']]}
    def task_c_call():
        return {'actions': [(lambda: 1 / 0,)][:0] + [
            __import__('doit').action.CmdAction(lambda: 1 / 0)]}
'''


@pytest.fixture(scope='module')
def failures_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp('failures')
    (folder / 'dodo.py').write_text(textwrap.dedent(FAILURES))
    return folder


@pytest.mark.parametrize('name', ['f_false', 'f_exc', 'f_int', 'f_failed',
                                  'f_error', 'f_arg', 'c_fail', 'c_err',
                                  'c_key', 'c_list', 'c_call'])
def test_failures_like_doit(failures_dir, engine, monkeypatch, name):
    proc = oracle(failures_dir, name)
    monkeypatch.chdir(failures_dir)
    _, tasks = _dodo.load(str(failures_dir / 'dodo.py'), {})
    task = {t.name: t for t in tasks}[name]
    outcome = run_task(task)
    assert outcome[0] == proc.returncode
    expected = strip_internal_frames(normalize(proc.stdout))
    block = strip_internal_frames(normalize(failure_block(name, outcome)),
                                  (SRC_PY,))
    assert block in expected


# --- run_python ----------------------------------------------------------
OUTPUT = '''
    import sys
    def talk():
        print('to out')
        sys.stderr.write('to err\\n')
    def task_t():
        return {'actions': [talk]}
'''


@pytest.mark.parametrize('verbosity,shown_out,shown_err', [
    (0, '', ''), (1, '', 'to err\n'), (2, 'to out\n', 'to err\n')])
def test_python_verbosity(dodo, capsys, verbosity, shown_out, shown_err):
    task = load(dodo, OUTPUT)['t']
    _dodo.prepare(task)
    capsys.readouterr()
    assert _dodo.run_python(task, task.actions[0], verbosity) == (0, None, None)
    shown = capsys.readouterr()
    assert (shown.out, shown.err) == (shown_out, shown_err)
    assert (task.actions[0].out, task.actions[0].err) == ('to out\n',
                                                          'to err\n')


def test_python_no_capture_io(dodo, capsys):
    task = load(dodo, OUTPUT.replace("[talk]}", "[talk], 'io': {'capture': False}}"))['t']
    _dodo.prepare(task)
    capsys.readouterr()
    assert _dodo.run_python(task, task.actions[0], 0)[0] == 0
    assert capsys.readouterr().out == 'to out\n'
    assert task.io == {'capture': False}


def test_python_results_and_injection(dodo, engine):
    tasks = load(dodo, '''
        def values(targets, dependencies, changed, task, opt, **kw):
            return {'t': targets, 'd': dependencies, 'c': changed,
                    'name': task.name, 'opt': opt, 'kw': sorted(kw)}
        def text(a, b=2):
            return 'a=%s b=%s' % (a, b)
        def task_a():
            return {'actions': [values, (text, [1], {'b': 3}), (text, (5,))],
                    'targets': ['t'], 'file_dep': ['d'],
                    'params': [{'name': 'opt', 'default': 'o'},
                               {'name': 'more', 'default': 'm'}],
                    'pos_arg': 'pos'}
        ''')
    task = tasks['a']
    task.dep_changed = ['d']
    _dodo.parse_task_args(task, ['x', 'y'])
    _dodo.prepare(task)
    acts = task.actions
    assert _dodo.run_python(task, acts[0], 1) == (0, None, None)
    assert list(acts[0].values['d']) == ['d']   # doit's file_dep set
    assert acts[0].values == {'t': ['t'], 'd': acts[0].values['d'], 'c': ['d'],
                              'name': 'a', 'opt': 'o', 'kw': ['more', 'pos']}
    assert acts[0].result == acts[0].values
    _dodo.run_python(task, acts[1], 1)
    assert acts[1].result == 'a=1 b=3' and acts[1].values == {}
    _dodo.run_python(task, acts[2], 1)
    values, result = _dodo.finish(task)
    assert json.loads(values) == dict(acts[0].values, d=['d'])
    assert result == get_md5('a=5 b=2')


def test_reserved_argument_default(dodo):
    tasks = load(dodo, '''
        def act(targets=None):
            pass
        def task_a():
            return {'actions': [act]}
        ''')
    task = tasks['a']
    _dodo.prepare(task)
    with pytest.raises(_dodo.RunAborted) as info:
        _dodo.run_python(task, task.actions[0], 1)
    assert info.value.message == (
        "Task a, action act(): The argument 'targets' is not allowed  to "
        "have a default value (reserved by doit)")


def test_python_interactive_action(dodo, capsys):
    tasks = load(dodo, '''
        from doit.tools import PythonInteractiveAction
        def shout():
            print('loud')
            return False
        def task_a():
            return {'actions': [PythonInteractiveAction(shout)]}
        ''')
    task = tasks['a']
    _dodo.prepare(task)
    capsys.readouterr()
    assert _dodo.run_python(task, task.actions[0], 0) == (0, None, None)
    assert capsys.readouterr().out == 'loud\n'


def test_custom_action_classes(dodo):
    tasks = load(dodo, '''
        from doit.action import BaseAction, CmdAction
        class Mine(BaseAction):
            def __init__(self):
                self.out = self.err = None
                self.result = None
                self.values = {'mine': 1}
            def execute(self, out=None, err=None):
                self.result = 'did it'
                return 'not a failure'
        class MyCmd(CmdAction):
            def execute(self, out=None, err=None):
                self.values = {'cmd': 2}
        def task_a():
            return {'actions': [Mine(), MyCmd('true')]}
        ''')
    task = tasks['a']
    assert [a.kind for a in task.actions] == ['python', 'python']
    assert run_task(task) == (0, None, None)
    assert json.loads(_dodo.finish(task)[0]) == {'mine': 1, 'cmd': 2}


# --- finish --------------------------------------------------------------
def test_finish_results(dodo):
    tasks = load(dodo, '''
        def task_cmd():
            return {'actions': ['echo out; echo err >&2']}
        def task_dict():
            return {'actions': [lambda: {'b': 1, 'a': [1, 2]}]}
        def task_none():
            return {'actions': [lambda: None]}
        def task_group():
            yield {'name': 's', 'actions': []}
        ''')
    run_task(tasks['cmd'])
    assert _dodo.finish(tasks['cmd']) == ('{}', get_md5('out\nerr\n'))
    run_task(tasks['dict'])
    values, result = _dodo.finish(tasks['dict'])
    assert json.loads(values) == {'b': 1, 'a': [1, 2]}
    assert result == get_md5('{"a": [1, 2], "b": 1}')
    run_task(tasks['none'])
    assert _dodo.finish(tasks['none']) == ('{}', None)
    assert _dodo.finish(tasks['group']) == ('{}', None)


def test_finish_unusual_values(dodo):
    tasks = load(dodo, '''
        from pathlib import Path
        def task_a():
            return {'actions': [lambda: {'s': {3, 1}, 'p': Path('x/y'),
                                         'o': object}]}
        ''')
    run_task(tasks['a'])
    values = json.loads(_dodo.finish(tasks['a'])[0])
    assert values['s'] == [1, 3] and values['p'] == 'x/y'
    assert values['o'] == "<class 'object'>"


# --- in-process CmdAction (teardown, clean, doit's API) -----------------
def test_cmd_action_execute_in_process(tmp_path):
    out = __import__('io').StringIO()
    action = CmdAction('echo one; echo two >&2; exit 0', save_out='o')
    assert action.execute(out=out) is None
    assert (action.out, action.err) == ('one\n', 'two\n')
    assert out.getvalue() == 'one\n' and action.values == {'o': 'one\n'}
    failing = CmdAction(['sh', '-c', 'exit 4'], shell=False)
    failure = failing.execute()
    assert isinstance(failure, TaskFailed)
    assert failure.get_msg() == "Command failed: '['sh', '-c', 'exit 4']' " \
                                "returned 4\n"
    assert isinstance(CmdAction('exit 130').execute(), TaskError)
    assert LongRunning('exit 3').execute() is None
    assert isinstance(Interactive('exit 3').execute(), TaskFailed)
    buffered = CmdAction('printf abc', buffering=2)
    assert buffered.execute() is None and buffered.out == 'abc'


def test_action_strings():
    def func():
        pass
    assert str(CmdAction('ls -l')) == 'Cmd: ls -l'
    assert repr(CmdAction(['ls'])) == "<CmdAction: '['ls']'>"
    assert str(PythonAction(func)).startswith('Python: function ')
    assert ' at 0x' not in str(PythonAction(func))
