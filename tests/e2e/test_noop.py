"""dodo-only: the no-op run without Python (src/noop.c, docs/design.md "No-op
without Python"). After a run, the loaded graph and everything the load read
are stored in .dodo.db; a later run whose inputs are unchanged answers from
the store without starting the interpreter. DODO_DEBUG_LOAD=1 makes dodo say
on stderr when Python starts ("dodo: load: python started") and why a
stored graph is not used; these tests use that as the proof.

Every change the load could see must be noticed: editing dodo.py, editing a
module it imports, adding a file to a folder it globs, a command-line
variable, an environment variable it read, a file it tested for, the
configuration files. And the fast answer must print exactly what the normal
run prints, and what doit prints."""

import os
import shutil
import sqlite3
import subprocess

import pytest

PY_STARTED = "dodo: load: python started"
DEBUG = {"DODO_DEBUG_LOAD": "1"}


class Run:
    """One dodo run: stdout, stderr without the debug lines, whether Python
    started, the debug lines."""

    def __init__(self, r):
        self.returncode = r.returncode
        self.stdout = r.stdout
        lines = r.stderr.splitlines(True)
        self.debug = "".join(l for l in lines if l.startswith("dodo: load: "))
        self.stderr = "".join(l for l in lines if not l.startswith("dodo: load: "))
        self.python = PY_STARTED in self.debug

    def __repr__(self):
        return "rc=%s\n--- stdout\n%s--- stderr\n%s--- debug\n%s" % (
            self.returncode, self.stdout, self.stderr, self.debug)


def run(project, *args, env=None):
    e = dict(DEBUG)
    e.update(env or {})
    r = Run(project.run(*args, env=e))
    assert r.returncode == 0, r
    return r


def settle(project, *args, env=None):
    """Run until a run starts no Python (at most 3 runs: the first executes
    and stores, the next may reload once because the first changed a listed
    folder); returns that fast run."""
    for _ in range(3):
        r = run(project, *args, env=env)
        if not r.python:
            return r
    pytest.fail("the no-op never answered without Python:\n%r" % (r,))


def no_python(project, *args, env=None):
    r = run(project, *args, env=env)
    assert not r.python, r
    return r


def with_python(project, *args, env=None):
    r = run(project, *args, env=env)
    assert r.python, r
    return r


BUILD = """
import glob
import os
from doit import get_var

def task_copy():
    for src in sorted(glob.glob('src/*.txt')):
        yield {'name': os.path.basename(src),
               'actions': ['cp %(dependencies)s %(targets)s'],
               'file_dep': [src], 'targets': [src[:-4] + '.out']}

def task_join():
    return {'actions': ['cat src/*.out > all.txt'],
            'file_dep': sorted(glob.glob('src/*.txt')),
            'targets': ['all.txt'], 'task_dep': ['copy']}
"""


def build_project(project):
    project.dodo(BUILD)
    project.write("src/a.txt", "a\n")
    project.write("src/b.txt", "b\n")
    return project


# --- (a) the second run of an up-to-date project starts no Python ---------------

def test_second_noop_starts_no_python(project):
    build_project(project)
    first = with_python(project)
    assert ".  copy:a.txt" in first.stdout
    fast = settle(project)
    assert fast.stdout == "-- copy:a.txt\n-- copy:b.txt\n-- join\n"
    assert fast.stderr == ""
    again = no_python(project)
    assert again.stdout == fast.stdout


def test_one_task_asked_for(project):
    build_project(project)
    settle(project)
    r = no_python(project, "join")
    assert r.stdout == "-- copy:a.txt\n-- copy:b.txt\n-- join\n"
    r = no_python(project, "copy:b.txt")
    assert r.stdout == "-- copy:b.txt\n"
    r = no_python(project, "run", "src/a.out")   # a target
    assert r.stdout == "-- copy:a.txt\n"


def test_a_task_to_execute_loads_and_runs_it(project):
    build_project(project)
    settle(project)
    project.write("src/a.txt", "A\n")
    r = with_python(project)
    assert r.stdout == ".  copy:a.txt\n-- copy:b.txt\n.  join\n"
    assert project.read("all.txt") == "A\nb\n"
    assert "the stored graph is current" in r.debug   # the check passed, the run needed Python
    no_python(project)


