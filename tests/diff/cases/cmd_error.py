# Command errors: exit codes above 125 are `Command error` (exit 2), a signal is a failure.
# (A list action naming a missing program crashes doit 0.31 itself: not compared.)
# scenario run:
#   run => 2 ~ Command error: 'exit 126' returned 126
#   run -c => 2
# scenario each:
#   run e126 => 2
#   run e127 => 2 ~ returned 127
#   run e255 => 2 ~ returned 255
#   run e125 => 1 ~ Command failed: 'exit 125' returned 125
#   run killed => 1 ~ returned -9
#   run -v 2 e127 killed => 2
#   run listfail => 1


def task_e126():
    return {'actions': ['exit 126']}


def task_e127():
    return {'actions': ['no-such-command-for-dodo-tests']}


def task_e255():
    return {'actions': ['exit 255']}


def task_e125():
    return {'actions': ['exit 125']}


def task_killed():
    return {'actions': ['echo dying; kill -9 $$']}


def task_listfail():
    return {'actions': [['sh', '-c', 'echo "$0 $1"; exit 3', 'zero', 'one']]}
