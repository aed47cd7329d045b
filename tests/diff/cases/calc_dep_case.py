# calc_dep: a task computing another's file_dep, task_dep and uptodate.
# setup:
#   write deps.txt a.txt b.txt
#   write a.txt A
#   write b.txt B
#   write c.txt C
# scenario run:
#   run
#   run
#   write b.txt BB
#   run
#   write deps.txt a.txt c.txt
#   run
#   run
#   write c.txt CC
#   run
#   write b.txt BBB
#   run
# scenario list:
#   run list --all
#   run info build => 1


def read_deps():
    with open('deps.txt') as f:
        files = f.read().split()
    return {'file_dep': files, 'task_dep': ['prep'], 'uptodate': [True]}


def task_get_deps():
    return {'actions': [read_deps], 'file_dep': ['deps.txt']}


def task_prep():
    return {'actions': ['echo prep'], 'verbosity': 2}


def task_build():
    return {'actions': ['cat %(dependencies)s | wc -c'], 'calc_dep': ['get_deps'],
            'verbosity': 2}
