# title: a custom title function, title_with_actions, titles of groups and failures.
# scenario run:
#   run
#   run -v 2
#   env FAIL=1
#   run => 1
import os

from doit.tools import title_with_actions


def my_title(task):
    return 'building %s (%d actions)' % (task.name, len(task.actions))


def task_custom():
    return {'actions': ['echo one', 'echo two'], 'title': my_title}


def task_with_actions():
    return {'actions': ['echo abc 123', (lambda: None)], 'title': title_with_actions}


def task_group():
    for n in ('a', 'b'):
        yield {'name': n, 'actions': ['echo %s' % n], 'title': my_title}


def task_failing():
    act = 'exit 1' if os.environ.get('FAIL') else 'true'
    return {'actions': [act], 'title': my_title}