# --- (b) every change the load could see is noticed ---------------------------------

def test_editing_dodo_py_is_noticed(project):
    build_project(project)
    settle(project)
    project.dodo(BUILD + """
def task_extra():
    return {'actions': ['echo extra > extra.txt'], 'targets': ['extra.txt'],
            'uptodate': [True]}
""")
    r = with_python(project)
    assert ".  extra" in r.stdout
    r = settle(project)
    assert r.stdout.endswith("-- extra\n"), r


def test_editing_an_imported_module_is_noticed(project):
    project.write("names.py", "NAMES = ['one', 'two']\n")
    project.dodo("""
        from names import NAMES

        def task_say():
            for n in NAMES:
                yield {'name': n, 'actions': ['echo %s > %s.txt' % (n, n)],
                       'targets': [n + '.txt'], 'uptodate': [True]}
    """)
    settle(project)
    assert no_python(project).stdout == "-- say:one\n-- say:two\n"
    project.write("names.py", "NAMES = ['one', 'two', 'six']\n")
    r = with_python(project)
    assert r.stdout == "-- say:one\n-- say:two\n.  say:six\n"
    assert project.read("six.txt") == "six\n"


def test_editing_a_module_in_place_within_one_clock_tick(project):
    """Same size, same mtime, same inode: a file modified within 2 s of the
    load has its contents compared too."""
    project.write("names.py", "NAMES = ['aa']\n")
    project.dodo("""
        from names import NAMES

        def task_say():
            for n in NAMES:
                yield {'name': n, 'actions': [], 'uptodate': [True]}
    """)
    settle(project)
    p = project / "names.py"
    st = p.stat()
    with open(p, "r+") as f:
        f.write("NAMES = ['bb']\n")
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert p.stat().st_ino == st.st_ino and p.stat().st_size == st.st_size
    r = with_python(project)
    assert r.stdout == "-- say:bb\n"


def test_adding_a_file_to_a_globbed_folder_is_noticed(project):
    build_project(project)
    settle(project)
    project.write("src/c.txt", "c\n")
    r = with_python(project)
    assert ".  copy:c.txt" in r.stdout and ".  join" in r.stdout
    assert project.read("all.txt") == "a\nb\nc\n"
    project.remove("src/b.txt")
    project.remove("src/b.out")
    r = with_python(project)
    assert "copy:b.txt" not in r.stdout


def test_pathlib_glob_and_listdir_are_noticed(project):
    project.dodo("""
        import os
        from pathlib import Path

        def task_p():
            for p in sorted(Path('a').glob('*.in')):
                yield {'name': p.name, 'actions': [], 'uptodate': [True]}

        def task_l():
            for n in sorted(os.listdir('b')):
                yield {'name': n, 'actions': [], 'uptodate': [True]}
    """)
    project.write("a/x.in", "")
    project.write("b/y", "")
    settle(project)
    project.write("a/z.in", "")
    assert "-- p:z.in" in with_python(project).stdout
    settle(project)
    project.write("b/w", "")
    assert "-- l:w" in with_python(project).stdout


def test_a_command_line_variable_is_noticed(project):
    project.dodo("""
        from doit import get_var

        def task_v():
            x = get_var('x', 'none')
            return {'actions': ['echo %s > v.txt' % x], 'targets': ['v.txt'],
                    'uptodate': [True], 'doc': x, 'basename': 'v' + x}
    """)
    settle(project, "x=1")
    assert no_python(project, "x=1").stdout == "-- v1\n"
    r = with_python(project, "x=2")
    assert r.stdout == "-- v2\n"
    settle(project, "x=2")
    assert with_python(project).stdout == "-- vnone\n"
    settle(project)
    assert with_python(project, "x=1").stdout == "-- v1\n"


