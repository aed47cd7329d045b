# Finding the task file and the working folder: -f, DOIT_FILE-less defaults, -d, -k, --seek-file.
# (-f/-d/-k before the command name and DOIT_FILE are doit 0.32's: dodo has them, the
# oracle not; tests/e2e/test_doit036.py.)
# setup:
#   mkdir sub/deeper
#   cp dodo.py tasks.py
# scenario file:
#   run -f tasks.py
#   run -f tasks.py
#   run --file=tasks.py where
#   run@sub -f ../tasks.py where
#   run@sub -f ../dodo.py where
#   run -f nope.py => 3
# scenario dir:
#   run -d sub where
#   run --dir sub where
#   run -d nowhere where => 3
# scenario seek:
#   run@sub -k where
#   run@sub/deeper --seek-file where
#   run@sub where => 3 ~ Could not find dodo file
#   run@sub list -k
# scenario initial_workdir:
#   run@sub -k initial
#   run initial
#   run@sub/deeper -k -d sub initial => 3
#   run@sub/deeper -k -d .. initial
#   run@sub -f ../dodo.py -d deeper where
import os

import doit


def task_where():
    return {'actions': ['pwd', (lambda: print('cwd', os.getcwd()))], 'verbosity': 2}


def task_initial():
    return {'actions': [lambda: print('initial', doit.get_initial_workdir())],
            'verbosity': 2}


def task_made():
    return {'actions': ['touch made.txt'], 'targets': ['made.txt']}
