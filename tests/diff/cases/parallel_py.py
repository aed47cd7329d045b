# Python actions with -n (doit's -P process runs them in worker processes,
# -P thread in the main process): values and results reach the state, getargs
# and result_dep as in a serial run. (Actions write files rather than print:
# doit's workers print in a racy order with the reporter.) `vals` runs first: doit 0.31
# runs a getargs task again on the run after the one that ran its source as a setup
# task, 0.32+ and dodo do not (tests/e2e/test_doit036.py).
# scenario process:
#   run -n 2 vals
#   run -n 2 use
#   run -n 2 use
#   run -n 2 check
#   run -n 2 check
#   env R=2
#   run -n 2 check
#   run -n 3 -v 2 chain
# scenario thread:
#   run -n 2 -P thread use
#   run -n 2 -P thread check
#   run -n 2 -P thread check
import os

from doit.tools import result_dep


def make(n):
    return {'n': n, 'double': 2 * n}


def task_vals():
    return {'actions': [(make, [21])]}


def show(n, double):
    with open('shown.txt', 'a') as f:
        f.write('n=%s double=%s\n' % (n, double))


def task_use():
    return {'actions': [show], 'getargs': {'n': ('vals', 'n'), 'double': ('vals', 'double')}}


def task_res():
    return {'actions': [lambda: 'result %s' % os.environ.get('R', '1')]}


def task_check():
    return {'actions': ['echo checked >> checked.txt'], 'uptodate': [result_dep('res')]}


def step(n, targets):
    with open(targets[0], 'w') as f:
        f.write('step %d\n' % n)


def task_chain():
    for i in range(3):
        yield {'name': str(i), 'actions': [(step, [i])], 'targets': ['step%d.txt' % i],
               'file_dep': ['step%d.txt' % (i - 1)] if i else []}
