"""Fixtures shared by the end-to-end (tests/e2e) and differential (tests/diff) suites.

Environment:
  DODO_BIN      the binary under test (default: build/dodo beside this folder)
  DODO_WRAPPER  a command prefixed to every dodo invocation, e.g.
                "valgrind -q --error-exitcode=99"
  DOIT_PYTHON   the interpreter that runs the oracle (default /usr/bin/python3);
                the oracle is always `$DOIT_PYTHON -m doit`

Every subprocess has a timeout; nothing here sleeps to wait for a clock tick:
file edits set mtimes explicitly with os.utime.

Test modules import the helpers as `from dodo_testlib import Project, ...`:
another conftest.py (tests/py has one) may own the module name `conftest`.
"""

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TIMEOUT = 60

# The caller's environment is not the tests': of it only these variables reach
# either tool. Any other (DOIT_*/DODO_*, PYTHON*, MAKEFLAGS naming an outer
# make's jobserver, COLUMNS, TZ, USER, HOSTNAME, a variable a case reads such
# as FAIL or CASE) could change what a tool does or prints. The sanitizers' and
# valgrind's own settings pass.
_KEEP = ("PATH", "HOME", "TMPDIR")
_KEEP_PREFIXES = ("ASAN_", "UBSAN_", "LSAN_", "VALGRIND_")


def dodo_bin_path():
    """The dodo binary under test, as an absolute path (may not exist yet)."""
    p = Path(os.environ.get("DODO_BIN") or ROOT / "build" / "dodo")
    if not p.is_absolute():
        p = ROOT / p
    return p


def dodo_command():
    """argv prefix for running dodo: the optional wrapper, then the binary."""
    wrapper = shlex.split(os.environ.get("DODO_WRAPPER", ""))
    return wrapper + [str(dodo_bin_path())]


def doit_command():
    """argv prefix for running the oracle: Debian's doit 0.31.1."""
    return [os.environ.get("DOIT_PYTHON", "/usr/bin/python3"), "-m", "doit"]


def base_env(extra=None):
    """A deterministic environment for both tools: PATH, HOME, TMPDIR and the
    sanitizers' settings of the caller's and nothing else (extra adds to it, a
    None value removes), C.UTF-8 messages, a fixed hash seed so doit's set
    orders are repeatable, no user site-packages (a doit or a module installed
    with pip --user must not stand in for Debian's), and Python's output
    unbuffered: doit's lines and its commands' reach the pipe in the order
    they reach a terminal, whatever the caller's PYTHONUNBUFFERED."""
    env = {k: v for k, v in os.environ.items()
           if k in _KEEP or k.startswith(_KEEP_PREFIXES)}
    env.update(LC_ALL="C.UTF-8", LANG="C.UTF-8", PYTHONHASHSEED="0",
               PYTHONDONTWRITEBYTECODE="1", PYTHONNOUSERSITE="1", PYTHONUNBUFFERED="1")
    if extra:
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
    return env


def run_cmd(argv, cwd, env=None, timeout=DEFAULT_TIMEOUT, input=None):
    """Run argv in cwd; returns CompletedProcess with text stdout/stderr.
    A timeout is a test failure, reported with whatever the process printed."""
    try:
        return subprocess.run(argv, cwd=str(cwd), env=base_env(env), timeout=timeout,
                              input=input if input is not None else "",
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, errors="surrogateescape")
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else e.stdout
        err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else e.stderr
        pytest.fail("timed out after %ss: %s (in %s)\n--- stdout\n%s\n--- stderr\n%s"
                    % (timeout, shlex.join(argv), cwd, out, err))
    except FileNotFoundError as e:
        pytest.fail("cannot run %s: %s (is it built? `make`)" % (argv[0], e))


