# info: fields, status and every reason a task is not up to date; exit codes.
# setup:
#   write in.txt x
#   write dep2.txt y
# scenario fields:
#   run info full => 1
#   run info --no-status full
#   run info full --no-status => 3
#   run info alpha => 1
#   run info grp => 1
#   run info grp:a => 1
# scenario reasons:
#   run info nodeps => 1
#   run info utd => 1
#   run info full => 1
#   run full
#   run info full
#   write in.txt changed
#   run info full => 1
#   rm out.txt
#   run info full => 1
#   rm in.txt
#   run info full => 1
# scenario depset:
#   run full
#   sub dodo.py "FILES = ['in.txt']" "FILES = ['in.txt', 'dep2.txt']"
#   run info full => 1
#   run full
#   sub dodo.py "FILES = ['in.txt', 'dep2.txt']" "FILES = ['dep2.txt']"
#   run info full => 1
# scenario checker:
#   run full
#   run info --check_file_uptodate timestamp full => 1
#   run info --check_file_uptodate nope full => 3
# scenario errors:
#   run info => 3 ~ must select *one* task
#   run info full alpha => 3
#   run info --nope => 3


FILES = ['in.txt']


def task_full():
    """Everything info shows."""
    return {'actions': ['cat in.txt > out.txt'], 'file_dep': FILES,
            'targets': ['out.txt'], 'task_dep': ['alpha'], 'setup': ['nodeps'],
            'getargs': {'x': ('alpha', 'v')}, 'verbosity': 2,
            'params': [{'name': 'p', 'default': 1, 'short': 'p'}],
            'watch': ['src', 'other']}


def task_alpha():
    return {'actions': [lambda: {'v': 1}], 'file_dep': ['in.txt']}


def task_nodeps():
    return {'actions': ['true']}


def never(*args, **kwargs):
    return False


def task_utd():
    return {'actions': ['true'], 'uptodate': [False, 'false', 'true', None, never,
                                                 (never, [1], {'k': 2})]}


def task_grp():
    for n in 'ab':
        yield {'name': n, 'actions': ['true'], 'file_dep': ['in.txt']}
