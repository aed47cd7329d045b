# Python actions: every kind of result, printing, and keyword injection.
# setup:
#   write in1.txt one
#   write in2.txt two
# scenario results:
#   run => 1
#   run -c => 4
#   run ok_none ok_true ok_str ok_dict
#   run -v 2 ok_none ok_true ok_str ok_dict
# scenario each:
#   run false => 1 ~ Python Task failed: '<function
#   run raises => 2 ~ PythonAction Error
#   run -v 2 raises => 2
#   run weird => 2 ~ It must return
#   run failed_obj => 1 ~ custom failure
#   run error_obj => 2 ~ custom error
#   run nested_raise => 2
#   run exit_call => 4
#   run -c exit_call ok_true => 4
# scenario kwargs:
#   run -v 2 inject
#   run -v 2 inject
#   write in2.txt TWO
#   run -v 2 inject
#   rm out.txt
#   run -v 2 inject
#   run -v 2 tuple_form partial_args
# scenario printing:
#   run noisy
#   run -v 2 noisy
#   run -v 0 noisy
#   run noisy_fail => 1
#   run -v 2 noisy_fail => 1
#   run -v 0 noisy_fail => 1
# With -n, what a worker prints live races with doit's reporter lines: no
# step below shows an action's output (-v 2).
# scenario forked:
#   run -n 1 false => 1 ~ Python Task failed: '<function
#   run -n 2 raises => 2 ~ PythonAction Error
#   run -n 2 -v 2 raises => 2
#   run -n 2 weird => 2 ~ It must return
#   run -n 2 failed_obj => 1 ~ custom failure
#   run -n 2 error_obj => 2 ~ custom error
#   run -n 2 nested_raise => 2
#   run -n 2 -v 0 noisy_fail => 1
#   run -n 2 -P thread noisy_fail => 1
#   run -n 2 ok_str
#   run -n 2 -P bogus ok_str => 3 ~ Invalid parallel type bogus
import sys

from doit.exceptions import TaskError, TaskFailed


def task_ok_none():
    return {'actions': [lambda: None]}


def task_ok_true():
    return {'actions': [lambda: True]}


def task_ok_str():
    return {'actions': [lambda: 'a string result']}


def task_ok_dict():
    return {'actions': [lambda: {'k': 'v', 'n': 3}]}


def always_false():
    return False


def task_false():
    return {'actions': [always_false]}


def boom():
    raise ValueError('boom in a python action')


def task_raises():
    return {'actions': [boom]}


def task_weird():
    return {'actions': [lambda: 42]}


def task_failed_obj():
    return {'actions': [lambda: TaskFailed('custom failure')]}


def task_error_obj():
    return {'actions': [lambda: TaskError('custom error')]}


def inner():
    {}['missing key']


def outer():
    try:
        inner()
    except KeyError as e:
        raise RuntimeError('wrapped') from e


def task_nested_raise():
    return {'actions': [outer]}


def task_exit_call():
    return {'actions': [lambda: sys.exit(4)]}


def show(targets, dependencies, changed, task):
    print('targets', targets)
    print('dependencies', sorted(dependencies))
    print('changed', sorted(changed))
    print('task', task.name)
    with open(targets[0], 'w') as f:
        f.write('written\n')


def task_inject():
    return {'actions': [show], 'file_dep': ['in1.txt', 'in2.txt'],
            'targets': ['out.txt']}


def add(a, b, c=0, d=0):
    print('sum', a + b + c + d)


def task_tuple_form():
    return {'actions': [(add, [1, 2], {'d': 10}), (add, (3, 4))]}


def task_partial_args():
    import functools
    return {'actions': [functools.partial(add, 100, 200)]}


def chatter():
    print('to stdout 1')
    sys.stderr.write('to stderr 1\n')
    print('to stdout 2')


def task_noisy():
    return {'actions': [chatter]}


def task_noisy_fail():
    return {'actions': [chatter, always_false]}
