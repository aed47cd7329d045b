"""dodo-only: a signal that stops dodo (SIGINT, SIGTERM, SIGHUP) stops the
commands it runs, with everything they started, whether it was sent to dodo
alone (as `timeout`, systemd, CI runners and IDEs send it) or to its whole
process group (as a terminal's Ctrl-C is); dodo then exits by that signal, and
a task that had started is not up to date afterwards.

Every command writes its pid and its child's to files, the barrier the test
waits for before it sends the signal; the timeouts are only hang guards. A
process that is gone or a zombie counts as ended.
"""

import os
import pty
import select
import signal
import subprocess
import time

import pytest

from dodo_testlib import dodo_command, base_env

GUARD = 20

# The shell starts a child that keeps the output pipe open, then waits for it.
BLOCK = "sleep 100000 & echo $! > {name}.child; echo $$ > {name}.pid; wait"

SHELL_TASKS = '''
BLOCK = %r

def task_a():
    return {'actions': [BLOCK.format(name='a')]}

def task_b():
    return {'actions': [BLOCK.format(name='b')]}
''' % BLOCK

PYTHON_TASKS = '''
import os, subprocess

def block(name):
    child = subprocess.Popen(['sleep', '100000'])
    with open(name + '.child', 'w') as f:
        f.write(str(child.pid))
    with open(name + '.pid', 'w') as f:
        f.write(str(os.getpid()))
    child.wait()

def task_a():
    return {'actions': [(block, ['a'])]}

def task_b():
    return {'actions': [(block, ['b'])]}
'''


def ended(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except FileNotFoundError:
        return True
    return stat[stat.rfind(")") + 2] == "Z"


def wait_for_pids(project, proc, names):
    """The pids (command and its child) of the tasks in names, once written."""
    end = time.monotonic() + GUARD
    pids = []
    for name in names:
        for kind in ("pid", "child"):
            path = project / ("%s.%s" % (name, kind))
            while not (path.exists() and path.read_text().strip()):
                if proc.poll() is not None:
                    pytest.fail("dodo ended early: %s\n%s" % (proc.returncode, logs(proc)))
                if time.monotonic() > end:
                    pytest.fail("the tasks did not start\n%s" % logs(proc))
                time.sleep(0.02)
            pids.append(int(path.read_text()))
    return pids


def logs(proc):
    return "--- stdout\n%s\n--- stderr\n%s" % (
        (proc.log_dir / "stdout").read_text(), (proc.log_dir / "stderr").read_text())


def kill_leftovers(pids):
    for pid in pids:
        if not ended(pid):
            os.kill(pid, signal.SIGKILL)


def stop(proc, sig, to_group):
    if to_group:
        os.killpg(proc.pid, sig)
    else:
        os.kill(proc.pid, sig)
    try:
        return proc.wait(timeout=GUARD)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail("dodo did not exit after signal %d\n%s" % (sig, logs(proc)))


SIGNALS = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP]
JOBS = [[], ["-n", "2"]]


@pytest.mark.parametrize("to_group", [False, True], ids=["alone", "group"])
@pytest.mark.parametrize("jobs", JOBS, ids=["serial", "n2"])
@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_signal_stops_commands_and_their_children(project, sig, jobs, to_group):
    project.dodo(SHELL_TASKS)
    names = ["a", "b"] if jobs else ["a"]
    p = project.popen(*jobs)
    pids = wait_for_pids(project, p, names)
    try:
        rc = stop(p, sig, to_group)
        assert rc == -sig, logs(p)
        assert [pid for pid in pids if not ended(pid)] == [], logs(p)
    finally:
        kill_leftovers(pids)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_forked_python_actions_are_stopped(project, sig):
    """-P process: each Python action runs in a forked copy of dodo."""
    project.dodo(PYTHON_TASKS)
    p = project.popen("-n", "2", "-P", "process")
    pids = wait_for_pids(project, p, ["a", "b"])
    try:
        rc = stop(p, sig, False)
        assert rc == -sig, logs(p)
        assert [pid for pid in pids if not ended(pid)] == [], logs(p)
    finally:
        kill_leftovers(pids)


