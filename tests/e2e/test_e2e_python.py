"""dodo-only: the embedded Python. `import doit` is dodo's module even with
Debian's python3-doit installed. Virtualenvs: test_venv.py."""

import os
import subprocess

import pytest

DEBIAN_DOIT = "/usr/lib/python3/dist-packages/doit"


def test_import_doit_is_dodos_own(project):
    """Debian's doit is installed, yet dodo.py's `import doit` (and its
    submodules) resolve to dodo's built-in package."""
    assert os.path.isdir(DEBIAN_DOIT), "python3-doit must be installed for this test"
    project.dodo("""
        import sys
        import doit
        import doit.tools
        from doit.tools import run_once, config_changed
        from doit.action import CmdAction

        def task_where():
            def show():
                for name in ('doit', 'doit.tools', 'doit.action'):
                    print(name, getattr(sys.modules[name], '__file__', None))
            return {'actions': [show], 'verbosity': 2}
    """)
    r = project.run()
    assert r.returncode == 0, r.stdout + r.stderr
    lines = [l for l in r.stdout.splitlines() if l.startswith("doit")]
    assert len(lines) == 3, r.stdout
    for line in lines:
        assert "dist-packages" not in line and DEBIAN_DOIT not in line, line


def test_module_missing(project):
    """A module that is nowhere is not found, exit 3 like doit."""
    project.dodo("""
        import mymod_nowhere

        def task_show():
            return {'actions': ['echo never'], 'verbosity': 2}
    """)
    r = project.run()
    assert r.returncode == 3, r.stdout + r.stderr
    assert "mymod_nowhere" in r.stderr


def test_version(dodo_bin):
    r = subprocess.run([str(dodo_bin), "--version"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip(), "no version printed"


@pytest.mark.parametrize("args", [(), ("list",)])
def test_no_dodo_py(project, args):
    r = project.run(*args)
    assert r.returncode == 3, r.stdout + r.stderr
    assert "dodo.py" in r.stderr