def test_an_environment_variable_read_is_noticed(project):
    project.dodo("""
        import os

        def task_e():
            return {'basename': 'e' + os.environ.get('FLAVOUR', '-'),
                    'actions': [], 'uptodate': [True]}

        def task_f():
            return {'basename': 'f' + str('SHADE' in os.environ),
                    'actions': [], 'uptodate': [True]}
    """)
    env = {"FLAVOUR": "sweet", "SHADE": None}
    settle(project, env=env)
    assert no_python(project, env=env).stdout == "-- esweet\n-- fFalse\n"
    r = with_python(project, env={"FLAVOUR": "sour", "SHADE": None})
    assert r.stdout == "-- esour\n-- fFalse\n"
    r = with_python(project, env={"FLAVOUR": "sour", "SHADE": ""})
    assert r.stdout == "-- esour\n-- fTrue\n"
    # any other variable counts too (which ones a load reads cannot be followed
    # without the task file seeing it): one load, then the no-op again
    env = {"FLAVOUR": "sour", "SHADE": ""}
    settle(project, env=env)
    with_python(project, env=dict(env, UNRELATED_VAR="1"))
    no_python(project, env=dict(env, UNRELATED_VAR="1"))


def test_shell_bookkeeping_variables_do_not_count(project):
    """What the shell, make and systemd change from one invocation to the next
    (OLDPWD, SHLVL, _, MAKEFLAGS...) and dodo's own DODO_ knobs do not count,
    unless the task file names them."""
    project.dodo("""
        def task_e():
            return {'actions': [], 'uptodate': [True]}
    """)
    settle(project, env={"OLDPWD": "/a", "SHLVL": "1", "_": "/bin/x"})
    no_python(project, env={"OLDPWD": "/b", "SHLVL": "3", "_": "/bin/y",
                            "MAKEFLAGS": " -j2 --jobserver-auth=3,4", "DODO_XYZ": "1"})
    project.dodo("""
        import os

        def task_e():
            return {'basename': 'e' + os.environ.get('OLDPWD', '-'),
                    'actions': [], 'uptodate': [True]}
    """)
    assert settle(project, env={"OLDPWD": "/a"}).stdout == "-- e/a\n"
    assert with_python(project, env={"OLDPWD": "/b"}).stdout == "-- e/b\n"


def test_a_file_tested_for_is_noticed(project):
    project.dodo("""
        import os

        def task_opt():
            local = os.path.exists('local.cfg')
            return {'basename': 'local' if local else 'plain',
                    'actions': [], 'uptodate': [True]}
    """)
    settle(project)
    assert no_python(project).stdout == "-- plain\n"
    project.write("local.cfg", "")
    assert with_python(project).stdout == "-- local\n"


def test_a_file_read_is_noticed(project):
    project.write("version.txt", "1.0\n")
    project.dodo("""
        VERSION = open('version.txt').read().strip()

        def task_v():
            return {'basename': 'v' + VERSION, 'actions': [], 'uptodate': [True]}
    """)
    settle(project)
    project.write("version.txt", "2.0\n")
    assert with_python(project).stdout == "-- v2.0\n"


SYSTEM_SITE = """
    import site, sys

    def task_s():
        system = any(p.startswith(sys.base_prefix + '/') for p in site.getsitepackages())
        return {'basename': 'system' if system else 'isolated',
                'actions': [], 'uptodate': [True]}
"""


def set_system_site(project, cfg, on):
    """Switch include-system-site-packages of the virtualenv's pyvenv.cfg."""
    old, new = ("false", "true") if on else ("true", "false")
    text = (project / cfg).read_text()
    assert "include-system-site-packages = " + old in text, text
    project.write(cfg, text.replace("= " + old, "= " + new), dedent=False)


def test_the_virtualenvs_pyvenv_cfg_is_noticed(project, tmp_path):
    """Its include-system-site-packages decides what site puts on sys.path,
    for .venv beside dodo.py and for $VIRTUAL_ENV."""
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--without-pip", str(project / ".venv")],
                   timeout=120, check=True)
    project.dodo(SYSTEM_SITE)
    settle(project)
    assert no_python(project).stdout == "-- isolated\n"
    set_system_site(project, ".venv/pyvenv.cfg", True)
    assert with_python(project).stdout == "-- system\n"
    env = {"VIRTUAL_ENV": str(project / ".venv")}
    settle(project, env=env)
    set_system_site(project, ".venv/pyvenv.cfg", False)
    assert with_python(project, env=env).stdout == "-- isolated\n"


