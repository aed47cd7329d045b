# Reporters: console, executed-only, zero; -o FILE; --failure-verbosity.
# scenario console:
#   run => 1
#   run -c => 1
#   run -r executed-only -c => 1
#   run -r zero -c => 1
#   run --reporter=executed-only ok
# scenario outfile:
#   run -o out.log -c => 1
#   run --output-file out2.log -r executed-only ok
# scenario failure_verbosity:
#   run -c --failure-verbosity 0 => 1
#   run -c --failure-verbosity 1 => 1
#   run -c --failure-verbosity 2 => 1
#   run -c --failure-verbosity 2 -v 0 => 1
#   run -c --failure-verbosity 2 -v 2 => 1
# scenario teardown:
#   run withdown => 0


def task_ok():
    return {'actions': ['echo ok-out', 'echo ok-err >&2'], 'uptodate': [True]}


def task_fails():
    return {'actions': ['echo f-out; echo f-err >&2; exit 3']}


def task_later():
    return {'actions': ['echo later'], 'task_dep': ['ok']}


def task__private():
    return {'actions': ['echo private']}


def bad_teardown():
    return False


def task_withdown():
    return {'actions': ['echo body'], 'teardown': [bad_teardown, 'echo down']}
