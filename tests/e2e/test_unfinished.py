"""dodo-only: a task whose actions began and did not finish is never up to
date afterwards, whoever stopped the run (SIGINT, SIGTERM, SIGKILL) and even
when the state file could not be written (a full disk).

The action writes the first 100 bytes of its target, creates t.part (the
barrier), then waits for a `release` file (given up after ~20 s: the action
then fails) before writing the rest. Nothing sleeps to let time pass.
"""

import json
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from dodo_testlib import base_env, dodo_command

DEADLINE = 60

ACTION = ("{ head -c 100 s; touch t.part; i=0; "
          "while [ ! -e release ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; "
          "[ -e release ] && tail -c +101 s; } > t")

DODO = """
def task_t():
    return {'actions': [%r], 'file_dep': ['s'], 'targets': ['t']}
""" % ACTION

HELPER = Path(__file__).resolve().parent / "diskfull_trials.py"


def wait_for(path, proc):
    import time
    end = time.monotonic() + DEADLINE
    while not path.exists():
        if proc.poll() is not None:
            pytest.fail("dodo exited (%s) before %s appeared\n%s"
                        % (proc.returncode, path, logs(proc)))
        if time.monotonic() > end:
            pytest.fail("%s did not appear within %ss" % (path, DEADLINE))
        time.sleep(0.02)


def logs(proc):
    d = proc.log_dir
    return "--- stdout\n%s--- stderr\n%s" % ((d / "stdout").read_text(),
                                            (d / "stderr").read_text())