def test_configuration_file_is_replayed_and_noticed(project):
    build_project(project)
    project.write("doit.cfg", "[GLOBAL]\nreporter = executed-only\n")
    settle(project, "run")
    r = no_python(project, "run")
    assert r.stdout == ""
    project.write("doit.cfg", "[GLOBAL]\nreporter = console\n")
    r = with_python(project, "run")
    assert r.stdout == "-- copy:a.txt\n-- copy:b.txt\n-- join\n"


def test_task_name_alone_with_configuration_files_starts_no_python(project):
    """`dodo TASK` must know TASK is not a plugin command before running it:
    configuration files without the word "command" cannot define one, so
    they are not parsed (with Python) for that; the stored graph replays
    their settings. A file that may define one is parsed."""
    build_project(project)
    project.write("pyproject.toml", "[tool.doit]\nverbosity = 2\n")
    project.write("doit.cfg", "[GLOBAL]\nreporter = console\n")
    settle(project, "join")
    r = no_python(project, "join")
    assert r.stdout == "-- copy:a.txt\n-- copy:b.txt\n-- join\n"
    project.write("doit.cfg", "[GLOBAL]\nreporter = console\n# no COMMAND here\n")
    run(project, "join")
    r = with_python(project, "join")
    assert r.stdout == "-- copy:a.txt\n-- copy:b.txt\n-- join\n"
    assert "the stored graph is current" in r.debug, r


def test_doit_config_is_applied(project):
    project.dodo("""
        DOIT_CONFIG = {'default_tasks': ['b'], 'verbosity': 2}

        def task_a():
            return {'actions': [], 'uptodate': [True]}

        def task_b():
            return {'actions': [], 'uptodate': [True]}
    """)
    settle(project)
    assert no_python(project).stdout == "-- b\n"
    assert no_python(project, "a").stdout == "-- a\n"


# --- what still needs Python -----------------------------------------------------

def test_uptodate_callable_always_loads(project):
    project.dodo("""
        def task_c():
            return {'actions': [], 'uptodate': [lambda: True]}
    """)
    run(project)
    for _ in range(2):
        r = with_python(project)
        assert r.stdout == "-- c\n"
        assert "an uptodate callable" in r.debug


def test_task_options_load(project):
    project.dodo("""
        def task_p():
            return {'actions': ['echo %(n)s > p.txt'], 'targets': ['p.txt'],
                    'params': [{'name': 'n', 'short': 'n', 'default': '1'}],
                    'uptodate': [True]}
    """)
    run(project)
    r = with_python(project, "p", "-n", "2")
    assert r.stdout == "-- p\n"


def test_process_during_load_is_never_cached(project):
    project.dodo("""
        import subprocess
        REV = subprocess.run(['echo', 'r1'], capture_output=True, text=True).stdout.strip()

        def task_t():
            return {'basename': REV, 'actions': [], 'uptodate': [True]}
    """)
    for _ in range(3):
        r = with_python(project)
        assert r.stdout == "-- r1\n"
    assert "subprocess.Popen" in r.debug


def test_reading_sys_argv_keys_the_whole_command_line(project):
    project.dodo("""
        import sys

        def task_t():
            return {'basename': 'n%d' % len(sys.argv), 'actions': [],
                    'uptodate': [True]}
    """)
    settle(project, "run")
    no_python(project, "run")
    r = with_python(project, "run", "-v", "2")
    assert r.stdout == "-- n4\n"


@pytest.mark.parametrize("reader", [
    "import sys\nN = len(sys.argv)\n",
    "import argparse\nN = len(argparse.ArgumentParser().parse_known_args()[1])\n",
])
def test_a_module_reading_the_command_line_keys_it(project, reader):
    """The command line counts when the task file or a module it imports can
    read it (names sys.argv or a command-line parser), not only the task file."""
    project.write("helper_args.py", reader)
    project.dodo("""
        import helper_args

        def task_t():
            return {'basename': 'n%d' % (helper_args.N > 0), 'actions': [],
                    'uptodate': [True]}
    """)
    settle(project, "run")
    no_python(project, "run")
    with_python(project, "run", "-v", "2")


