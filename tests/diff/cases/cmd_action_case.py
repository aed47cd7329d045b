# CmdAction and friends: callables building commands, save_out, shell=False, %% escapes,
# a bad format key, LongRunning and Interactive without a terminal.
# scenario run:
#   run
#   run -v 2
# scenario errors:
#   run bad_key => 2
#   run long_fail
#   run inter_fail => 1
#   run built_fail => 1
from doit.action import CmdAction
from doit.tools import Interactive, LongRunning


def task_built():
    def make():
        return 'echo built-by-callable'
    return {'actions': [CmdAction(make)], 'verbosity': 2}


def task_built_kw():
    def make(targets, dependencies):
        return 'echo targets=%s deps=%s' % (targets, sorted(dependencies))
    return {'actions': [CmdAction(make)], 'targets': ['t.out'], 'file_dep': ['dodo.py']}


def task_saved():
    return {'actions': [CmdAction('echo saved-output', save_out='out'),
                        'echo percent %% sign']}


def task_noshell():
    return {'actions': [CmdAction(['echo', 'no', '$SHELL', '*'], shell=False)]}


def task_list_action():
    return {'actions': [['echo', 'list', 'action', '%(targets)s']], 'targets': ['x']}


def task_long():
    return {'actions': [LongRunning('echo long-running')]}


def task_inter():
    return {'actions': [Interactive('echo interactive')]}


def task_bad_key():
    return {'actions': ['echo %(nokey)s']}


def task_long_fail():
    return {'actions': [LongRunning('exit 3')]}


def task_inter_fail():
    return {'actions': [Interactive('exit 3')]}


def task_built_fail():
    return {'actions': [CmdAction(lambda: 'exit 4')]}


DOIT_CONFIG = {'default_tasks': ['built', 'built_kw', 'saved', 'noshell', 'list_action',
                                 'long', 'inter']}
