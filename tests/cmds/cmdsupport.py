"""Helpers of the command tests (tests/cmds): dodo's commands other than `run`,
its configuration files and reporters. (Not named conftest: tests/conftest.py
has that module name.)

The fixtures `project` and `make_project` come from tests/conftest.py; the
differential engine (run a scenario under doit and under dodo, compare) is
tests/diff/scenario.py, imported from here.

Case files (cases/*.py) are task files whose leading comment block holds
their scenarios, in the step language of tests/diff/scenario.py:

    # What the case is about.
    # ignore: report*.log   files left out of the comparison (the state
    #                       files, under any name a step or a setting gives
    #                       them, always are: scenario.STATE_SUFFIXES)
    # setup:                steps played before every scenario
    #   write in.txt x
    # scenario NAME:        one differential test per scenario
    #   run list --all
    #   run info t => 1
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "diff"))

import scenario  # noqa: E402  (tests/diff/scenario.py)

CASES = os.path.join(HERE, "cases")


def parse_case(path):
    """-> (setup steps, {scenario name: steps}, [ignored file patterns]) of a
    case file ("# ignore: PATTERN ..." leaves files out of the comparison)."""
    setup, scenarios, keys = scenario.parse_case_header(path)
    ignore = [p for key, val in keys if key == "ignore" for p in val.split()]
    return setup, scenarios, ignore


def dodo_text(text, work):
    """dodo's or doit's output with the work folder, program name and state
    file name made alike (scenario.normalise_text, as one string)."""
    return "\n".join(scenario.normalise_text(text, work))
