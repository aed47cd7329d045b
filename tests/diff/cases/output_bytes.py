# Command output that is not UTF-8: doit decodes each line with the action's
# encoding ('utf-8') and decode_error ('replace'), so a bad byte reads as
# U+FFFD in what is shown live, in the failure report, in save_out values,
# in the json reporter; another encoding= decodes the captured text.
# scenario run:
#   run out use
#   run -v 2 out
#   run -v 0 -c bad out => 1
#   run -n 2 -v 2 out
#   run -n 2 -P thread -c bad out => 1
#   run -r json -v 2 -c bad out => 1
#   run -r json -n 2 -c bad out => 1
from doit.action import CmdAction

BYTES = r"printf 'caf\351 \303\251 \355\240\200 \360\237\230 \377end\n'"


def task_out():
    return {'actions': [BYTES, BYTES + ' >&2', r"printf 'no newline \351'"]}


def task_bad():
    return {'actions': [BYTES + '; ' + BYTES + ' >&2; exit 1']}


def task_saved():
    return {'actions': [CmdAction(BYTES, save_out='text'),
                        CmdAction(r"printf 'caf\351\n'", save_out='latin',
                                  encoding='latin-1')],
            'verbosity': 0}


def show(text, latin):
    print(ascii(text), ascii(latin))


def task_use():
    return {'actions': [(show,)],
            'getargs': {'text': ('saved', 'text'), 'latin': ('saved', 'latin')},
            'verbosity': 2}
