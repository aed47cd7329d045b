# --check_file_uptodate md5 (default) vs timestamp, on the command line and in DOIT_CONFIG.
# setup:
#   write a.txt same
# scenario md5:
#   run
#   touch a.txt
#   run
#   write a.txt diff
#   run
#   write a.txt DIFF
#   run
# scenario timestamp:
#   run --check_file_uptodate timestamp
#   run --check_file_uptodate timestamp
#   touch a.txt
#   run --check_file_uptodate timestamp
#   run --check_file_uptodate md5
#   run --check_file_uptodate md5
#   touch a.txt
#   run --check_file_uptodate md5
#   run --check_file_uptodate nonsense => 3
# scenario config:
#   env CHECKER=timestamp
#   run
#   touch a.txt
#   run
#   run --check_file_uptodate md5
import os

if os.environ.get('CHECKER'):
    DOIT_CONFIG = {'check_file_uptodate': os.environ['CHECKER']}


def task_use():
    return {'actions': ['cat a.txt'], 'file_dep': ['a.txt'], 'verbosity': 2}
