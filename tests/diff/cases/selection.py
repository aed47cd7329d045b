# Selecting tasks on the command line: names, sub-tasks, groups, patterns, targets, unknowns.
# scenario run:
#   run
#   run compile:a
#   run compile
#   run link compile:b
#   run out/a.o
#   run out/prog
#   run nosuch => 3 ~ Invalid parameter: "nosuch"
#   run compile:zz => 3
#   run compile nosuch => 3
#   run link -x => 3 ~ option -x not recognized
#   run --no-such-option => 3
# scenario patterns:
#   run compile:*
#   run 'comp*'
#   run '*:b'
#   run 'z*'
# scenario explicit_run:
#   run run compile:a
#   run run
# scenario private:
#   run _hidden
#   run -v 2 _hidden
#   run -v 2 other
#   run list
#   run list -p
#   run list --all --private

SRC = ['a', 'b', 'c']


def task_compile():
    """compile each part"""
    for s in SRC:
        yield {'name': s,
               'actions': ['mkdir -p out && echo %s > %%(targets)s' % s],
               'targets': ['out/%s.o' % s],
               'clean': True}


def task_link():
    """link them"""
    return {'actions': ['cat %(dependencies)s > %(targets)s'],
            'file_dep': ['out/%s.o' % s for s in SRC],
            'targets': ['out/prog']}


def task__hidden():
    return {'actions': ['echo hidden']}


def task_other():
    return {'actions': ['echo other']}
