# doit.cfg: [GLOBAL] and per-command sections; command line > DOIT_CONFIG >
# [command] > [GLOBAL] > default.
# scenario global:
#   write doit.cfg [GLOBAL]\nverbosity = 2\nreporter = executed-only\n
#   run => 1
#   run -v 0 => 1
#   run -r console => 1
#   run list
# scenario sections:
#   write doit.cfg [GLOBAL]\nreporter = zero\n\n[run]\nreporter = executed-only\ncontinue = yes\n\n[list]\nstatus = on\nquiet = True\nsubtasks = 1\n
#   run => 1
#   run list
#   run list --template {name}
#   run info a => 1
# scenario dodoconfig:
#   sub dodo.py "DOIT_CONFIG = {}" "DOIT_CONFIG = {'verbosity': 2, 'reporter': 'console'}"
#   write doit.cfg [GLOBAL]\nverbosity = 0\n\n[run]\nreporter = zero\n
#   run => 1
#   run -v 1 => 1
# scenario files:
#   write doit.cfg [GLOBAL]\ndodoFile = other.py\ndep_file = my.db\n
#   write other.py def task_o():\n    return {'actions': ['echo from other'], 'verbosity': 2}\n
#   run
#   run -f dodo.py a
#   run list
# scenario clean_forget:
#   write doit.cfg [clean]\ndryrun = True\n\n[forget]\nforget_sub = 1\n
#   run => 1
#   run clean
#   run forget a


DOIT_CONFIG = {}


def task_a():
    return {'actions': ['echo A', 'echo A-err >&2'], 'targets': ['a.txt'], 'clean': True}


def task_b():
    return {'actions': ['echo B; exit 1'], 'task_dep': ['a']}


def task_c():
    return {'actions': ['echo C > c.txt'], 'targets': ['c.txt'], 'task_dep': ['a']}
