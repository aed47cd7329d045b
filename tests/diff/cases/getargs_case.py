# getargs: values from Python actions, save_out, whole groups (keyed by each task_dep of the
# group, a sub-task or not); a missing key; a failing source.
# (The run after a first one that ran the sources as setup tasks: doit 0.31 runs the
# getargs tasks again, 0.32+ and dodo do not; tests/e2e/test_doit036.py.)
# scenario first:
#   run
# scenario run:
#   run source saved parts
#   run
#   run
#   run show_one
#   run show_cmd
#   run from_group
# scenario errors:
#   run missing_key => 2
#   run from_failing => 1
#   run -c from_failing show_one => 2
# scenario group_deps:
#   run from_mixed
from doit.action import CmdAction


DOIT_CONFIG = {'default_tasks': ['show_one', 'show_cmd', 'from_group', 'from_saved']}


def task_source():
    return {'actions': [lambda: {'x': 5, 'y': 'why', 'z': [1, 2]}]}


def task_saved():
    return {'actions': [CmdAction('echo saved-text', save_out='out')]}


def task_parts():
    for n in (1, 2):
        yield {'name': str(n), 'actions': [(lambda n: {'n': n}, [n])]}


def task_failing():
    return {'actions': [lambda: False]}


def show(x, y, z):
    print('x=%r y=%r z=%r' % (x, y, z))


def task_show_one():
    return {'actions': [show], 'verbosity': 2,
            'getargs': {'x': ('source', 'x'), 'y': ('source', 'y'), 'z': ('source', 'z')}}


def task_show_cmd():
    return {'actions': ['echo cmd x=%(x)s y=%(y)s'], 'verbosity': 2,
            'getargs': {'x': ('source', 'x'), 'y': ('source', 'y')}}


def show_group(values):
    for k in sorted(values):
        print(k, values[k])


def task_from_group():
    return {'actions': [show_group], 'verbosity': 2,
            'getargs': {'values': ('parts', None)}}


def task_mixed():
    yield {'name': None, 'task_dep': ['source']}
    for n in (1, 2):
        yield {'name': str(n), 'actions': [(lambda n: {'x': n}, [n])]}


def task_from_mixed():
    return {'actions': [show_group], 'verbosity': 2,
            'getargs': {'values': ('mixed', 'x')}}


def task_from_saved():
    return {'actions': ['echo got %(out)s'], 'verbosity': 2,
            'getargs': {'out': ('saved', 'out')}}


def task_missing_key():
    return {'actions': ['echo %(nope)s'], 'getargs': {'nope': ('source', 'nope')}}


def task_from_failing():
    return {'actions': ['echo %(v)s'], 'getargs': {'v': ('failing', 'v')}}
