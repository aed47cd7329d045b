# run options: -a (always), -c (continue), -s (single), --verbosity, --db-file, -r reporters.
# setup:
#   write in.txt x
# scenario always:
#   run
#   run
#   run -a
#   run --always-execute b
# scenario continue:
#   env FAIL=1
#   run => 1
#   run -c => 1
#   run --continue c => 1
# scenario single:
#   run -s c
#   run -s c
#   run --single b
#   run -s -a c
# scenario dbfile:
#   run --db-file other.db
#   run --db-file other.db
#   run
# scenario reporters:
#   run -r executed-only
#   run -r executed-only
#   run -a --reporter executed-only
#   run -r zero
#   run -a -r zero
#   run -r json
#   run -a -r json
#   env FAIL=1
#   run -a -r json => 1
#   run -a -r zero => 1
#   run -a -r executed-only => 1
#   run -r nosuch => 3
import os


def task_a():
    return {'actions': ['echo a'], 'file_dep': ['in.txt']}


def task_b():
    act = 'exit 1' if os.environ.get('FAIL') else 'echo b'
    return {'actions': [act], 'file_dep': ['in.txt'], 'task_dep': ['a']}


def task_c():
    return {'actions': ['echo c'], 'file_dep': ['in.txt'], 'task_dep': ['b']}


def task_d():
    return {'actions': ['echo d'], 'file_dep': ['in.txt']}