class Project:
    """A temporary project folder with helpers to write files and run tools."""

    def __init__(self, path):
        self.path = Path(os.path.realpath(path))
        self.path.mkdir(parents=True, exist_ok=True)

    def __truediv__(self, name):
        return self.path / name

    # -- files ---------------------------------------------------------
    def write(self, name, text="", dedent=True, mode=None):
        """Write a text file (dedented) and give it a fresh mtime, strictly
        newer than any it had, so even a coarse timestamp sees the change."""
        p = self.path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        old = p.stat().st_mtime if p.exists() else None
        p.write_text(textwrap.dedent(text) if dedent else text)
        if mode is not None:
            p.chmod(mode)
        self._bump(p, old)
        return p

    def write_bytes(self, name, data):
        p = self.path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        old = p.stat().st_mtime if p.exists() else None
        p.write_bytes(data)
        self._bump(p, old)
        return p

    def dodo(self, text, name="dodo.py"):
        """Write the task file (dedented)."""
        return self.write(name, text)

    def touch(self, name):
        """Create the file if missing; otherwise move its mtime forward by at
        least 2 seconds (never equal to the previous mtime)."""
        p = self.path / name
        if not p.exists():
            p.parent.mkdir(parents=True, exist_ok=True)
            p.touch()
            return p
        self._bump(p, p.stat().st_mtime)
        return p

    @staticmethod
    def _bump(p, old):
        if old is None:
            return
        new = max(old + 2, time.time())
        os.utime(p, (new, new))

    def read(self, name):
        return (self.path / name).read_text()

    def exists(self, name):
        return (self.path / name).exists()

    def remove(self, name):
        p = self.path / name
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        elif p.exists() or p.is_symlink():
            p.unlink()

    def mkdir(self, name):
        p = self.path / name
        p.mkdir(parents=True, exist_ok=True)
        return p

    def files(self):
        """Relative paths of every file below the project, sorted."""
        return sorted(str(p.relative_to(self.path)) for p in self.path.rglob("*")
                      if p.is_file())

    # -- running -------------------------------------------------------
    def run(self, *args, env=None, timeout=DEFAULT_TIMEOUT, cwd=None, input=None):
        """Run dodo with args in the project (or cwd, relative to it)."""
        return run_cmd(dodo_command() + [str(a) for a in args],
                       self.path / cwd if cwd else self.path, env, timeout, input)

    def run_doit(self, *args, env=None, timeout=DEFAULT_TIMEOUT, cwd=None, input=None):
        """Run the oracle, Debian's doit, the same way."""
        return run_cmd(doit_command() + [str(a) for a in args],
                       self.path / cwd if cwd else self.path, env, timeout, input)

    def popen(self, *args, env=None, cwd=None, **kw):
        """Start dodo without waiting, in its own session (so the caller can
        kill its whole process group). stdout/stderr go to files in a folder
        beside the project; the caller must wait or kill."""
        logs = Path(tempfile.mkdtemp(prefix="dodo-log-", dir=self.path.parent))
        out = open(logs / "stdout", "w")
        err = open(logs / "stderr", "w")
        p = subprocess.Popen(dodo_command() + [str(a) for a in args],
                             cwd=str(self.path / cwd if cwd else self.path),
                             env=base_env(env), stdin=subprocess.DEVNULL,
                             stdout=out, stderr=err, start_new_session=True, **kw)
        out.close()
        err.close()
        p.log_dir = logs
        return p


@pytest.fixture(scope="session")
def dodo_bin():
    """Path of the dodo binary under test (DODO_BIN, default build/dodo)."""
    return dodo_bin_path()


@pytest.fixture
def project(tmp_path):
    """A fresh project folder (tmp_path/proj) with write/touch/run helpers."""
    return Project(tmp_path / "proj")


@pytest.fixture
def make_project(tmp_path):
    """Factory for several independent project folders in one test."""
    def make(name):
        return Project(tmp_path / name)
    return make


# Importable under a name no other conftest.py can shadow.
sys.modules.setdefault("dodo_testlib", sys.modules[__name__])
