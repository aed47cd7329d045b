# help: the task dictionary, a task's parameters (the usage text help prints for
# unknown names is compared in test_diff_output.py).
# scenario help:
#   run help task
#   run help params
#   run help plain
#   run help grp
#   run help --db-file x params


def task_params():
    """Takes parameters."""
    def show(flag, num, choice, items):
        print(flag, num, choice, items)
    return {'actions': [show],
            'params': [{'name': 'flag', 'short': 'f', 'long': 'flag', 'type': bool,
                        'default': False, 'inverse': 'no-flag', 'help': 'a flag'},
                       {'name': 'num', 'long': 'num', 'type': int, 'default': 3,
                        'help': 'a number [default: %(default)s]'},
                       {'name': 'choice', 'short': 'c', 'default': 'x',
                        'choices': (('x', 'the x'), ('y', 'the y')), 'help': 'pick'},
                       {'name': 'items', 'long': 'item', 'type': list, 'default': [],
                        'env_var': 'ITEMS_ENV'},
                       {'name': 'hidden', 'default': 0}]}


def task_plain():
    return {'actions': ['true']}


def task_grp():
    """a group"""
    yield {'name': 'a', 'actions': ['true']}
