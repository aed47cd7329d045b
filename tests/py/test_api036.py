"""The doit 0.32-0.36 API of dodo's built-in `doit` package, where doit
0.31.1 (the oracle) has none of it or differs (docs/commands.md, "doit
0.32-0.36 and dodo"). tests/e2e/test_doit036.py drives the same through
the binary."""

import collections
import io

import pytest

import _dodo


def test_globals_exported_and_set_by_load(dodo):
    import doit
    from doit.globals import Globals
    from doit.dependency import Dependency
    assert doit.Globals is Globals and 'Globals' in doit.__all__
    Globals.dep_manager = None
    dodo("def task_t():\n    return {'actions': None}\n")
    assert isinstance(Globals.dep_manager, Dependency)


def test_dep_manager_reads_and_removes(engine):
    from doit.dependency import Dependency
    engine.save('t', '{"created": 42}', '{"created": 42}')
    engine.save('s', '{}', 'd41d8cd98f00b204e9800998ecf8427e')
    dep = Dependency()
    assert dep.get_values('t') == {'created': 42}
    assert dep.get_value('t', 'created') == 42
    assert dep.get_result('t') == {'created': 42}      # a dict as it is
    assert dep.get_result('s') == 'd41d8cd98f00b204e9800998ecf8427e'
    dep.remove('t')
    assert dep.get_values('t') == {} and dep.get_result('t') is None
    with pytest.raises(Exception, match="has no computed value"):
        dep.get_value('t', 'created')


def test_dict_result_saved_as_json(dodo):
    from doit.dependency import decode_result, encode_result
    assert encode_result({'b': 1, 'a': (1, 2)}) == '{"a": [1, 2], "b": 1}'
    assert decode_result(encode_result({'a': 1})) == {'a': 1}
    assert encode_result(None) is None and encode_result('') is None


def test_task_loader_removed_loader2_api():
    from doit.cmd_base import (DodoTaskLoader, ModuleTaskLoader,
                               NamespaceTaskLoader, TaskLoader, TaskLoader2,
                               get_loader)
    with pytest.raises(NotImplementedError, match='removed on 0.36.0'):
        TaskLoader()
    loader = ModuleTaskLoader({'DOIT_CONFIG': {'verbosity': 2}})
    assert isinstance(loader, NamespaceTaskLoader) and loader.API == 2
    assert loader.task_opts is None
    assert loader.load_doit_config() == {'verbosity': 2}
    assert get_loader({'GLOBAL': {}}, loader, {'run': 1, 'list': 2}) is loader
    assert loader.cmd_names == ['list', 'run']
    assert isinstance(get_loader(None), DodoTaskLoader)
    assert issubclass(DodoTaskLoader, TaskLoader2)


def test_check_tasks_exist_skips_patterns():
    from doit.cmd_base import check_tasks_exist
    from doit.exceptions import InvalidCommand
    check_tasks_exist({'a': 1}, ['a', 'b*'], skip_wildcard=True)
    with pytest.raises(InvalidCommand):
        check_tasks_exist({'a': 1}, ['b*'])


def test_cmd_option_section_and_metavar():
    from doit.cmdparse import CmdOption
    opt = CmdOption({'name': 'n', 'default': 1, 'type': int, 'short': 'n',
                     'long': 'num', 'metavar': 'N', 'section': 'extra'})
    assert opt.section == 'extra' and opt.help_param() == '-n N, --num=N'


def test_io_config(dodo):
    tasks = dodo('''
        def task_quiet():
            return {'actions': ['echo hi'], 'io': {'capture': False}}
        def task_plain():
            return {'actions': ['echo hi']}
        ''')[1]
    quiet, plain = tasks['quiet'], tasks['plain']
    assert quiet.io.capture is False and quiet.io == {'capture': False}
    assert plain.io.capture is True
    # an uncaptured command runs on the terminal, failing as a command does
    assert quiet.actions[0].mode == 'interactive'
    assert plain.actions[0].mode == 'normal'
    quiet.actions[0].expanded = 'x'
    assert 'Command failed' in quiet.actions[0].outcome(1).get_msg()


