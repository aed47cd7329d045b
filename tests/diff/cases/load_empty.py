# A task file that defines no task until files appear (a glob at load time).
# scenario run:
#   run
#   run
#   write x.xyz x
#   run
#   run
#   write y.xyz y
#   run
#   rm x.xyz
#   rm y.xyz
#   run
import glob


def task_xxx():
    for item in sorted(glob.glob('*.xyz')):
        yield {'name': item, 'actions': ['echo %s' % item], 'file_dep': [item],
               'verbosity': 2}
