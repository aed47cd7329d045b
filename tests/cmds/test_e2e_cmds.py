"""End-to-end tests of the commands, configuration sources and reporters that
have no counterpart in doit 0.31.1 (pyproject.toml, error-only, list --sort,
forget --all, dumpdb's schema, the terminal progress line) or whose output
is dodo's own (errors doit answers with a traceback)."""

import json
import os
import pty
import select
import shutil
import subprocess

import pytest

from dodo_testlib import base_env, dodo_command

TASKS = """\
DOIT_CONFIG = {'default_tasks': ['b']}

def task_b():
    '''the b task'''
    return {'actions': ['echo B > b.txt'], 'file_dep': ['in.txt'], 'targets': ['b.txt'],
            'clean': True}

def task_a():
    return {'actions': ['echo A; exit 1'], 'file_dep': ['in.txt']}

def task_grp():
    for n in 'xy':
        yield {'name': n, 'actions': ['echo %s' % n], 'task_dep': ['b']}
"""


@pytest.fixture
def proj(project):
    project.write("in.txt", "x\n")
    project.dodo(TASKS)
    return project


def lines(text):
    """the lines of text, without trailing blanks (list pads task names)"""
    return [line.rstrip() for line in text.splitlines()]


# ------------------------------------------------------------ version / help

def test_version(proj):
    cp = proj.run("--version")
    assert cp.returncode == 0
    assert cp.stdout.startswith("dodo ")


def test_help_option_is_usage(proj):
    a, b = proj.run("--help"), proj.run("help")
    assert a.returncode == b.returncode == 0
    assert a.stdout == b.stdout
    assert "  dodo list              list tasks from dodo file" in a.stdout


def test_help_backend_says_sqlite(proj):
    cp = proj.run("help", "list")
    assert "dodo always keeps its state in SQLite" in cp.stdout


# ----------------------------------------------------------------------- list

def test_list_sort(proj):
    assert lines(proj.run("list", "-q").stdout) == ["a", "b", "grp"]
    assert lines(proj.run("list", "-q", "--sort", "definition").stdout) == ["b", "a", "grp"]
    assert lines(proj.run("list", "--sort=definition", "--all", "-q").stdout) == \
        ["b", "a", "grp", "grp:x", "grp:y"]
    cp = proj.run("list", "--sort", "size")
    assert cp.returncode == 3
    assert "Provided 'size' but available choices are: 'name', 'definition'" in cp.stderr


def test_list_template_fields(proj):
    cp = proj.run("list", "-s", "--template", "<{status}|{name:>5}|{doc}>")
    assert lines(cp.stdout) == ["<R|    a|>", "<R|    b|the b task>", "<R|  grp|>"]
    cp = proj.run("list", "--template", "{nope}")
    assert cp.returncode == 3 and "unknown field 'nope'" in cp.stderr


# --------------------------------------------------------------------- forget

def test_forget_all_and_default(proj):
    assert proj.run("b").returncode == 0
    assert proj.run("grp").returncode == 0
    cp = proj.run("forget", "--disable-default")
    assert lines(cp.stdout) == ["no tasks specified, pass task name, --enable-default or --all"]
    assert "-- b" in proj.run("b").stdout
    cp = proj.run("forget", "--disable-default", "--enable-default")
    assert lines(cp.stdout) == ["forgetting b"]
    assert ".  b" in proj.run("b").stdout
    cp = proj.run("forget", "-a")
    assert lines(cp.stdout) == ["forgetting all tasks"]
    assert ".  b" in proj.run("b").stdout
    cp = proj.run("forget", "--all", "grp")     # doit 0.36: --all wins over names
    assert lines(cp.stdout) == ["forgetting all tasks"]


def test_forget_everything_without_default_tasks(project):
    project.dodo("def task_t():\n    return {'actions': ['true'], 'file_dep': ['dodo.py']}\n")
    project.run("t")
    assert lines(project.run("forget").stdout) == ["forgetting all tasks"]
    assert ".  t" in project.run("t").stdout


# -------------------------------------------------------------------- dumpdb