def test_title_may_be_any_callable(dodo):
    tasks = dodo('''
        import functools
        def titled(prefix, task):
            return prefix + task.name
        def task_a():
            return {'actions': None, 'title': functools.partial(titled, 'T:')}
        ''')[1]
    assert _dodo.title(tasks['a']) == 'T:a'


def test_attributes_of_subclasses(dodo):
    """doit 0.36 checks task attributes with isinstance"""
    from doit.task import Task

    class Deps(list):
        pass
    task = Task('t', None, file_dep=Deps(['a']),
                getargs=collections.OrderedDict(x=('s', 'v')))
    assert list(task.file_dep) == ['a'] and task.getargs == {'x': ('s', 'v')}


def test_creator_params_not_on_subtasks(dodo):
    tasks = dodo('''
        from doit import task_params
        @task_params([{'name': 'x', 'default': 1, 'long': 'x'}])
        def task_g(x):
            yield {'name': 'a', 'actions': None}
        ''')[1]
    assert [o['name'] for o in tasks['g'].creator_params] == ['x']
    assert tasks['g:a'].creator_params == []


def test_reporters_skip_unreported_failures():
    from doit.exceptions import TaskFailed
    from doit.reporter import ConsoleReporter, ErrorOnlyReporter

    class FakeTask:
        name = 't'
        actions = ()

    for cls in (ConsoleReporter, ErrorOnlyReporter):
        out = io.StringIO()
        rep = cls(out, {})
        rep.add_failure(FakeTask(), TaskFailed('x', report=False))
        rep.complete_run()
        assert out.getvalue() == '', cls
    assert TaskFailed('x').report is True


def test_unreported_failure_outcome():
    from doit.exceptions import TaskError
    fail = TaskError('quiet', report=False)
    assert _dodo._outcome(fail) == (2, 'TaskError', 'quiet\n', False)
    assert _dodo._outcome(TaskError('loud')) == (2, 'TaskError', 'loud\n')


def test_writer_streams():
    from doit.action import Writer
    captured, shown = io.StringIO(), io.StringIO()
    writer = Writer(captured)
    assert writer.isatty() is False
    with pytest.raises(io.UnsupportedOperation):
        writer.fileno()
    writer.add_writer(shown, is_original=True)
    writer.write('x')
    assert captured.getvalue() == shown.getvalue() == 'x'
    assert writer.orig_stream is shown


def test_pdb_flag():
    from doit.action import PythonAction
    try:
        _dodo.set_pdb(True)
        assert PythonAction.pm_pdb is True
    finally:
        _dodo.set_pdb(False)
    assert PythonAction.pm_pdb is False


def test_result_dep_saves_result_after_run(dodo, engine):
    from doit.tools import result_dep
    tasks = dodo('''
        from doit.tools import result_dep
        def task_src():
            return {'actions': [lambda: 'v1']}
        def task_use():
            return {'actions': None, 'uptodate': [result_dep('src')]}
        ''')[1]
    use = tasks['use']
    engine.save('src', '{}', 'old')
    assert _dodo.call_uptodate(use, 0) is False
    engine.save('src', '{}', 'new')     # src runs after the check
    use.save_extra_values()
    assert use.values == {'_result:src': 'new'}
    assert isinstance(use.uptodate[0][0], result_dep)


def test_api_run_tasks_says_run_dodo(capsys):
    from doit.api import run_tasks
    from doit.cmd_base import ModuleTaskLoader
    loader = ModuleTaskLoader({})
    assert run_tasks(loader, {'t': {'x': 1}}) == 3
    assert loader.task_opts == {'t': {'x': 1}}
    assert 'run the `dodo` command instead' in capsys.readouterr().err
