# sys.exit() and KeyboardInterrupt from the task file end the tool as they end
# Python: the exit status of the code (0 too, None is 0), a code that is not
# an int printed and 1, KeyboardInterrupt's traceback (the user's frames) and
# death by SIGINT. From a task creator as from the module's code; from a
# Python action after the run is wound up (state saved, teardown run); under
# -n doit's worker sends the exception back as its type and str(), which the
# main process raises again (sys.exit(0) then prints 0 and exits 1).
# scenario module:
#   env WHERE=module
#   env CODE=0
#   run
#   run list
#   env CODE=3
#   run => 3
#   env CODE=msg
#   run => 1 ~ msg
#   env CODE=none
#   run
#   env CODE=interrupt
#   run => -2 ~ KeyboardInterrupt
#   run list => -2 ~ KeyboardInterrupt
# scenario creator:
#   env WHERE=creator
#   env CODE=0
#   run
#   run list
#   env CODE=3
#   run => 3
#   env CODE=msg
#   run => 1 ~ msg
#   env CODE=none
#   run
#   env CODE=interrupt
#   run => -2 ~ KeyboardInterrupt
# scenario action:
#   env WHERE=action
#   env CODE=0
#   run
#   run -n 2 => 1
#   env CODE=3
#   run => 3
#   run -n 1 -P thread => 1
#   env CODE=msg
#   run => 1 ~ msg
#   run -n 2 => 1 ~ msg
#   env CODE=none
#   run
#   run -n 2 => 1
#   env CODE=interrupt
#   run => -2 ~ KeyboardInterrupt
#   run -n 2 => -2 ~ KeyboardInterrupt
#   run -n 2 -P thread => -2 ~ KeyboardInterrupt
import os
import sys

WHERE = os.environ.get('WHERE', '')
CODE = os.environ.get('CODE', '')


def end():
    if CODE == 'interrupt':
        raise KeyboardInterrupt('stop ' + WHERE)
    if CODE == 'none':
        raise SystemExit
    sys.exit(int(CODE) if CODE.isdigit() else CODE)


if WHERE == 'module':
    end()


def task_first():
    if WHERE == 'creator':
        end()
    return {'actions': ['echo first >> first.txt']}


def task_act():
    return {'actions': [end if WHERE == 'action' else 'true'],
            'task_dep': ['first'],
            'teardown': ['echo teardown >> teardown.txt']}


def task_after():
    return {'actions': ['echo after >> after.txt'], 'task_dep': ['act']}
