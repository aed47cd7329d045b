# clean, forget, ignore, reset-dep: messages and their effect on the next run.
# setup:
#   write in.txt x
# scenario clean:
#   run
#   run clean -n
#   run clean
#   run clean
#   run
#   run clean gen
#   run clean dir
#   run clean gen dir
#   run clean --clean-dep final
#   run
#   run clean --clean-all
#   run clean --forget mid
#   run
# scenario forget:
#   run
#   run
#   run forget mid
#   run
#   run forget
#   run
#   run forget nosuch => 3
# scenario ignore:
#   run
#   write in.txt y
#   run ignore mid
#   run
#   run
#   run -a
#   run forget mid
#   run
# scenario reset_dep:
#   run
#   write in.txt z
#   run reset-dep
#   run
#   rm mid.txt
#   run reset-dep
#   run


def task_dir():
    return {'actions': ['mkdir -p d'], 'targets': ['d'], 'clean': True,
            'uptodate': [True]}


def task_gen():
    for n in ('a', 'b'):
        yield {'name': n, 'actions': ['echo %s > d/%s.txt' % (n, n)], 'task_dep': ['dir'],
               'targets': ['d/%s.txt' % n], 'file_dep': ['in.txt'], 'clean': True}


def task_mid():
    return {'actions': ['cat in.txt > mid.txt'], 'file_dep': ['in.txt'],
            'targets': ['mid.txt'], 'clean': ['rm -f mid.txt', 'echo cleaned mid']}


def task_final():
    return {'actions': ['cat mid.txt > final.txt'], 'file_dep': ['mid.txt'],
            'task_dep': ['gen'], 'targets': ['final.txt'], 'clean': True}
