# Output capture rules: the `verbosity` key vs -v 0/1/2, stdout/stderr, on success and failure.
# scenario success:
#   run
#   run -v 0
#   run -v 1
#   run -v 2
#   run --verbosity 2 v0
# scenario failure:
#   env FAIL=1
#   run -c => 1
#   run -c -v 0 => 1
#   run -c -v 2 => 1
# scenario config:
#   env CFG_VERBOSITY=2
#   run
#   run -v 0
#   run -v 1
import os
import sys

FAIL = os.environ.get('FAIL')
DOIT_CONFIG = {}
if os.environ.get('CFG_VERBOSITY'):
    DOIT_CONFIG['verbosity'] = int(os.environ['CFG_VERBOSITY'])


def cmd(name):
    return 'echo %s-out; echo %s-err >&2%s' % (name, name, '; exit 1' if FAIL else '')


def py(name):
    def act():
        print('%s-pyout' % name)
        sys.stderr.write('%s-pyerr\n' % name)
        return not FAIL
    return act


def task_vnone():
    return {'actions': [cmd('vnone'), py('vnone')]}


def task_v0():
    return {'actions': [cmd('v0'), py('v0')], 'verbosity': 0}


def task_v1():
    return {'actions': [cmd('v1'), py('v1')], 'verbosity': 1}


def task_v2():
    return {'actions': [cmd('v2'), py('v2')], 'verbosity': 2}
