"""Run by the reference Python (Debian's doit 0.31.1): load a task file with
doit's own loader and print its tasks as JSON (see conftest.describe)."""

import json
import os
import sys
import traceback

from doit import loader
from doit.exceptions import InvalidDodoFile, InvalidTask, InvalidCommand
from doit.cmdparse import CmdParseError

COMMANDS = ['auto', 'clean', 'dumpdb', 'forget', 'help', 'ignore', 'info',
            'list', 'reset-dep', 'run', 'strace', 'tabcompletion']


def describe(task):
    return {'name': task.name, 'doc': task.doc,
            'file_dep': sorted(task.file_dep), 'targets': list(task.targets),
            'task_dep': list(task.task_dep), 'wild_dep': list(task.wild_dep),
            'setup': list(task.setup_tasks),
            'calc_dep': sorted(task.calc_dep),
            'has_subtask': bool(task.has_subtask),
            'subtask_of': task.subtask_of, 'verbosity': task.verbosity,
            'clean': bool(task._remove_targets),
            'n_clean': len(task.clean_actions),
            'n_teardown': len(task.teardown),
            'n_uptodate': len(task.uptodate),
            'delayed': bool(task.loader), 'pos_arg': task.pos_arg,
            'params': [p['name'] for p in task.params],
            'watch': list(task.watch)}


def load(file_name, allow_delayed):
    try:
        module = loader.get_module(file_name)
        members = {name: getattr(module, name) for name in dir(module)}
        tasks = loader.load_tasks(members, COMMANDS, allow_delayed)
        loader.load_doit_config(members)
    except (InvalidDodoFile, InvalidTask, InvalidCommand,
            CmdParseError) as exc:
        result = {'error': 'ERROR: %s\n' % exc}
    except Exception:
        result = {'error': traceback.format_exc()}
    else:
        result = [describe(t) for t in tasks]
    return result


def main():
    """args: FILE 0|1, or --batch FILE... (every file, both ways: prints
    {"FILE": [without delayed, with delayed]})"""
    real_stdout, sys.stdout = sys.stdout, sys.stderr  # task files may print
    try:
        if sys.argv[1] == '--batch':
            folder = os.getcwd()
            result = {}
            for name in sys.argv[2:]:
                result[name] = []
                for allow in (False, True):
                    os.chdir(folder)
                    result[name].append(load(name, allow))
        else:
            result = load(sys.argv[1], sys.argv[2] == '1')
    finally:
        sys.stdout = real_stdout
    print(json.dumps(result))


if __name__ == '__main__':
    main()
