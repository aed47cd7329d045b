"""doit.run(globals()): for `if __name__ == '__main__'` blocks."""

import sys

from .cmd_base import ModuleTaskLoader
from .doit_cmd import DoitMain


def run(task_creators):
    """doit runs a module's tasks this way; with dodo, run `dodo` instead"""
    sys.exit(DoitMain(ModuleTaskLoader(task_creators)).run(sys.argv[1:]))
