"""`import doit` is dodo's package, with the names dodo files import."""

import importlib
import os

from pysupport import SRC_PY


def test_doit_is_ours():
    import doit
    assert os.path.dirname(os.path.abspath(doit.__file__)) == \
        os.path.join(SRC_PY, 'doit')
    assert doit.__version__ == (0, 36, 0)


def test_dodo_module_is_ours():
    import _dodo
    assert os.path.dirname(os.path.abspath(_dodo.__file__)) == SRC_PY


def test_public_names():
    import doit
    from doit import create_after, get_var, task_params, get_initial_workdir
    from doit.tools import (run_once, config_changed, timeout,
                            check_timestamp_unchanged, result_dep,
                            LongRunning, Interactive, InteractiveAction,
                            PythonInteractiveAction, create_folder,
                            title_with_actions, set_trace)
    from doit.action import CmdAction, PythonAction, BaseAction
    from doit.exceptions import (TaskFailed, TaskError, SetupError,
                                 DependencyError, UnmetDependency,
                                 InvalidTask, InvalidCommand,
                                 InvalidDodoFile, CatchedException, BaseFail)
    from doit.task import clean_targets, Task, dict_to_task, Stream
    from doit.reporter import (ConsoleReporter, ExecutedOnlyReporter,
                               ZeroReporter, JsonReporter)
    from doit.dependency import (MD5Checker, TimestampChecker,
                                 UptodateCalculator)
    from doit.cmd_base import (Command, TaskLoader, ModuleTaskLoader,
                               DodoTaskLoader)
    from doit.doit_cmd import DoitMain
    assert InteractiveAction is LongRunning
    assert CatchedException is BaseFail
    assert doit.run and doit.loader.create_after is create_after
    assert all(callable(name) for name in (
        get_var, task_params, get_initial_workdir, run_once, config_changed,
        timeout, check_timestamp_unchanged, result_dep, Interactive,
        PythonInteractiveAction, create_folder, title_with_actions, set_trace,
        CmdAction, PythonAction, BaseAction, TaskFailed, TaskError,
        SetupError, DependencyError, UnmetDependency, InvalidTask,
        InvalidCommand, InvalidDodoFile, clean_targets, Task, dict_to_task,
        Stream, ConsoleReporter, ExecutedOnlyReporter, ZeroReporter,
        JsonReporter, MD5Checker, TimestampChecker, UptodateCalculator,
        Command, TaskLoader, ModuleTaskLoader, DodoTaskLoader, DoitMain))


def test_every_module_imports():
    for name in ('action', 'api', 'cmd_base', 'cmdparse', 'dependency',
                 'doit_cmd', 'exceptions', 'loader', 'reporter', 'task',
                 'tools', 'version'):
        importlib.import_module('doit.' + name)


def test_get_initial_workdir_from_engine(engine):
    import doit
    engine.workdir = '/some/where'
    assert doit.get_initial_workdir() == '/some/where'


def test_doit_main_points_to_dodo(capsys):
    from doit.doit_cmd import DoitMain
    assert DoitMain().run(['list']) == 3
    assert 'dodo' in capsys.readouterr().err


def test_tools_star_import_like_doit():
    import subprocess
    code = 'from doit.tools import *\nnames = sorted(n for n in dir() if not n.startswith("_"))\nprint(" ".join(names))'
    from pysupport import oracle_env
    theirs = set(subprocess.run(['/usr/bin/python3', '-c', code], env=oracle_env(),
                                capture_output=True, text=True,
                                check=True).stdout.split())
    ns = {}
    exec('from doit.tools import *', ns)
    ours = {n for n in ns if not n.startswith('_')}
    assert theirs - ours == set()
