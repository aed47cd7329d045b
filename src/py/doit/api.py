"""doit's API for running tasks from Python: run(globals()) for
`if __name__ == '__main__'` blocks, and run_tasks() (doit 0.35) for
programs with their own command line. dodo runs tasks from the `dodo`
command only: both say so (DoitMain.run) and fail."""

import sys

from .cmd_base import ModuleTaskLoader
from .doit_cmd import DoitMain


def run(task_creators):
    """doit runs a module's tasks this way; with dodo, run `dodo` instead"""
    sys.exit(DoitMain(ModuleTaskLoader(task_creators)).run(sys.argv[1:]))


def run_tasks(loader, tasks, extra_config=None):
    """doit runs tasks ({name: {option: value}}) of a loader this way;
    dodo does not: returns 3 after saying to run `dodo` instead"""
    loader.task_opts = tasks
    return DoitMain(loader, extra_config=extra_config).run(list(tasks))
