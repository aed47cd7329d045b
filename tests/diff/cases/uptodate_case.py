# uptodate variants: bool, None, shell string, callables (task, values), run_once,
# config_changed (str, dict), timeout, result_dep, check_timestamp_unchanged.
# setup:
#   write stamp.txt s
#   write dep.txt d
# scenario run:
#   run
#   run
#   write dep.txt dd
#   run
#   env CFG=2
#   run
#   run
#   write flag.txt on
#   run
#   touch stamp.txt
#   run
#   rm flag.txt
#   run
# scenario result_dep:
#   run consumer
#   run consumer
#   env PRODUCED=other
#   run consumer
#   run consumer
# scenario forced:
#   run
#   run -a
#   run -a always_false
# scenario list:
#   run
#   run list --status --all
#   run info with_none => 1
#   run info shell_up => 1
import datetime
import os

from doit.tools import (check_timestamp_unchanged, config_changed, result_dep,
                        run_once, timeout)

CFG = os.environ.get('CFG', '1')


def task_always_true():
    return {'actions': ['echo t'], 'uptodate': [True]}


def task_always_false():
    return {'actions': ['echo f'], 'uptodate': [False]}


def task_with_none():
    # None is ignored: no other dependency, so it always runs
    return {'actions': ['echo n'], 'uptodate': [None]}


def task_none_and_dep():
    return {'actions': ['echo nd'], 'uptodate': [None], 'file_dep': ['dep.txt']}


def task_true_and_dep():
    # True plus a changed file_dep: runs
    return {'actions': ['echo td'], 'uptodate': [True], 'file_dep': ['dep.txt']}


def task_shell_up():
    return {'actions': ['echo sh'], 'uptodate': ['test -f flag.txt']}


def task_shell_fmt():
    return {'actions': ['echo shf'], 'uptodate': ['test -f %(flagfile)s'],
            'params': [{'name': 'flagfile', 'default': 'flag.txt'}]}


def check_values(task, values):
    print('check', task.name, sorted(values.items()))

    def save():
        return {'seen': CFG}
    task.value_savers.append(save)
    return values.get('seen') == CFG


def task_callable():
    return {'actions': ['echo c'], 'uptodate': [check_values]}


def only_task(task):
    return os.path.exists('flag.txt')


def task_callable_task_only():
    return {'actions': ['echo ct'], 'uptodate': [only_task]}


def with_args(a, b=0):
    return a + b > 10


def task_callable_args():
    return {'actions': ['echo ca'], 'uptodate': [(with_args, [5], {'b': 6})]}


def task_once():
    return {'actions': ['echo once'], 'uptodate': [run_once]}


def task_cfg_str():
    return {'actions': ['echo cfg %s' % CFG], 'uptodate': [config_changed(CFG)]}


def task_cfg_dict():
    return {'actions': ['echo cfgd'],
            'uptodate': [config_changed({'b': [1, 2], 'a': CFG})]}


def task_expires():
    return {'actions': ['echo exp'],
            'uptodate': [timeout(datetime.timedelta(hours=1))]}


def task_expires_int():
    return {'actions': ['echo expi'], 'uptodate': [timeout(3600)]}


def task_stamp():
    return {'actions': ['echo stamp'],
            'uptodate': [check_timestamp_unchanged('stamp.txt')]}


def task_producer():
    return {'actions': ['echo %s' % os.environ.get('PRODUCED', 'same')],
            'verbosity': 2}


def task_consumer():
    return {'actions': ['echo consumed'], 'uptodate': [result_dep('producer')]}
