# A failing shell command: `Command failed`, exit 1; -c runs what does not depend on it.
# scenario run:
#   run => 1 ~ Command failed: 'echo before; echo to-err >&2; exit 1' returned 1
#   run => 1
#   run -c => 1
#   run ok
#   run ok
# scenario verbose:
#   run -v 2 => 1
#   run -v 0 => 1
#   run -c -v 2 => 1
# scenario continue:
#   run -c after => 1
#   run --continue ok after => 1


def task_ok():
    return {'actions': ['echo ok'], 'file_dep': ['dodo.py']}


def task_fails():
    return {'actions': ['echo before; echo to-err >&2; exit 1', 'echo never'],
            'targets': ['never.txt']}


def task_after():
    return {'actions': ['echo after > after.txt'], 'task_dep': ['fails'],
            'targets': ['after.txt']}


def task_last():
    return {'actions': ['echo last'], 'file_dep': ['dodo.py']}
