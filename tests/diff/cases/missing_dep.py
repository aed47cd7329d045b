# A missing file_dep: doit's DependencyError, exit 2; -c goes on; a producing task fixes it.
# setup:
#   write present.txt here
# scenario run:
#   run => 2 ~ Dependent file 'absent.txt' does not exist.
#   run -c => 2
#   run fine
#   write absent.txt now
#   run uses fine
#   run uses fine
#   run -c => 2
#   rm absent.txt
#   run uses => 2
# scenario produced_but_not_made:
#   run lying => 2 ~ does not exist
#   run lying => 2
# scenario list:
#   run list
#   run info uses => 1
#   run list --status
#   run info lying => 1


def task_uses():
    return {'actions': ['echo uses'], 'file_dep': ['present.txt', 'absent.txt']}


def task_fine():
    return {'actions': ['echo fine'], 'file_dep': ['present.txt']}


def task_maker():
    # claims the target but never creates it
    return {'actions': ['echo pretending'], 'targets': ['made.txt']}


def task_lying():
    return {'actions': ['cat made.txt'], 'file_dep': ['made.txt']}
