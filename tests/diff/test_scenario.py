"""The differential engine itself (scenario.py): which files it compares, and
the environment both tools run in (tests/conftest.py).

The state files are left out under any name a step or a setting gives them,
whichever dbm module doit finds installed (dbm.gnu with python3-gdbm writes
NAME, dbm.ndbm NAME.db, dbm.dumb NAME.dat/.dir/.bak)."""

import importlib.util
import os
import subprocess

import pytest

import dodo_testlib
from dodo_testlib import base_env
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


def test_the_callers_environment_does_not_reach_the_tools(monkeypatch):
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)
    leaks = {"FAIL": "1", "CASE": "x", "COLUMNS": "20", "LINES": "5", "TZ": "Asia/Tokyo",
             "USER": "someone", "HOSTNAME": "somewhere", "TERM": "xterm", "NO_COLOR": "1",
             "MAKEFLAGS": " -j8 --jobserver-auth=fifo:/tmp/GMfifo1", "PYTHONOPTIMIZE": "2",
             "PYTHONSAFEPATH": "1", "DODO_NOOP": "0", "DOIT_CONFIG": "x"}
    for k, v in leaks.items():
        monkeypatch.setenv(k, v)
    env = base_env({"FAIL": "2", "PATH": None})
    assert env["FAIL"] == "2" and "PATH" not in env
    env = base_env()
    assert sorted(set(env) & set(leaks)) == []
    assert env["PATH"] == os.environ["PATH"]
    assert (env["LC_ALL"], env["PYTHONHASHSEED"], env["PYTHONUNBUFFERED"]) == ("C.UTF-8", "0", "1")
    # no module of the user's site-packages (pip install --user) stands in for Debian's
    out = subprocess.run(["/usr/bin/python3", "-c", "import site; print(site.ENABLE_USER_SITE)"],
                         env=env, capture_output=True, text=True, timeout=60).stdout
    assert out == "False\n"
