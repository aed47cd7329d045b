"""dodo-only: the embedded Python. `import doit` is dodo's module even with
Debian's python3-doit installed; a .venv beside dodo.py and $VIRTUAL_ENV
put their site-packages on sys.path."""

import os
import subprocess

import pytest

DEBIAN_DOIT = "/usr/lib/python3/dist-packages/doit"


def python_tag():
    """'python3.X' of the libpython dodo embeds (pkg-config's python3-embed,
    else Debian's python3)."""
    try:
        v = subprocess.run(["pkg-config", "--modversion", "python3-embed"],
                           stdout=subprocess.PIPE, text=True, timeout=30).stdout.strip()
    except OSError:
        v = ""
    if not v:
        v = subprocess.run(["/usr/bin/python3", "-c",
                            "import sys; print('%d.%d' % sys.version_info[:2])"],
                           stdout=subprocess.PIPE, text=True, timeout=30).stdout.strip()
    return "python" + v


def make_venv(root, module, value):
    """A fake virtual environment at root with module.py in its site-packages."""
    site = root / "lib" / python_tag() / "site-packages"
    site.mkdir(parents=True)
    (root / "bin").mkdir()
    (root / "pyvenv.cfg").write_text("home = /usr/bin\ninclude-system-site-packages = false\n"
                                     "version = 3\n")
    (site / (module + ".py")).write_text("VALUE = %r\n" % value)
    return root


USES_MODULE = """
import {mod}

def task_show():
    return {{'actions': ['echo value=%s' % {mod}.VALUE], 'verbosity': 2}}
"""


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


def test_venv_beside_dodo_py(project):
    make_venv(project / ".venv", "mymod_beside", "from-dot-venv")
    project.dodo(USES_MODULE.format(mod="mymod_beside"))
    r = project.run()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "value=from-dot-venv" in r.stdout.splitlines(), r.stdout


def test_virtual_env_variable(project, tmp_path):
    venv = make_venv(tmp_path / "elsewhere" / "env", "mymod_env", "from-VIRTUAL_ENV")
    project.dodo(USES_MODULE.format(mod="mymod_env"))
    r = project.run(env={"VIRTUAL_ENV": str(venv)})
    assert r.returncode == 0, r.stdout + r.stderr
    assert "value=from-VIRTUAL_ENV" in r.stdout.splitlines(), r.stdout


def test_module_missing_without_venv(project):
    """The control: without a venv the module is not found, exit 3 like doit."""
    project.dodo(USES_MODULE.format(mod="mymod_nowhere"))
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
