# list: every option, filters, sub-tasks, private tasks, status letters.
# setup:
#   write in.txt x
# scenario plain:
#   run list
#   run list -q
#   run list --quiet
#   run list --all
#   run list -p
#   run list --private --all
#   run list --deps
#   run list --all --deps -q
# scenario filter:
#   run list build
#   run list build --all => 3 ~ is not a task
#   run list --all build
#   run list --all build _hidden
#   run list nosuch => 3 ~ is not a task
#   run list build nosuch => 3
#   run list --all -- build
# scenario template:
#   run list --template {name}
#   run list --template "{name}={doc}|" => 3 ~ requires argument
#   run list --template "{name}:{doc}|"
#   run list --template "[{name:>12}]" --all
#   run list --template "{name:^9}!" -s
#   run list --template "{{{name}}}"
# scenario status:
#   run list -s
#   run list -s --all -p
#   run build
#   run list -s --all -p
#   write in.txt y
#   run list --status --all
#   run ignore build:one
#   run list -s --all
#   rm in.txt
#   run list -s --all
# scenario combined:
#   run list -qsp --all
#   run list -sq build --all => 3
#   run list -sq --all build
#   run list --all=1 => 3 ~ must not have an argument
#   run list -z => 3 ~ not recognized


def task_build():
    """Build everything.

    More text that is not shown."""
    for name in ('one', 'two'):
        yield {'name': name, 'actions': ['echo %s > %s.out' % (name, name)],
               'file_dep': ['in.txt'], 'targets': ['%s.out' % name]}


def task__hidden():
    return {'actions': ['true'], 'doc': 'a private task'}


def task_zeta():
    """last by name"""
    return {'actions': ['true'], 'file_dep': ['in.txt', 'dodo.py'],
            'uptodate': [True]}


def task_alpha():
    return {'actions': None, 'task_dep': ['zeta'], 'doc': 'a group without actions'}
