"""Command-line variables (get_var) and a DoitMain for dodo files that
build their own command line (it only points to `dodo`)."""

import os
import sys

from .version import VERSION

# NAME=VALUE arguments of the command line; None until dodo sets them
_CMDLINE_VARS = None


def reset_vars():
    global _CMDLINE_VARS
    _CMDLINE_VARS = {}


def get_var(name, default=None):
    """value of NAME=VALUE given on the command line, else default"""
    if _CMDLINE_VARS is None:
        return None
    return _CMDLINE_VARS.get(name, default)


def set_var(name, value):
    if _CMDLINE_VARS is None:
        reset_vars()
    _CMDLINE_VARS[name] = value


class DoitMain(object):
    """doit's entry object. Running doit from Python is not supported by
    dodo: run() says so and returns 3."""
    BIN_NAME = 'dodo'
    DOIT_CMDS = ()

    def __init__(self, task_loader=None, config_filenames=('pyproject.toml',
                                                           'doit.cfg'),
                 extra_config=None):
        self.task_loader = task_loader
        self.config_filenames = config_filenames
        self.config = {}
        for section, items in (extra_config or {}).items():
            self.config.setdefault(section, {}).update(items)

    @staticmethod
    def print_version():
        print(".".join(str(part) for part in VERSION))
        print("lib @", os.path.dirname(os.path.abspath(__file__)))

    def run(self, cmd_args):
        sys.stderr.write("ERROR: doit's Python entry point is not available "
                         "in dodo; run the `dodo` command instead.\n")
        return 3
