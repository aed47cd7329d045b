# Errors while loading dodo.py: a failed import, an exception, sys.exit, a missing -f file.
# scenario import_error:
#   env CASE=import
#   run => 3 ~ no_such_module_for_dodo
#   run list => 3
# scenario raises:
#   env CASE=raises
#   run => 3 ~ raised at import time
# scenario exit:
#   env CASE=exit
#   run => 5
# scenario no_file:
#   run -f missing.py => 3 ~ missing.py
#   rm dodo.py
#   run => 3
#   run list => 3
# scenario prints:
#   env CASE=prints
#   run
#   run list
import os
import sys

CASE = os.environ.get('CASE')
if CASE == 'import':
    import no_such_module_for_dodo  # noqa: F401
elif CASE == 'raises':
    raise ValueError('raised at import time')
elif CASE == 'exit':
    sys.exit(5)
elif CASE == 'prints':
    print('printed while loading')
    sys.stderr.write('written to stderr while loading\n')


def task_ok():
    return {'actions': ['echo ok']}
