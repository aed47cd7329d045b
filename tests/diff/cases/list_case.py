# list and info: docs, sub-tasks, private tasks, status letters, deps, templates.
# (Each command's usage text, with dodo's deliberate additions, is tests/cmds' business.)
# setup:
#   write in.txt x
# scenario list:
#   run list
#   run list --all
#   run list -p
#   run list --all --private --quiet
#   run list --template "{name}|{doc}"
#   run list --deps
#   run list --status --all
#   run
#   run list --status --all
#   write in.txt y
#   run list -s --all
#   run list zeta beta
#   run list nosuch => 3
# scenario info:
#   run info zeta => 1
#   run
#   run info zeta
#   run info beta:one
#   write in.txt z
#   run info zeta => 1
#   run info => 3
# scenario help:
#   run help
#   run help zeta
#   run --help


def task_zeta():
    """Zeta makes things.

    More text that list does not show.
    """
    return {'actions': ['echo z > z.out'], 'file_dep': ['in.txt'], 'targets': ['z.out'],
            'verbosity': 2}


def task_alpha():
    return {'actions': ['echo a'], 'doc': 'alpha doc from the key'}


def task_beta():
    """beta group"""
    for n in ('one', 'two'):
        yield {'name': n, 'actions': ['echo %s' % n], 'doc': 'beta %s' % n,
               'file_dep': ['in.txt']}


def task__private():
    """a private task"""
    return {'actions': ['echo p']}