def test_dumpdb(proj):
    proj.run("b")
    proj.run("ignore", "a")
    cp = proj.run("dumpdb")
    assert cp.returncode == 0
    out = lines(cp.stdout)
    assert out[0] == "dodo state file '.dodo.db' (SQLite)"
    assert out[1] == "a -> not saved, ignored"
    assert out[2] == "b -> saved (MD5Checker)"
    assert out[3] == "    values: {}"
    assert out[4].startswith("    dep in.txt: mtime_ns=") and " xxh3=" in out[4]


def test_dumpdb_db_file_option_and_missing(proj):
    proj.run("--db-file", "other.db", "b")
    cp = proj.run("dumpdb", "--db-file", "other.db")
    assert "b -> saved (MD5Checker)" in cp.stdout
    cp = proj.run("dumpdb", "--db-file", "nope.db")
    assert cp.returncode == 3
    assert "ERROR: state file 'nope.db' does not exist" in cp.stderr
    assert not (proj / "nope.db").exists()


def test_dumpdb_timestamp_checker_has_no_hash(proj):
    proj.run("--check_file_uptodate", "timestamp", "b")
    out = proj.run("dumpdb").stdout
    assert "b -> saved (TimestampChecker)" in out
    assert "xxh3=" not in out


# -------------------------------------------------------------------- strace

STRACE = shutil.which("strace")


@pytest.mark.skipif(not STRACE, reason="strace is not installed")
def test_strace_reads_and_writes(proj):
    proj.dodo(TASKS + "\ndef task_copy():\n    return {'actions': ['cp in.txt c.txt']}\n")
    cp = proj.run("strace", "copy")
    assert cp.returncode == 0, cp.stderr
    out = lines(cp.stdout)
    assert out[:2] == [".  copy", ".  strace_report"]
    assert "R %s" % (proj.path / "in.txt") in out
    assert "W %s" % (proj.path / "c.txt") in out
    assert not (proj / "strace.txt").exists()
    cp = proj.run("strace", "--keep", "b")
    assert (proj / "strace.txt").exists()


@pytest.mark.skipif(not STRACE, reason="strace is not installed")
def test_strace_all_shows_outside_files(proj):
    out = proj.run("strace", "-a", "b").stdout
    assert any(line.startswith("R /") and str(proj.path) not in line
               for line in lines(out))


