# Output plumbing: large outputs, unicode, no trailing newline, interleaved actions.
# scenario run:
#   run
#   run -v 2
#   run -v 0
#   env FAIL=1
#   run -c => 1
import os
import sys

FAIL = '; exit 1' if os.environ.get('FAIL') else ''


def task_big():
    return {'actions': ['seq 1 20000' + FAIL]}


def task_big_err():
    return {'actions': ['seq 1 5000 >&2' + FAIL]}


def task_unicode():
    return {'actions': ['printf "h\\303\\251llo w\\303\\266rld \\342\\234\\223\\n"' + FAIL,
                        lambda: print('py: \u00e9\u00f6\u2713 \U0001f600')]}


def task_no_newline():
    return {'actions': ['printf "no newline"' + FAIL,
                        lambda: sys.stdout.write('py no newline')]}


def task_mixed():
    return {'actions': ['echo one', lambda: print('two'), 'echo three >&2',
                        lambda: sys.stderr.write('four\n'), 'echo five' + FAIL],
            'verbosity': 2}
