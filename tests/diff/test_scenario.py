"""The differential engine itself (scenario.py): which files it compares.

The state files are left out under any name a step or a setting gives them,
whichever dbm module doit finds installed (dbm.gnu with python3-gdbm writes
NAME, dbm.ndbm NAME.db, dbm.dumb NAME.dat/.dir/.bak)."""

import importlib.util
import os

import pytest

import dodo_testlib
from scenario import Options, parse_step, play, snapshot, state_names, with_state_names

TASKS = """\
DOIT_CONFIG = {'dep_file': '.from-config'}

def task_t():
    return {'actions': ['echo t > t.out'], 'targets': ['t.out']}
"""

STEPS = ["run help --db-file x t", "run --db-file=sub.db t", "run"]


def test_state_names_from_options_and_settings():
    steps = [parse_step(s) for s in STEPS + [
        "run list --dep-file y", "run info --db-file dir/z.db t",
        "write doit.cfg [GLOBAL]\\ndep_file = from.cfg\\n",
        "append pyproject.toml [tool.doit]\\ndep_file = \"toml.db\"\\n"]]
    assert state_names(steps, [TASKS]) == {"x", "sub.db", "y", "z.db", "from.cfg",
                                          "toml.db", ".from-config"}
    assert state_names([parse_step("run --db-file"), parse_step("write a dep_file")]) == set()


def test_state_files_are_not_compared(tmp_path):
    names = ["x", "x.db", "x.dat", "x.dir", "x.bak", "x-wal", "x-shm", "x-journal",
             ".doit.db", ".doit.db.db", ".dodo.db-wal", "xy", "x.txt", "y.db"]
    for n in names:
        (tmp_path / n).write_text(n)
    tree = snapshot(str(tmp_path), Options(state=["x"]))
    assert sorted(tree) == ["x.txt", "xy", "y.db"]


# Runs doit as `python3 -m doit` does, with the modules named in its first
# argument made unimportable.
WITHOUT = ("import runpy, sys\n"
           "for m in filter(None, sys.argv.pop(1).split(',')):\n"
           "    sys.modules[m] = None\n"
           "runpy.run_module('doit', run_name='__main__', alter_sys=True)\n")

# which dbm module doit picks: its C module, the modules hidden for it, what it
# makes of NAME (dbm.dumb adds NAME.bak on a second write)
BACKENDS = {"dbm.gnu": ("_gdbm", "", ["x"]),
            "dbm.ndbm": ("_dbm", "_gdbm", ["x.db"]),
            "dbm.dumb": (None, "_gdbm,_dbm", ["x.dat", "x.dir"])}


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_state_files_of_every_dbm_backend_are_left_out(make_project, monkeypatch, backend):
    module, hidden, written = BACKENDS[backend]
    if module and importlib.util.find_spec(module) is None:
        pytest.skip("%s is not installed" % backend)
    python = dodo_testlib.doit_command()[0]
    monkeypatch.setattr(dodo_testlib, "doit_command", lambda: [python, "-c", WITHOUT, hidden])
    proj = make_project("doit/proj")
    proj.dodo(TASKS)
    steps = [parse_step(s) for s in STEPS]
    results = play(proj, steps, "doit", with_state_names(Options(), proj.path, steps))
    assert [r.code for r in results] == [0] * 3, results[-1].raw_err
    assert sorted(n for n in os.listdir(proj.path) if n.startswith("x")) == written
    assert [sorted(r.tree) for r in results] == [["dodo.py"]] + [["dodo.py", "t.out"]] * 2
