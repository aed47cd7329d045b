# forget, ignore and reset-dep: messages, groups, -s, and their effect on runs.
# setup:
#   write in.txt x
# scenario forget:
#   run
#   run forget top
#   run
#   run forget grp
#   run
#   run forget grp:a top
#   run
#   run forget
#   run
#   run forget nosuch => 3 ~ is not a task
# scenario follow:
#   run
#   run forget -s top
#   run
#   run forget --follow-sub grp
#   run
# scenario ignore:
#   run
#   write in.txt y
#   run ignore grp
#   run
#   run top
#   run -a
#   run list -s --all
#   run ignore
#   run ignore nosuch => 3 ~ is not a task
#   run forget grp
#   run
# scenario resetdep:
#   run
#   write in.txt z
#   run reset-dep
#   run
#   write in.txt zz
#   run reset-dep top grp
#   run
#   rm in.txt
#   run reset-dep grp:a
#   run reset-dep nosuch => 3


def task_grp():
    for n in 'ab':
        yield {'name': n, 'actions': ['cat in.txt > %s.txt' % n], 'file_dep': ['in.txt'],
               'targets': ['%s.txt' % n]}


def task_top():
    return {'actions': ['cat a.txt b.txt > top.txt'], 'file_dep': ['a.txt', 'b.txt'],
            'targets': ['top.txt'], 'task_dep': ['grp'], 'setup': ['prep']}


def task_prep():
    return {'actions': ['echo prep'], 'file_dep': ['in.txt']}
