# Task params and pos_arg on the command line: types, defaults, env_var, choices, errors.
# scenario run:
#   run
#   run opts -n 3 --name=bob -f
#   run opts --count 7 --tag a --tag b
#   run opts -n x => 3
#   run opts --unknown => 3
#   env OPT_NAME=from-env
#   run opts
#   run opts --name cli
#   run shellopts -n 4 --name "two words"
# scenario pos:
#   run pos
#   run pos a b c
#   run pos -n 2 a -x b
#   run opts pos
#   run pos -- --looks-like-option
# scenario choices:
#   run pick --mode fast
#   run pick --mode slow => 3
# scenario help:
#   run help opts
#   run help pos
#   run help pick


def show(count, name, flag, tag):
    print('count=%r name=%r flag=%r tag=%r' % (count, name, flag, tag))


PARAMS = [
    {'name': 'count', 'short': 'n', 'long': 'count', 'type': int, 'default': 1,
     'help': 'how many'},
    {'name': 'name', 'long': 'name', 'default': 'anon', 'env_var': 'OPT_NAME'},
    {'name': 'flag', 'short': 'f', 'type': bool, 'default': False},
    {'name': 'tag', 'long': 'tag', 'type': list, 'default': []},
]


def task_opts():
    return {'actions': [show], 'params': PARAMS, 'verbosity': 2}


def task_shellopts():
    return {'actions': ['echo n=%(count)s name=%(name)s'], 'params': PARAMS[:2],
            'verbosity': 2}


def show_pos(count, rest):
    print('count=%r rest=%r' % (count, rest))


def task_pos():
    return {'actions': [show_pos], 'params': PARAMS[:1], 'pos_arg': 'rest',
            'verbosity': 2}


def task_pick():
    return {'actions': ['echo mode=%(mode)s'], 'verbosity': 2,
            'params': [{'name': 'mode', 'long': 'mode', 'default': 'fast',
                        'choices': (('fast', 'quick'), ('safe', 'careful'))}]}
