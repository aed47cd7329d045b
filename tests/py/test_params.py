"""parse_task_args and task options, compared with doit 0.31.1 runs."""

import json
import textwrap

import pytest

import _dodo
from pysupport import oracle

DODO = '''
import json
def show(**options):
    print(json.dumps(options, sort_keys=True))
def show_pos(pos, **options):
    options['pos'] = pos
    print(json.dumps(options, sort_keys=True))
PARAMS = [
    {'name': 'name', 'short': 'n', 'long': 'name', 'default': 'anon'},
    {'name': 'num', 'long': 'num', 'type': int, 'default': 0},
    {'name': 'flag', 'short': 'f', 'long': 'flag', 'type': bool,
     'default': False, 'inverse': 'no-flag'},
    {'name': 'items', 'short': 'l', 'long': 'item', 'type': list,
     'default': []},
    {'name': 'color', 'short': 'c', 'long': 'color', 'default': 'red',
     'choices': (('red', ''), ('blue', 'the sky'))},
    {'name': 'env', 'long': 'env', 'default': 'none',
     'env_var': 'DODO_TEST_PARAM'},
    {'name': 'hidden', 'default': 'h'},
]
def task_p():
    return {'actions': [show], 'params': PARAMS, 'verbosity': 2}
def task_pos():
    return {'actions': [show_pos], 'params': PARAMS[:1], 'pos_arg': 'pos',
            'verbosity': 2}
def task_other():
    return {'actions': [], 'verbosity': 2}
'''


@pytest.fixture
def params_dodo(tmp_path, engine, monkeypatch):
    (tmp_path / 'dodo.py').write_text(DODO)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv('DODO_TEST_PARAM', raising=False)
    _, tasks = _dodo.load(str(tmp_path / 'dodo.py'), {})
    return tmp_path, {t.name: t for t in tasks}


CASES = [
    ['p'],
    ['p', '--name=bob', '--num', '3'],
    ['p', '-n', 'al', '-f', '-l', 'a', '-l', 'b', '--item=c'],
    ['p', '-nal', '-fcblue', 'other'],
    ['p', '--flag', '--no-flag', '-c', 'blue'],
    ['p', '-f', 'other'],
    ['pos'],
    ['pos', '-n', 'x', 'a', '--b', '-c'],
]


def doit_options(folder, args, env=None):
    """options of the first task as doit's action prints them"""
    proc = oracle(folder, *args, env=env)
    assert proc.returncode == 0, proc.stderr
    lines = [l for l in proc.stdout.splitlines() if l.startswith('{')]
    return json.loads(lines[0])


@pytest.mark.parametrize('args', CASES, ids=lambda a: ' '.join(a))
def test_options_like_doit(params_dodo, args):
    folder, tasks = params_dodo
    expected = doit_options(folder, args)
    task = tasks[args[0]]
    rest = _dodo.parse_task_args(task, args[1:])
    options = dict(task.options)
    if task.pos_arg:
        options['pos'] = task.pos_arg_val
        assert rest == []
    assert options == expected


def test_remaining_args(params_dodo):
    _, tasks = params_dodo
    assert _dodo.parse_task_args(tasks['p'], ['-f', 'other', '-n', 'x']) == \
        ['other', '-n', 'x']
    assert _dodo.parse_task_args(tasks['other'], ['p', '-f']) == ['p', '-f']
    assert tasks['other'].options == {}


def test_env_var_like_doit(params_dodo, monkeypatch):
    folder, tasks = params_dodo
    expected = doit_options(folder, ['p'], {'DODO_TEST_PARAM': 'from env'})
    monkeypatch.setenv('DODO_TEST_PARAM', 'from env')
    _dodo.parse_task_args(tasks['p'], [])
    assert tasks['p'].options == expected
    assert expected['env'] == 'from env'


def test_defaults_from_prepare(params_dodo):
    _, tasks = params_dodo
    _dodo.prepare(tasks['p'])
    assert tasks['p'].options['name'] == 'anon'
    assert tasks['p'].options['items'] == []
    assert tasks['pos'].pos_arg_val is None


@pytest.mark.parametrize('args', [
    ['p', '--zz'],
    ['p', '-n'],
    ['p', '--num', 'abc'],
    ['p', '-c', 'green'],
    ['p', '--flag=yes'],
    ['other', '-x'],
], ids=lambda a: ' '.join(a))
def test_errors_like_doit(params_dodo, args):
    folder, tasks = params_dodo
    proc = oracle(folder, *args)
    assert proc.returncode == 3
    with pytest.raises(_dodo.LoadError) as info:
        _dodo.parse_task_args(tasks[args[0]], args[1:])
    assert (info.value.code, info.value.message) == (3, proc.stderr)


def test_bad_param_definition(tmp_path, engine, monkeypatch):
    (tmp_path / 'dodo.py').write_text(textwrap.dedent('''
        def task_p():
            return {'actions': ['echo %(x)s'], 'params': [{'name': 'x'}]}
        '''))
    monkeypatch.chdir(tmp_path)
    proc = oracle(tmp_path, 'p')
    _, tasks = _dodo.load(str(tmp_path / 'dodo.py'), {})
    with pytest.raises(_dodo.LoadError) as info:
        _dodo.parse_task_args(tasks[0], [])
    assert (info.value.code, info.value.message) == (3, proc.stderr)
    tasks[0].options = None
    with pytest.raises(_dodo.LoadError) as info:
        _dodo.prepare(tasks[0])
    assert info.value.message == proc.stderr


@pytest.mark.parametrize('sample,task', [
    ('parameters.py', 'py_params'), ('parameters.py', 'py_params_list'),
    ('parameters.py', 'py_params_choice'), ('parameters.py', 'cmd_params'),
    ('parameters_inverse.py', 'with_flag'), ('pos.py', 'pos_args'),
    ('hello.py', 'hello')])
def test_task_help_like_doit(samples_dir, engine, monkeypatch, sample, task):
    proc = oracle(samples_dir, 'help', '-f', sample, task)
    assert proc.returncode == 0
    monkeypatch.chdir(samples_dir)
    _, tasks = _dodo.load(str(samples_dir / sample), {})
    found = {t.name: t for t in tasks}[task]
    assert _dodo.task_help(found) == proc.stdout


def test_choices_help_with_descriptions():
    from doit.cmdparse import CmdOption
    opt = CmdOption({'name': 'c', 'long': 'c', 'default': 'a',
                     'choices': (('a', 'first'), ('b', ''))})
    assert opt.help_choices() == '\nchoices:\na: first\nb: '
    assert CmdOption({'name': 'x', 'default': 1}).help_doc() == []


def test_config_section_defaults(params_dodo):
    folder, _ = params_dodo
    _, tasks = _dodo.load(str(folder / 'dodo.py'), {},
                          config={'task:p': {'name': 'cfg', 'num': '7',
                                             'flag': 'yes', 'unknown': 'x'}})
    task = {t.name: t for t in tasks}['p']
    _dodo.prepare(task)
    assert (task.options['name'], task.options['num'],
            task.options['flag']) == ('cfg', 7, True)
    _dodo.parse_task_args(task, ['--num', '8'])
    assert (task.options['name'], task.options['num']) == ('cfg', 8)
