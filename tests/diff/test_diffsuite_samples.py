"""Differential tests: doit's samples, each scenario under doit and dodo.

One test per (sample, scenario). Scenarios that use a command other than
`run` carry the `commands` marker (select with -m commands / -m "not commands").
"""

import gzip
import os
import re
import shutil

import pytest

from samples import EXCLUDED, HELPERS, SAMPLES, SAMPLES_DIR
from scenario import Options, parse_step, run_scenario, uses_commands

HERE = os.path.dirname(os.path.abspath(__file__))


def _params():
    for name, sample in SAMPLES.items():
        for scen, lines in sample.scenarios.items():
            steps = [parse_step(s) for s in lines]
            marks = [pytest.mark.commands] if uses_commands(steps) else []
            yield pytest.param(name, scen, steps, marks=marks,
                               id="%s-%s" % (name[:-3], scen))


def _copy(src_name, dst):
    """Copy a sample file (Debian may ship some gzipped)."""
    src = os.path.join(SAMPLES_DIR, src_name)
    if not os.path.exists(src) and os.path.exists(src + ".gz"):
        with gzip.open(src + ".gz", "rb") as f, open(dst, "wb") as g:
            g.write(f.read())
        return
    if not os.path.exists(src):
        pytest.fail("sample %s missing: install python-doit-doc (or set DOIT_SAMPLES)"
                    % src)
    shutil.copyfile(src, dst)


@pytest.mark.parametrize("name,scen,steps", list(_params()))
def test_sample(make_project, name, scen, steps):
    sample = SAMPLES[name]

    def setup(proj):
        for f in sample.files:
            _copy(f, proj.path / f)
        _copy(name, proj.path / sample.as_name)

    run_scenario(make_project, setup, steps,
                 Options(unordered=sample.unordered, opaque=sample.opaque,
                         deliberate=sample.deliberate))


def test_every_sample_is_accounted_for():
    """A new sample in python-doit-doc must be added to SAMPLES, HELPERS or
    EXCLUDED; nothing is in two of them."""
    present = {re.sub(r"\.gz$", "", f) for f in os.listdir(SAMPLES_DIR)
               if not f.startswith(".")}
    known = set(SAMPLES) | HELPERS | set(EXCLUDED)
    assert not (set(SAMPLES) & set(EXCLUDED))
    assert not (set(SAMPLES) & HELPERS)
    assert sorted(present - known) == [], "samples with no scenario nor exclusion"
    assert sorted(known - present) == [], "listed samples missing from " + SAMPLES_DIR


def test_excluded_md_lists_every_exclusion():
    with open(os.path.join(HERE, "EXCLUDED.md")) as f:
        text = f.read()
    missing = [n for n in EXCLUDED if "`%s`" % n not in text]
    assert missing == []