def test_a_stopped_task_is_not_up_to_date(project):
    """Its saved success goes: the next run executes it (doit would find the
    success of the run before and skip it)."""
    # no child left holding the pipe: dodo stopped it before the change too
    project.dodo('''
        def task_t():
            return {'actions': ['if [ -e block ]; then echo $$ > t.child; '
                                'echo $$ > t.pid; exec sleep 100000; fi; '
                                'cp in.txt out.txt'],
                    'file_dep': ['in.txt'], 'targets': ['out.txt']}
        ''')
    project.write("in.txt", "1")
    assert project.run().returncode == 0
    assert project.run().stdout.splitlines() == ["-- t"]
    project.write("block", "")
    p = project.popen("-a")
    pids = wait_for_pids(project, p, ["t"])
    try:
        assert stop(p, signal.SIGTERM, False) == -signal.SIGTERM
    finally:
        kill_leftovers(pids)
    project.remove("block")
    r = project.run()
    assert r.returncode == 0
    assert r.stdout.splitlines() == [".  t"]


# ---- dodo in the foreground of a terminal -------------------------------------
# Its commands stay in its process group, as doit's: they read the terminal
# and get its Ctrl-C themselves.

def spawn_in_terminal(project, *args):
    """dodo as a session leader on a new pseudo-terminal, in its foreground."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.chdir(project.path)
            argv = dodo_command() + list(args)
            os.execve(argv[0], argv, base_env())
        finally:
            os._exit(127)
    return pid, fd


def read_until(fd, pid, want, out):
    """Read the terminal into out until want shows (or dodo ends)."""
    end = time.monotonic() + GUARD
    while want not in out[0] and time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                out[0] += os.read(fd, 4096).decode(errors="replace")
            except OSError:
                break
    assert want in out[0], out[0]


def wait_status(pid, fd):
    """dodo's returncode as subprocess reports it (draining the terminal)."""
    end = time.monotonic() + GUARD
    while time.monotonic() < end:
        got, status = os.waitpid(pid, os.WNOHANG)
        if got:
            os.close(fd)
            return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                os.read(fd, 4096)
            except OSError:
                pass
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(fd)
    pytest.fail("dodo did not exit")


def test_a_command_reads_the_terminal(project):
    project.dodo('''
        def task_ask():
            return {'actions': ['echo "name?"; read name; echo "$name" > got.txt'],
                    'verbosity': 2}
        ''')
    pid, fd = spawn_in_terminal(project)
    out = [""]
    read_until(fd, pid, "name?", out)
    os.write(fd, b"dodo\n")
    assert wait_status(pid, fd) == 0
    assert project.read("got.txt") == "dodo\n"


@pytest.mark.parametrize("key", ["ctrl-c", "sigterm"])
def test_stopped_in_a_terminal(project, key):
    """Ctrl-C reaches the command from the terminal, a SIGTERM to dodo alone
    from dodo, and dodo ends even though the command's child (in the
    background of a shell script, it ignores SIGINT; in dodo's group, dodo
    cannot tell it from the other processes there) keeps the pipe open."""
    project.dodo(SHELL_TASKS)
    pid, fd = spawn_in_terminal(project, "a")
    pids = []
    try:
        end = time.monotonic() + GUARD
        while not (project.exists("a.pid") and project.exists("a.child")
                   and project.read("a.child").strip()):
            assert time.monotonic() < end, "the task did not start"
            time.sleep(0.02)
        pids = [int(project.read("a.pid")), int(project.read("a.child"))]
        if key == "ctrl-c":
            os.write(fd, b"\x03")
            assert wait_status(pid, fd) == -signal.SIGINT
        else:
            os.kill(pid, signal.SIGTERM)
            assert wait_status(pid, fd) == -signal.SIGTERM
        assert ended(pids[0])
    finally:
        kill_leftovers(pids)
