# clean: targets (files, then empty folders), clean actions (Python ones taking
# dryrun run under -n), -n, -c, -a, --forget, default tasks, groups, errors.
# setup:
#   write in.txt x
# scenario basic:
#   run
#   run clean -n
#   run clean --dry-run out
#   run clean out
#   run clean out
#   run
#   run clean
#   run clean
# scenario deps:
#   run
#   run clean final
#   run
#   run clean -c final
#   run
#   run clean --clean-dep dirs
#   run clean -a
#   run
#   run clean --clean-all final
# scenario group:
#   run
#   run clean gen
#   run
#   run clean gen:a
#   run clean -c gen
# scenario forget:
#   run
#   run clean --forget out
#   run
#   run clean --forget -n
#   run
#   run clean --forget
#   run
# scenario folders:
#   run dirs
#   write d/keep.txt keep
#   run clean dirs
#   rm d/keep.txt
#   run clean dirs
#   run clean dirs
# scenario errors:
#   run clean nosuch => 3 ~ is not a task
#   run clean -x => 3 ~ not recognized

import os


def task_out():
    return {'actions': ['cat in.txt > out.txt'], 'file_dep': ['in.txt'],
            'targets': ['out.txt'], 'clean': True}


def py_clean(dryrun):
    print('py_clean dryrun=%s' % dryrun)


def plain_clean():
    print('plain_clean ran')


def task_final():
    return {'actions': ['cat out.txt > final.txt'], 'file_dep': ['out.txt'],
            'targets': ['final.txt'],
            'clean': ['rm -f final.txt', py_clean, plain_clean, 'echo shell clean']}


def task_dirs():
    return {'actions': ['mkdir -p d/e', 'touch d/e/f.txt'],
            'targets': ['d/e/f.txt', 'd/e', 'd', 'missing.txt'], 'clean': True,
            'uptodate': [True]}


def task_gen():
    for n in 'ab':
        yield {'name': n, 'actions': ['echo %s > %s.gen' % (n, n)],
               'targets': ['%s.gen' % n], 'clean': True, 'task_dep': ['out']}


def task_noclean():
    return {'actions': ['echo nothing'], 'targets': ['never.txt']}