def finish(proc):
    try:
        proc.wait(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        pytest.fail("dodo did not finish within %ss\n%s" % (DEADLINE, logs(proc)))
    return proc.returncode


def built(project):
    """A project whose t was built from s, then removed (t is out of date while
    the success saved for the unchanged s stays)."""
    project.dodo(DODO)
    project.write_bytes("s", os.urandom(5000))
    project.write("release", "")
    r = project.run()
    assert r.returncode == 0 and r.stdout == ".  t\n", r.stdout + r.stderr
    project.remove("release")
    project.remove("t.part")
    project.remove("t")
    return project


def interrupted(project, sig, group):
    """Run dodo until the action wrote its first part, send sig to dodo's
    process group or to dodo alone, wait for it to end; any process of the
    action left is killed, so t stays partial."""
    proc = project.popen()
    try:
        wait_for(project / "t.part", proc)
        (os.killpg if group else os.kill)(proc.pid, sig)
        finish(proc)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    wait_group_gone(proc.pid)
    assert (project / "t").read_bytes() != (project / "s").read_bytes()
    return proc


def wait_group_gone(pgid):
    """Until no live process of the group is left (zombies do not write)."""
    import time
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        live = False
        for d in Path("/proc").iterdir():
            try:
                stat = (d / "stat").read_text()
            except (OSError, ValueError):
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[2] == str(pgid) and fields[0] != "Z":
                live = True
                break
        if not live:
            return
        time.sleep(0.02)
    pytest.fail("the processes of group %d did not end" % pgid)


def rebuilt(project):
    """The next run executes t again and makes it whole; the one after is a no-op."""
    project.write("release", "")
    r = project.run()
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == ".  t\n", "a partial target was taken as up to date: " + r.stdout
    assert (project / "t").read_bytes() == (project / "s").read_bytes()
    r = project.run()
    assert r.returncode == 0 and r.stdout == "-- t\n", r.stdout + r.stderr


def test_sigint_to_dodo_during_rerun(project):
    """SIGINT to dodo alone while the action rewrites its target: dodo stops
    the action; the success saved before must not make the partial target
    up to date; dumpdb and info say the last run did not finish."""
    built(project)
    proc = interrupted(project, signal.SIGINT, group=False)
    assert proc.returncode == -signal.SIGINT, logs(proc)
    dump = project.run("dumpdb")
    assert "t -> saved (MD5Checker), unfinished" in dump.stdout, dump.stdout
    info = project.run("info", "t")
    assert info.returncode == 1, info.stdout + info.stderr
    assert "status     : run" in info.stdout, info.stdout
    assert "did not finish" in info.stdout, info.stdout
    rebuilt(project)
    dump = project.run("dumpdb")
    assert "t -> saved (MD5Checker)\n" in dump.stdout, dump.stdout


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_signal_to_group_during_rerun(project, sig):
    """The signal to the whole group (Ctrl-C on a terminal): the action and
    dodo get it at once, in either order."""
    built(project)
    interrupted(project, sig, group=True)
    rebuilt(project)


def test_sigkill_during_rerun(project):
    """SIGKILL of dodo and its action: nothing could be saved after the
    action started, so what was saved before it started must say so."""
    built(project)
    proc = interrupted(project, signal.SIGKILL, group=True)
    assert proc.returncode == -signal.SIGKILL, logs(proc)
    rebuilt(project)


def test_sigkill_of_dodo_alone_during_rerun(project):
    """SIGKILL of dodo alone; the action, orphaned, is killed afterwards."""
    built(project)
    interrupted(project, signal.SIGKILL, group=False)
    rebuilt(project)


def test_commands_on_unfinished_task(project):
    """reset-dep takes the files as they are (the user says so): the mark
    goes; ignore skips the task, mark or not; forget drops it."""
    built(project)
    interrupted(project, signal.SIGKILL, group=True)
    r = project.run("ignore", "t")
    assert r.returncode == 0, r.stderr
    assert project.run().stdout == "!! t\n"
    dump = project.run("dumpdb").stdout
    assert "t -> saved (MD5Checker), ignored, unfinished" in dump, dump
    assert project.run("forget", "t").returncode == 0
    dump = project.run("dumpdb").stdout
    assert "t ->" not in dump, dump
    interrupted(project, signal.SIGKILL, group=True)
    r = project.run("reset-dep", "t")
    assert r.returncode == 0 and r.stdout == "processed t\n", r.stdout + r.stderr
    assert "unfinished" not in project.run("dumpdb").stdout
    assert project.run().stdout == "-- t\n"


def test_failed_rerun_keeps_doit_semantics(project):
    """A failure that is saved clears the mark as doit's remove_success does:
    a task with uptodate True and no file_dep stays up to date after it."""
    project.dodo("""
        import os
        def task_u():
            return {'actions': ['test -e ok'], 'uptodate': [True]}
    """)
    r = project.run("-a")
    assert r.returncode == 1, r.stdout + r.stderr
    doit = project.run_doit("-a")
    assert doit.returncode == 1
    assert project.run().stdout == project.run_doit().stdout == "-- u\n"
    assert "unfinished" not in project.run("dumpdb").stdout


def unshare_prefix():
    """The unshare arguments that give this process a mount namespace it may
    mount a tmpfs in, or None."""
    for argv in (["unshare", "-m"], ["unshare", "-Urm"]):
        try:
            r = subprocess.run(argv + ["true"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=DEADLINE)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if r.returncode == 0:
            return argv
    return None


def diskfull_trials(tmp_path, seed, trials, leaves=None):
    """Run diskfull_trials.py in a mount namespace; its results, or skip."""
    prefix = unshare_prefix()
    if prefix is None:
        pytest.skip("no mount namespace for a tmpfs (unshare -m / -Urm not allowed here)")
    top = tmp_path / "tmpfs"
    top.mkdir()
    argv = prefix + ["/usr/bin/python3", str(HELPER), str(top), str(seed), str(trials),
                     json.dumps(dodo_command())]
    if leaves:
        argv.append(",".join(str(k) for k in leaves))
    r = subprocess.run(argv, env=base_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=DEADLINE * max(trials, len(leaves or [])))
    assert r.returncode == 0, r.stdout + r.stderr
    res = [json.loads(line) for line in r.stdout.splitlines()]
    if res and "skip" in res[0]:
        pytest.skip(res[0]["skip"])
    return res


def check_diskfull(res):
    """The invariants of one disk-full trial; returns a failure text or None."""
    what = json.dumps({k: res[k] for k in ("leave_kb", "trigger", "full", "row_after_full")})
    if res["build"]["rc"] != 0:
        return "the first build failed: " + what
    full = res["full"]
    if full["rc"] == 0 and not res["full_complete"]:
        return "a run with a full disk succeeded with a partial target: " + what
    if res["row_after_full"] and res["row_after_full"][1] == 1 and \
            "state file '.dodo.db'" not in full["err"]:
        return "the failure could not be saved and dodo did not say so: " + what
    if res["again"]["rc"] != 0 or not res["again_complete"]:
        return "after freeing the space the target is not whole: %s %s" % (
            what, json.dumps(res["again"]))
    if res["third"]["out"] != "-- t\n":
        return "not up to date after a whole build: " + json.dumps(res["third"])
    return None


def test_disk_full_during_rerun(tmp_path):
    """A full disk while t is rebuilt (t truncated, the state file not
    writable, or both): once the space is back, t is rebuilt whole. A run
    that cannot save a task's failure exits non-zero and names the state
    file. The space left ranges from none (the state file does not open)
    to room for the state file but not for t."""
    results = diskfull_trials(tmp_path, 0, 0, [0, 16, 32, 40, 64, 100, 200])
    failures = [f for f in map(check_diskfull, results) if f]
    assert not failures, "\n".join(failures)
    assert all(r["full"]["rc"] != 0 for r in results), results
