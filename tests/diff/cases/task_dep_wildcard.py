# task_dep with a `*` pattern, and ordering-only task_dep (never makes a task out of date).
# scenario run:
#   run
#   run
#   run all
#   write in.txt changed
#   run all
# scenario list:
#   run list --deps
#   run info all => 1
# setup:
#   write in.txt x


def task_build_a():
    return {'actions': ['echo a >> log.txt'], 'file_dep': ['in.txt'],
            'targets': ['a.out']}


def task_build_b():
    return {'actions': ['echo b >> log.txt'], 'file_dep': ['in.txt']}


def task_builder():
    # does not match build_*: `*` is fnmatch on the whole name
    return {'actions': ['echo builder >> log.txt']}


def task_all():
    return {'actions': ['echo all >> log.txt'], 'task_dep': ['build_*'],
            'file_dep': ['in.txt']}
