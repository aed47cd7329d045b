"""Run by the reference Python: `doit list --all -q -f FILE` for every FILE
given, in one process (doit's own command-line code, in-process), printing
{"FILE": [exit code, stdout]} as JSON."""

import contextlib
import io
import json
import os
import sys

from doit.cmd_base import DodoTaskLoader
from doit.doit_cmd import DoitMain


def main():
    folder = os.getcwd()
    result = {}
    real_stdout = sys.stdout
    for name in sys.argv[1:]:
        os.chdir(folder)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = DoitMain(DodoTaskLoader()).run(
                ['list', '--all', '-q', '-f', name,
                 '--db-file', '.doit-%s.db' % name])
        result[name] = [code, out.getvalue()]
    real_stdout.write(json.dumps(result))


if __name__ == '__main__':
    main()
