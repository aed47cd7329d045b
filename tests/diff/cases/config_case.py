# DOIT_CONFIG: default_tasks, verbosity, continue, check_file_uptodate, dep_file, and
# the command line winning over it.
# setup:
#   write in.txt x
# scenario default_tasks:
#   run
#   run
#   run second
#   run list
# scenario continue:
#   env FAIL=1
#   run => 1
#   run --continue => 1
# scenario dep_file:
#   run
#   run --db-file .other.db
#   run
import os

DOIT_CONFIG = {
    'default_tasks': ['first', 'third'],
    'verbosity': 2,
    'continue': bool(os.environ.get('FAIL')),
    'dep_file': '.custom-state',
}


def task_first():
    return {'actions': ['echo first; %s' % ('exit 1' if os.environ.get('FAIL') else 'true')],
            'file_dep': ['in.txt']}


def task_second():
    return {'actions': ['echo second'], 'file_dep': ['in.txt']}


def task_third():
    return {'actions': ['echo third'], 'file_dep': ['in.txt']}
