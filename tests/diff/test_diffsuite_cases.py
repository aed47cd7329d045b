"""Differential tests: our own task files in cases/, under doit and dodo.

Each cases/NAME.py is a task file whose leading comment block holds its
scenarios (step language: see scenario.py):

    # One line saying what the case is about.
    # as: tasks.py          copy the case under this name (default dodo.py)
    # copy: SRC [DST]       also copy cases/data/SRC (to DST)
    # unordered: FILE ...   compare these files as sorted words
    # opaque: FILE ...      compare these files by presence only
    # ignore: PATTERN ...   leave these names out (state files, under any name
    #                       a step or a setting gives them, always are)
    # setup:                steps played before every scenario
    #   write in.txt hello
    # scenario NAME:        one test per scenario
    #   run => 1 ~ Command failed
    #   run -c => 1

Scenarios using a command other than `run` carry the `commands` marker.
"""

import glob
import os
import shutil

import pytest

from scenario import Options, parse_case_header, run_scenario, uses_commands

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases")


def parse_case(path):
    """-> (as_name, copies, Options, setup steps, {scenario: steps})."""
    as_name, copies, opts = "dodo.py", [], Options()
    setup, scenarios, keys = parse_case_header(path)
    for key, val in keys:
        if key == "as":
            as_name = val.strip()
        elif key == "copy":
            copies.append(val.split())
        elif key == "unordered":
            opts.unordered += val.split()
        elif key == "opaque":
            opts.opaque += val.split()
        elif key == "ignore":
            opts.ignore += val.split()
    return as_name, copies, opts, setup, scenarios


def _params():
    for path in sorted(glob.glob(os.path.join(CASES, "*.py"))):
        name = os.path.basename(path)[:-3]
        _, _, _, setup, scenarios = parse_case(path)
        for scen, steps in scenarios.items():
            marks = [pytest.mark.commands] if uses_commands(setup + steps) else []
            yield pytest.param(path, scen, marks=marks, id="%s-%s" % (name, scen))


@pytest.mark.parametrize("path,scen", list(_params()))
def test_case(make_project, path, scen):
    as_name, copies, opts, setup, scenarios = parse_case(path)

    def fill(proj):
        shutil.copyfile(path, proj.path / as_name)
        for c in copies:
            dst = proj.path / (c[1] if len(c) > 1 else c[0])
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(os.path.join(CASES, "data", c[0]), dst)

    run_scenario(make_project, fill, setup + scenarios[scen], opts)
