# Command-line parsing: variables anywhere, options after a task name belong to
# it, getopt prefixes, unknown commands and options.
# scenario vars:
#   run show x=1
#   run x=2 show
#   run x=3 list
#   run list x=4
#   run x=5 info show => 1
#   run x=6 help show
# scenario task_options:
#   run show -n 2
#   run show --num 3 other
#   run -v 2 show --num=4
#   run show -v 2 => 3 ~ not recognized
#   run run show
#   run run nosuch => 3 ~ invalid parameter
#   run nosuch => 3 ~ Invalid parameter
# scenario prefixes:
#   run --verb 2 other
#   run --con --alw other
#   run --c other => 3 ~ not a unique prefix
#   run list --pri --al
#   run list --st
#   run --no-cont other
#   run -c --no-continue other
# scenario errors:
#   run --nope => 3
#   run -v => 3 ~ requires argument
#   run -v x => 3 ~ invalid literal
#   run --backend nope => 3
#   run list --backend json
#   run --check_file_uptodate nope => 3
#   run list x=1 --foo => 3 ~ not recognized

from doit import get_var


def task_show():
    def show(num):
        print('x=%s num=%s' % (get_var('x', '-'), num))
    return {'actions': [show], 'verbosity': 2,
            'params': [{'name': 'num', 'short': 'n', 'long': 'num', 'type': int,
                        'default': 1}]}


def task_other():
    return {'actions': ['echo other'], 'verbosity': 2}
