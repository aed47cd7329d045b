"""dodo-only: the virtualenv is the interpreter the task file sees.

doit runs under the virtualenv's python (`<venv>/bin/python -m doit`, or a
doit installed in it); dodo embeds libpython and starts it as that python
(src/py/interp.c), so that sys.executable, the prefixes, site and sysconfig
are the virtualenv's, and `[sys.executable, ...]` runs with its packages.
dodo takes the virtualenv from VIRTUAL_ENV, else a .venv beside dodo.py
(docs/commands.md: doit sees that one only when it is activated).

The virtualenvs are real ones (`/usr/bin/python3 -m venv --without-pip`),
each with a module of its own, venvonly_mod, in its site-packages. For the
oracle, an isolated virtualenv gets Debian's doit (and cloudpickle, which it
imports) linked into its site-packages, as if installed there."""

import os
import subprocess
import sys

import pytest

from dodo_testlib import run_cmd

SYSTEM_PYTHON = "/usr/bin/python3"
DEBIAN_DOIT = "/usr/lib/python3/dist-packages/doit"

SHOW = """
import os, site, subprocess, sys, sysconfig
try:
    import venvonly_mod
except ImportError:
    venvonly_mod = None

def show():
    for name in ('executable', '_base_executable', 'prefix', 'exec_prefix',
                 'base_prefix', 'base_exec_prefix'):
        print(name, getattr(sys, name, None))
    print('getsitepackages', site.getsitepackages())
    print('user site', site.ENABLE_USER_SITE)
    for key, value in sorted(sysconfig.get_paths().items()):
        print('sysconfig', key, value)
    print('import', getattr(venvonly_mod, 'WHERE', None))
    print('sys.path', [p for p in sys.path if p not in ('', os.getcwd())])
    r = subprocess.run([sys.executable, '-c', 'import venvonly_mod; print(venvonly_mod.WHERE)'],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    print('subprocess', r.returncode, r.stdout.strip())

def task_show():
    return {'actions': [show], 'verbosity': 2}
"""


def site_packages(venv):
    """The virtualenv's site-packages, as its python reports it."""
    r = subprocess.run([str(venv / "bin" / "python"), "-c",
                        "import sysconfig; print(sysconfig.get_path('purelib'))"],
                       stdout=subprocess.PIPE, text=True, timeout=60, check=True)
    return r.stdout.strip()


def link_doit(site):
    """Debian's doit and what it imports, linked into site (installed there)."""
    r = subprocess.run([SYSTEM_PYTHON, "-c", "import cloudpickle; print(cloudpickle.__path__[0])"],
                       stdout=subprocess.PIPE, text=True, timeout=60, check=True)
    for pkg in (DEBIAN_DOIT, r.stdout.strip()):
        os.symlink(pkg, os.path.join(site, os.path.basename(pkg)))


def make_venv(path, system_site, with_doit=False):
    """A real virtualenv at path with venvonly_mod in its site-packages."""
    args = [SYSTEM_PYTHON, "-m", "venv", "--without-pip", str(path)]
    if system_site:
        args.insert(4, "--system-site-packages")
    subprocess.run(args, timeout=120, check=True)
    site = site_packages(path)
    with open(os.path.join(site, "venvonly_mod.py"), "w") as f:
        f.write("WHERE = 'venv'\n")
    if with_doit and not system_site:
        link_doit(site)
    return path


def activated(venv):
    """The environment of an activated virtualenv."""
    return {"VIRTUAL_ENV": str(venv),
            "PATH": "%s/bin:%s" % (venv, os.environ.get("PATH", "/usr/bin:/bin"))}


def oracle(project, python, env=None):
    r = run_cmd([str(python), "-m", "doit"], project.path, env)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def dodo(project, env=None):
    r = project.run(env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def value(out, name):
    """What the line starting with name says."""
    lines = [l[len(name) + 1:] for l in out.splitlines() if l.startswith(name + " ")]
    assert len(lines) == 1, out
    return lines[0]


@pytest.mark.parametrize("system_site", [False, True], ids=["isolated", "system-site"])
def test_activated_venv_is_the_interpreter(project, tmp_path, system_site):
    venv = make_venv(tmp_path / "env", system_site, with_doit=True)
    project.dodo(SHOW)
    expected = oracle(project, venv / "bin" / "python", activated(venv))
    assert value(expected, "executable") == str(venv / "bin" / "python")
    assert value(expected, "import") == value(expected, "subprocess")[2:] == "venv"
    assert dodo(project, activated(venv)) == expected


@pytest.mark.parametrize("system_site", [False, True], ids=["isolated", "system-site"])
def test_dot_venv_beside_dodo_py_is_the_interpreter(project, system_site):
    """Not activated: dodo shows what the .venv's python would (doit would
    need it activated)."""
    venv = make_venv(project / ".venv", system_site, with_doit=True)
    project.dodo(SHOW)
    expected = oracle(project, venv / "bin" / "python")
    assert value(expected, "prefix") == str(venv)
    assert value(expected, "import") == value(expected, "subprocess")[2:] == "venv"
    assert dodo(project) == expected


def test_no_venv_is_the_system_python3(project):
    project.dodo(SHOW)
    expected = oracle(project, SYSTEM_PYTHON)
    assert value(expected, "executable") == SYSTEM_PYTHON
    assert value(expected, "import") == "None"
    assert value(expected, "subprocess").startswith("1")
    assert dodo(project) == expected


def test_dot_venv_without_pyvenv_cfg_is_not_a_venv(project):
    """A folder named .venv that is no virtualenv leaves the system's python."""
    (project / ".venv" / "bin").mkdir(parents=True)
    project.dodo(SHOW)
    out = dodo(project)
    assert value(out, "executable") == SYSTEM_PYTHON
    assert value(out, "prefix") == sys.base_prefix


def test_virtual_env_wins_over_dot_venv(project, tmp_path):
    make_venv(project / ".venv", False)
    venv = make_venv(tmp_path / "env", False)
    project.dodo(SHOW)
    out = dodo(project, {"VIRTUAL_ENV": str(venv)})
    assert value(out, "prefix") == str(venv)


def test_relative_virtual_env_is_from_the_starting_folder(project):
    """dodo.py elsewhere (-f): VIRTUAL_ENV=env names the folder dodo started
    in's env, as for the python of an activated virtualenv."""
    venv = make_venv(project / "env", False)
    project.write("sub/dodo.py", SHOW)
    r = project.run("-f", "sub/dodo.py", env={"VIRTUAL_ENV": "env"})
    assert r.returncode == 0, r.stdout + r.stderr
    assert value(r.stdout, "prefix") == str(venv)
    assert value(r.stdout, "import") == "venv"
