# Exceptions doit lets out of its runner end the run with the traceback (the
# user's frames only) on stderr and exit 3: an uptodate callable or a custom
# title that raises, a result text that cannot be hashed (a lone surrogate)
# stop the run, which is wound up (teardown, final report); values JSON
# cannot hold (tuple keys, nesting too deep) fail only when doit closes its
# state at the end: the run goes on, then neither teardown nor report, and
# the task is not saved (it runs again). Lone surrogates in values are fine.
# (With the json reporter doit then prints nothing at all: its reporter still
# holds stdout and stderr.)
# scenario uptodate:
#   env WHAT=uptodate
#   run first bad after => 3 ~ bad uptodate
#   run -c first fail bad after => 3 ~ bad uptodate
#   run -n 2 first bad after => 3 ~ bad uptodate
#   run -r json first bad after => 3 ~ bad uptodate
# scenario title:
#   env WHAT=title
#   run first bad after => 3 ~ bad title
#   run -c first fail bad after => 3 ~ bad title
#   run -r json first bad after
# scenario result:
#   env WHAT=result
#   run first bad after => 3 ~ surrogates not allowed
#   run -c first fail bad after => 3 ~ surrogates not allowed
# scenario values:
#   env WHAT=tuple_keys
#   run first bad after => 3 ~ keys must be str
#   run first bad after => 3 ~ keys must be str
#   run -c first fail bad after => 3 ~ keys must be str
#   run -n 2 first bad after => 3 ~ keys must be str
#   run -r json first bad after => 3
#   env WHAT=deep
#   run first bad after => 3 ~ RecursionError
#   env WHAT=surrogate_values
#   run first bad after
#   run -r json first bad after
import os

WHAT = os.environ.get('WHAT', '')


def bad_uptodate():
    raise ValueError('bad uptodate')


def bad_title(task):
    raise ValueError('bad title')


def deep():
    value = []
    for _ in range(100000):
        value = [value]
    return value


def returned():
    if WHAT == 'result':
        return 'text \udcff'
    if WHAT == 'tuple_keys':
        return {(1, 2): 'tuple key'}
    if WHAT == 'deep':
        return {'deep': deep()}
    if WHAT == 'surrogate_values':
        print('out \udcff')
        return {'key \udcff': 'value \udcfe'}
    return None


def task_first():
    return {'actions': ['echo first >> first.txt'],
            'teardown': ['echo teardown >> teardown.txt']}


def task_fail():
    return {'actions': ['echo failing; exit 1']}


def task_bad():
    task = {'actions': [returned], 'task_dep': ['first'], 'verbosity': 0}
    if WHAT == 'uptodate':
        task['uptodate'] = [bad_uptodate]
    if WHAT == 'title':
        task['title'] = bad_title
    return task


def task_after():
    return {'actions': ['echo after >> after.txt'], 'task_dep': ['bad']}
