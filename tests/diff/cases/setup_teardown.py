# setup tasks run only when the task runs; teardowns run at the end, in reverse order.
# setup:
#   write in.txt x
# scenario run:
#   run
#   run
#   write in.txt y
#   run
#   run -a use_one
#   run use_two
# scenario failing:
#   run bad_teardown
#   run -v 2 bad_teardown
#   run fails_with_setup => 1
# scenario verbose:
#   run -v 2
#   run -v 2 -a
#   run -v 2 -a bad_teardown use_two

DOIT_CONFIG = {'default_tasks': ['use_one', 'use_two']}


def start(name):
    print('start', name)


def stop(name):
    print('stop', name)


def task_env():
    for name in ('one', 'two'):
        yield {'name': name, 'actions': [(start, [name])],
               'teardown': [(stop, [name]), 'echo shell-stop-%s' % name],
               'verbosity': 2}


def task_use_one():
    return {'actions': ['echo use one'], 'setup': ['env:one'],
            'file_dep': ['in.txt'], 'verbosity': 2}


def task_use_two():
    return {'actions': ['echo use two'], 'setup': ['env:two', 'env:one'],
            'file_dep': ['in.txt'], 'verbosity': 2}


def task_bad_teardown():
    return {'actions': ['echo doing'], 'teardown': ['echo td-out; exit 3'],
            'verbosity': 2}


def task_fails_with_setup():
    return {'actions': ['exit 1'], 'setup': ['env:two']}
