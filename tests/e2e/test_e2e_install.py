"""dodo-only: `make install PREFIX=... DESTDIR=...` installs a working binary."""

import os
import subprocess

from dodo_testlib import ROOT, base_env, dodo_bin_path


def test_make_install(tmp_path, project):
    dest = tmp_path / "dest"
    # install the binary under test as it is: never rebuild it (-o) while
    # other tests run it
    built = "build/san/dodo" if "san" in dodo_bin_path().parts else "build/dodo"
    args = ["make", "-C", str(ROOT), "-o", built, "install", "PREFIX=/opt/dodo",
            "DESTDIR=%s" % dest]
    if "san" in dodo_bin_path().parts:
        args.append("SAN=1")
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       stdin=subprocess.DEVNULL, timeout=900)
    assert r.returncode == 0, r.stdout
    installed = dest / "opt" / "dodo" / "bin" / "dodo"
    assert installed.is_file(), r.stdout
    assert os.access(installed, os.X_OK)
    if dodo_bin_path().resolve() in (ROOT / "build" / "dodo", ROOT / "build" / "san" / "dodo"):
        assert installed.read_bytes() == dodo_bin_path().read_bytes()
    v = subprocess.run([str(installed), "--version"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=60)
    assert v.returncode == 0, v.stderr
    # the installed binary is self-contained: it runs a project from anywhere
    project.dodo("""
        def task_hi():
            return {'actions': ['echo installed-hi'], 'verbosity': 2}
    """)
    r = subprocess.run([str(installed)], cwd=str(project.path), env=base_env(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "installed-hi" in r.stdout.splitlines()
