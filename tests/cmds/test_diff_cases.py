"""Differential tests of the commands: each scenario of cases/*.py under doit
(python3 -m doit 0.31.1) and under dodo, compared step by step (output, exit
code, files left)."""

import glob
import os
import shutil

import pytest

from cmdsupport import CASES, parse_case, scenario


def _params():
    for path in sorted(glob.glob(os.path.join(CASES, "*.py"))):
        name = os.path.basename(path)[:-3]
        setup, scenarios, _ = parse_case(path)
        for scen in scenarios:
            yield pytest.param(path, scen, id="%s-%s" % (name, scen))


@pytest.mark.parametrize("path,scen", list(_params()))
def test_case(make_project, path, scen):
    setup, scenarios, ignore = parse_case(path)

    def fill(proj):
        shutil.copyfile(path, proj.path / "dodo.py")

    scenario.run_scenario(make_project, fill, setup + scenarios[scen],
                          scenario.Options(ignore=ignore))
