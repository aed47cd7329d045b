"""dodo-only: a task whose actions began and did not finish is never up to
date afterwards, whoever stopped the run (SIGINT, SIGTERM, SIGKILL) and even
when the state file could not be written (a full disk).

The action writes the first 100 bytes of its target, creates t.part (the
barrier), then waits for a `release` file (given up after ~20 s: the action
then fails) before writing the rest. Nothing sleeps to let time pass.
"""

import os
import signal

import pytest

from interrupt_support import (ACTION, built, check_diskfull, diskfull_trials, interrupted,
                               logs)


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


def test_unmet_dependency_keeps_the_mark(project):
    """A task marked by an unfinished run, then not run because a task it
    depends on fails: its mark stays (its actions did not run), so it runs
    once the dependency is fixed, even with uptodate True and its target
    present."""
    project.dodo("""
        def task_d():
            return {'actions': ['test -e d.ok']}

        def task_t():
            return {'actions': [%r], 'targets': ['t'], 'uptodate': [True],
                    'task_dep': ['d']}
    """ % ACTION)
    project.write_bytes("s", os.urandom(5000))
    project.write("d.ok", "")
    project.write("release", "")
    assert project.run().stdout == ".  d\n.  t\n"
    for name in ("release", "t.part", "t"):
        project.remove(name)
    interrupted(project, signal.SIGKILL, group=True)
    project.remove("d.ok")
    r = project.run("--continue")
    assert r.returncode == 1 and "UnmetDependency - taskid:t" in r.stdout, r.stdout + r.stderr
    project.write("d.ok", "")
    project.write("release", "")
    r = project.run()
    assert r.stdout == ".  d\n.  t\n", r.stdout + r.stderr
    assert (project / "t").read_bytes() == (project / "s").read_bytes()


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
