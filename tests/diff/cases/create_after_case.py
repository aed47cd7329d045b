# create_after: tasks created after another task ran; `creates`; target_regex; list.
# scenario run:
#   run
#   run
#   write gen.cfg c d
#   run
# scenario select:
#   run item:a => 3
#   run late
#   run late
#   run later_base
# scenario list:
#   run list --all => 3 ~ names.txt
#   run
#   run list --all
# setup:
#   write gen.cfg a b
from doit import create_after


def task_prepare():
    return {'actions': ['cp gen.cfg names.txt'], 'file_dep': ['gen.cfg'],
            'targets': ['names.txt']}


@create_after(executed='prepare')
def task_late():
    with open('names.txt') as f:
        names = f.read().split()
    for n in names:
        yield {'name': n, 'actions': ['echo %s > %s.out' % (n, n)],
               'targets': ['%s.out' % n], 'file_dep': ['names.txt']}


@create_after(executed='prepare', creates=['later_base'])
def task_later():
    return {'basename': 'later_base', 'actions': ['echo later'], 'verbosity': 2}


def task_item():
    return {'actions': ['echo item']}