def test_strace_without_strace(proj, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    cp = proj.run("strace", "b", env={"PATH": str(empty)})
    assert cp.returncode == 3
    assert "the `strace` program is not installed" in cp.stderr


def test_strace_errors(proj):
    cp = proj.run("strace")
    assert cp.returncode == 3 and "must select *one* task" in cp.stderr
    cp = proj.run("strace", "b.txt")
    assert cp.returncode == 3
    assert "strace_report. Task dependency 'b.txt' does not exist." in cp.stderr


# ------------------------------------------------------------ configuration

def test_pyproject_sections(proj):
    proj.write("pyproject.toml", """\
        [project]
        name = "demo"

        [tool.doit]
        verbosity = 2
        dep_file = "state.db"
        reporter = "executed-only"

        [tool.doit.commands.list]
        status = true
        quiet = true
        """)
    cp = proj.run("-c", "a", "b")
    assert lines(cp.stdout)[:2] == [".  a", "A"]
    assert (proj / "state.db").exists() and not (proj / ".dodo.db").exists()
    assert lines(proj.run("list").stdout) == ["R a", "U b", "R grp"]


def test_pyproject_precedence(proj):
    proj.write("pyproject.toml", """\
        [tool.doit]
        verbosity = 0
        [tool.doit.commands.run]
        verbosity = 2
        """)
    def shown(*args):   # is A's output shown live (before the failure line)?
        return lines(proj.run(*args).stdout)[1] == "A"
    assert shown("a")                       # [run] over [GLOBAL]
    assert not shown("-v", "0", "a")        # the command line first
    proj.write("doit.cfg", "[run]\nverbosity = 1\n")
    assert not shown("a")                   # doit.cfg over pyproject.toml
    proj.dodo(TASKS.replace("DOIT_CONFIG = {", "DOIT_CONFIG = {'verbosity': 2, "))
    assert shown("a")                       # DOIT_CONFIG over the files


def test_pyproject_task_parameters(project):
    project.dodo("""\
        from doit import task_params

        @task_params([{'name': 'who', 'default': 'world', 'long': 'who'}])
        def task_hello(who):
            return {'actions': ['echo hello %s' % who], 'verbosity': 2}
        """)
    project.write("pyproject.toml", '[tool.doit.tasks.hello]\nwho = "toml"\n')
    assert "hello toml" in project.run("hello").stdout
    assert "hello cli" in project.run("hello", "--who", "cli").stdout


def test_pyproject_without_doit_table_is_ignored(proj):
    proj.write("pyproject.toml", "[project]\nname = 'x'\n")
    assert proj.run("list", "-q").returncode == 0


def test_bad_configuration_files(proj):
    proj.write("pyproject.toml", "[tool.doit\n")
    cp = proj.run("list")
    assert cp.returncode == 3
    assert cp.stderr.startswith("ERROR: invalid configuration file 'pyproject.toml'")
    proj.remove("pyproject.toml")
    proj.write("doit.cfg", "no section\n")
    cp = proj.run("list")
    assert cp.returncode == 3
    assert cp.stderr.startswith("ERROR: invalid configuration file 'doit.cfg'")
    proj.write("doit.cfg", "[GLOBAL]\nverbosity = loud\n")
    assert proj.run("list").returncode == 0     # list has no verbosity option
    cp = proj.run("b")
    assert cp.returncode == 3
    assert "Error parsing parameter 'verbosity' <class 'int'>." in cp.stderr
    proj.write("doit.cfg", "[list]\nstatus = maybe\n")
    cp = proj.run("list")
    assert cp.returncode == 3 and "Not a boolean: maybe" in cp.stderr


def test_seek_file_environment(proj):
    proj.mkdir("sub")
    assert proj.run("list", "-q", cwd="sub").returncode == 3
    cp = proj.run("list", "-q", cwd="sub", env={"DOIT_SEEK_FILE": "1"})
    assert cp.returncode == 0 and "b" in lines(cp.stdout)
    cp = proj.run("list", "-q", cwd="sub", env={"DOIT_SEEK_FILE": "maybe"})
    assert cp.returncode == 3 and "Not a boolean: maybe" in cp.stderr


# ---------------------------------------------------------------- plugins

def test_plugin_command(proj):
    proj.write("mycmd.py", """\
        from doit.cmd_base import Command

        class Hello(Command):
            doc_purpose = 'say hello'
            doc_usage = '[NAME]'
            cmd_options = ({'name': 'loud', 'short': 'l', 'long': 'loud', 'type': bool,
                            'default': False, 'help': 'shout'},)

            def execute(self, opt_values, pos_args):
                text = 'hello %s' % ' '.join(pos_args)
                print(text.upper() if opt_values['loud'] else text)
                return 4 if pos_args == ['four'] else 0
        """)
    proj.write("doit.cfg", "[COMMAND]\nhello = mycmd:Hello\n")
    assert "  dodo hello             say hello" in proj.run("help").stdout
    cp = proj.run("help", "hello")
    assert "Usage:   dodo hello [NAME]" in cp.stdout and "-l, --loud" in cp.stdout
    assert proj.run("hello", "you").stdout == "hello you\n"
    assert proj.run("hello", "-l", "you").stdout == "HELLO YOU\n"
    assert proj.run("hello", "four").returncode == 4
    cp = proj.run("hello", "--nope")
    assert cp.returncode == 3 and "option --nope not recognized" in cp.stderr


def test_plugin_command_missing_module(proj):
    proj.write("doit.cfg", "[COMMAND]\nhello = nowhere:Hello\n")
    cp = proj.run("hello")
    assert cp.returncode == 3
    assert "Plugin COMMAND module `nowhere` not found." in cp.stderr


def test_plugin_reporter(proj):
    proj.write("myrep.py", """\
        from doit.reporter import ConsoleReporter

        class Loud(ConsoleReporter):
            def execute_task(self, task):
                self.write('LOUD %s\\n' % task.name)
        """)
    proj.write("doit.cfg", "[REPORTER]\nloud = myrep:Loud\n")
    cp = proj.run("-r", "loud", "b")
    assert lines(cp.stdout) == ["LOUD b"]
    proj.write("doit.cfg", "[REPORTER]\nloud = myrep:Loud\n[run]\nreporter = loud\n")
    assert lines(proj.run("-a", "b").stdout) == ["LOUD b"]


def test_unknown_reporter(proj):
    cp = proj.run("-r", "nope")
    assert cp.returncode == 3
    assert ("Provided 'nope' but available choices are: 'console', 'executed-only', "
            "'json', 'zero', 'error-only'.") in cp.stderr


# --------------------------------------------------------------- reporters

def test_error_only_reporter(proj):
    cp = proj.run("-r", "error-only", "-c", "a", "b", "grp")
    assert cp.returncode == 1
    assert lines(cp.stdout) == ["taskid:a - TaskFailed",
                                "Command failed: 'echo A; exit 1' returned 1", ""]
    cp = proj.run("-r", "error-only", "b")
    assert cp.returncode == 0 and cp.stdout == ""


def test_json_reporter_escapes_as_python(project):
    project.dodo("""\
        def task_u():
            return {'actions': ['printf "caf\\\\303\\\\251 \\\\360\\\\237\\\\230\\\\200 \\\\001"']}
        """)
    cp = project.run("-r", "json")
    assert cp.returncode == 0, cp.stderr
    assert '"out": "caf\\u00e9 \\ud83d\\ude00 \\u0001"' in cp.stdout
    assert json.loads(cp.stdout)["tasks"][0]["out"] == "caf\u00e9 \U0001F600 \x01"


def test_json_reporter_captures_everything(project):
    project.dodo("""\
        import sys
        print('loading')
        def task_t():
            return {'actions': ['echo out; echo err >&2'], 'verbosity': 2}
        """)
    cp = project.run("-r", "json")
    data = json.loads(cp.stdout.split("\n", 1)[1])
    assert cp.stdout.startswith("loading\n")
    assert data["out"] == "out\n" and data["err"] == "err\n"
    assert cp.stderr == ""


def test_custom_reporter_output_file(proj):
    proj.write("rep.py", "")
    proj.dodo(TASKS + """
from doit.reporter import ConsoleReporter
class R(ConsoleReporter):
    def execute_task(self, task):
        self.write('R %s\\n' % task.name)
DOIT_CONFIG['reporter'] = R
""")
    cp = proj.run("-o", "out.log", "b")
    assert cp.stdout == ""
    assert proj.read("out.log") == "R b\n"


# -------------------------------------------------- terminal: progress, colour

def run_tty(proj, *args, env=None, rows=24, cols=80):
    """Run dodo on a pseudo-terminal of rows x cols; returns (exit code, output)."""
    import fcntl
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    e = base_env({"TERM": "xterm"})
    e.update(env or {})
    p = subprocess.Popen(dodo_command() + list(args), cwd=str(proj.path),
                         stdin=slave, stdout=slave, stderr=slave, env=e)
    os.close(slave)
    out = b""
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            p.kill()
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:     # the terminal closed: the child is gone
            break
        if not chunk:
            break
        out += chunk
    p.wait(timeout=30)
    os.close(master)
    return p.returncode, out.decode(errors="replace")


def test_tty_progress_and_colour(proj):
    rc, out = run_tty(proj, "-c", "a", "b", "grp", rows=20)
    assert rc == 1
    assert "\x1b[1;19r" in out                    # last row kept out of the scrolling region
    assert "\x1b[20;1H\x1b[2K\x1b[7m[" in out     # the progress line is drawn there
    assert "[0/5] a" in out and "/5]" in out
    assert "\x1b[1;32m.  a\x1b[0m" in out         # coloured task lines
    assert "\x1b[1;31mTaskFailed - taskid:a\x1b[0m" in out
    assert out.rstrip().endswith("a <stdout>:\r\nA")   # summary after the region is reset
    assert "\x1b[1;20r" in out                    # the whole screen given back


def test_tty_nothing_runs_no_progress(proj):
    proj.run("b")
    rc, out = run_tty(proj, "b")
    assert rc == 0
    assert "\x1b[2m-- b\x1b[0m" in out
    assert "r\x1b8" not in out and "\x1b[7m" not in out


def test_tty_no_color(proj):
    rc, out = run_tty(proj, "-c", "a", "b", env={"NO_COLOR": "1"})
    assert rc == 1
    assert "\x1b" not in out
    assert ".  a\r\n" in out


def test_tty_dumb_terminal(proj):
    rc, out = run_tty(proj, "b", env={"TERM": "dumb"})
    assert "\x1b" not in out


def test_not_a_terminal_plain(proj):
    cp = proj.run("-c", "a", "b")
    assert "\x1b" not in cp.stdout + cp.stderr