def test_what_the_load_printed_is_printed_again_in_order(project):
    """The no-op prints what the load wrote, stdout and stderr interleaved as
    they were written (one pipe for both here), before the task lines."""
    from conftest import base_env, dodo_command
    project.dodo("""
        import os, sys
        print("one")
        sys.stderr.write("two\\n")
        os.write(1, b"three\\n")
        os.write(2, b"four\\n")

        def task_t():
            return {'actions': ['touch t.out'], 'file_dep': ['dodo.py'],
                    'targets': ['t.out']}
    """)
    settle(project)

    def merged():
        r = subprocess.run(dodo_command(), cwd=str(project.path), env=base_env(DEBUG),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return [l for l in r.stdout.splitlines() if not l.startswith("dodo: load: ")], r
    lines, r = merged()
    assert PY_STARTED not in r.stdout, r.stdout
    assert lines == ["one", "two", "three", "four", "-- t"]


def test_damaged_store_falls_back(project):
    build_project(project)
    settle(project)
    db = sqlite3.connect(str(project / ".dodo.db"))
    db.execute("UPDATE meta SET value = X'00010203' WHERE key = 'noop.graph'")
    db.commit()
    db.close()
    r = with_python(project)
    assert r.stdout == "-- copy:a.txt\n-- copy:b.txt\n-- join\n"
    assert "damaged" in r.debug
    no_python(project)


def test_disabled_by_environment(project):
    build_project(project)
    settle(project)
    with_python(project, env={"DODO_NOOP": "0"})


def test_output_file_and_json_reporter(project):
    build_project(project)
    settle(project)
    no_python(project, "-o", "out.log")
    assert project.read("out.log") == "-- copy:a.txt\n-- copy:b.txt\n-- join\n"
    r = no_python(project, "--reporter", "json")
    assert '"name": "join"' in r.stdout and '"result": "up-to-date"' in r.stdout


def test_ignored_task_is_reported_from_the_store(project):
    build_project(project)
    settle(project)
    assert project.run("ignore", "join").returncode == 0
    r = settle(project)
    assert r.stdout == "-- copy:a.txt\n-- copy:b.txt\n!! join\n"


# --- (c) the fast answer prints what the normal run and doit print ------------------

DIFF_CASES = {
    "build": BUILD,
    "groups": """
def task_g():
    for i in range(3):
        yield {'name': str(i), 'actions': ['echo %d > g%d' % (i, i)],
               'targets': ['g%d' % i], 'uptodate': [True]}

def task_h():
    return {'actions': None, 'task_dep': ['g']}

def task__hidden():
    return {'actions': ['touch hidden'], 'targets': ['hidden'],
            'uptodate': [True]}

def task_setup_user():
    return {'actions': ['touch su'], 'targets': ['su'], 'setup': ['_hidden'],
            'file_dep': ['g0']}
""",
}


@pytest.mark.parametrize("case", sorted(DIFF_CASES))
def test_fast_output_matches_normal_and_doit(make_project, case):
    ours, normal, theirs = (make_project(n) for n in ("ours", "normal", "theirs"))
    for p in (ours, normal, theirs):
        p.dodo(DIFF_CASES[case])
        p.write("src/a.txt", "a\n")
        p.write("src/b.txt", "b\n")
    fast = settle(ours)
    for _ in range(2):
        n = run(normal, env={"DODO_NOOP": "0"})
    assert n.python
    for _ in range(2):
        d = theirs.run_doit()
        assert d.returncode == 0, d.stderr
    assert fast.stdout == n.stdout == d.stdout
    assert fast.stderr == n.stderr == d.stderr == ""


def test_native_command_failure_message_matches_doit(make_project):
    """A command template the engine expands itself (src/expand.c) fails with
    the expanded text in the message, as doit prints it."""
    text = """
def task_bad():
    return {'actions': ['cat %(dependencies)s > /dev/null && exit 3'],
            'file_dep': ['in.txt'], 'targets': ['out.txt']}
"""
    ours, theirs = make_project("ours"), make_project("theirs")
    for p in (ours, theirs):
        p.dodo(text)
        p.write("in.txt", "x\n")
    r = ours.run()
    d = theirs.run_doit()
    assert (r.returncode, r.stdout, r.stderr) == (d.returncode, d.stdout, d.stderr)
    assert "Command failed: 'cat in.txt > /dev/null && exit 3' returned 3" in r.stdout + r.stderr
