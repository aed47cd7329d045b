# -n N: a task whose actions succeeded but whose success cannot be saved
# (gen never makes its target gen.txt, a file_dep of use) shows its captured
# output at the end as in a serial run: doit's worker sends the output back
# with the success. A task that fails in a -P process worker shows none (the
# worker sends back only the failure); under -P thread it does. With the
# json reporter, what a -P process worker prints live is lost (it prints into
# its copy of the reporter's buffers): the document's own out and err lack it,
# teardown actions' output too (doit runs them in the workers).
# scenario serial:
#   run use => 2 ~ hello-from-use
#   run -v 0 use => 2
#   run --failure-verbosity 2 use => 2
#   run pyuse => 2 ~ py-out
#   run -c bad => 1
#   run -r json -v 2 -c bad => 1
#   run -r json -v 2 down
# scenario process:
#   run -n 2 use => 2 ~ hello-from-use
#   run -n 2 -v 0 use => 2
#   run -n 2 --failure-verbosity 2 use => 2
#   run -n 2 -r executed-only use => 2 ~ hello-from-use
#   run -n 2 pyuse => 2 ~ py-out
#   run -n 2 -v 0 pyuse => 2
#   run -n 2 -c bad => 1
#   run -n 2 -v 0 -c bad => 1
#   run -n 2 -r json pyuse => 2
#   run -n 2 -r json -v 2 -c bad => 1
#   run -n 2 -r json -v 2 down
# scenario thread:
#   run -n 2 -P thread use => 2 ~ hello-from-use
#   run -n 2 -P thread -v 0 use => 2
#   run -n 2 -P thread --failure-verbosity 2 use => 2
#   run -n 2 -P thread pyuse => 2 ~ py-out
#   run -n 2 -P thread -v 0 pyuse => 2
#   run -n 2 -P thread -c bad => 1
#   run -n 2 -P thread -v 0 -c bad => 1
#   run -n 2 -P thread -r json pyuse => 2
#   run -n 2 -P thread -r json -v 2 -c bad => 1
import sys


def task_gen():
    return {'actions': ['true'], 'targets': ['gen.txt']}


def task_use():
    return {'actions': ['echo hello-from-use; echo use-err >&2'],
            'file_dep': ['gen.txt'], 'targets': ['use.out']}


def talk():
    print('py-out')
    sys.stderr.write('py-err\n')


def task_pyuse():
    return {'actions': [talk, 'echo cmd-out'], 'file_dep': ['gen.txt'],
            'targets': ['pyuse.out']}


def task_bad():
    return {'actions': [talk, 'echo bad-out; echo bad-err >&2; exit 1']}


def task_down():
    return {'actions': ['echo down-out'], 'teardown': [talk, 'echo td-out']}
