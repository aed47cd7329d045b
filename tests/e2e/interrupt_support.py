"""Helpers of the interrupt tests (test_unfinished.py, test_interrupt_harness.py):
a task whose action rewrites its target in two parts around a barrier,
signals to dodo or its group, and disk-full trials in a mount namespace
(diskfull_trials.py)."""

import json
import os
import signal
import subprocess
import time
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


def interrupt(project, sig, group, args=(), hang_guard=DEADLINE):
    """Run dodo with args until the action wrote its first part, send sig to
    dodo's process group or to dodo alone and wait (up to hang_guard
    seconds) for dodo to end; then kill whatever is left of the group, so t
    stays partial. Returns dodo's Popen and whether the hang guard ended it."""
    proc = project.popen(*args)
    hung = False
    try:
        wait_for(project / "t.part", proc)
        (os.killpg if group else os.kill)(proc.pid, sig)
        try:
            proc.wait(timeout=hang_guard)
        except subprocess.TimeoutExpired:
            hung = True
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    wait_group_gone(proc.pid)
    return proc, hung


def interrupted(project, sig, group):
    """interrupt() with no hang allowed; t must be partial afterwards."""
    proc, hung = interrupt(project, sig, group)
    assert not hung, "dodo did not end within %ss of the signal\n%s" % (DEADLINE, logs(proc))
    assert (project / "t").read_bytes() != (project / "s").read_bytes()
    return proc


def wait_group_gone(pgid):
    """Until no live process of the group is left (zombies do not write)."""
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
