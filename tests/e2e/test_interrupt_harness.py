"""A seeded harness of interrupted, killed and disk-full runs (dodo-only).

Each signal trial: the target t is built whole from s; something makes it
out of date (t removed, s changed, s changed and then restored before the
next run, or `-a`); dodo starts; once the action wrote the first part of t
(the barrier file t.part), a signal goes to dodo's process group or to dodo
alone (SIGINT, SIGTERM or SIGKILL); whatever is left of the group is killed,
so t stays partial; the next run must make t whole again and equal to s,
never say `-- t` about the partial one. Disk-full trials (diskfull_trials.py)
run in a tmpfs in a mount namespace, skipped where that is not allowed.

    DODO_HARNESS_TRIALS=200   signal trials (default 12; disk-full: a quarter)
    DODO_HARNESS_SEED=N       repeat a run (the seed is printed and in failures)

A signal to dodo alone relies on dodo stopping its running jobs itself; a
dodo that does not end within the hang guard (40 s) has its group killed and
the trial goes on (the hang is reported, not failed).
"""

import os
import random
import signal

import pytest

from interrupt_support import DODO, check_diskfull, diskfull_trials, interrupt, logs

TRIALS = int(os.environ.get("DODO_HARNESS_TRIALS") or 12)
SEED = int(os.environ.get("DODO_HARNESS_SEED") or random.SystemRandom().randrange(2 ** 32))
HANG_GUARD = 40

SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGKILL]
TRIGGERS = ["rm", "change", "flip", "always"]
ARGS = [(), ("-n", "2"), ("-n", "2", "-P", "thread")]


def build(project, ctx):
    """Make t whole (the release file lets the action finish)."""
    project.write("release", "")
    r = project.run()
    assert r.returncode == 0, ctx + r.stdout + r.stderr
    assert (project / "t").read_bytes() == (project / "s").read_bytes(), ctx + r.stdout
    project.remove("release")
    project.remove("t.part")


def trigger(project, rng, how):
    """Make t out of date; returns the bytes s must hold for the next run."""
    if how == "rm":
        project.remove("t")
    elif how in ("change", "flip"):
        old = (project / "s").read_bytes()
        project.write_bytes("s", rng.randbytes(rng.randrange(200, 50000)))
        return old if how == "flip" else None
    return None


def signal_trial(project, rng, i, hangs):
    sig, group = rng.choice(SIGNALS), rng.random() < 0.5
    how, args = rng.choice(TRIGGERS), rng.choice(ARGS)
    ctx = "seed %d trial %d: %s to %s, %s, args %s\n" % (
        SEED, i, signal.Signals(sig).name, "group" if group else "dodo", how, list(args))
    build(project, ctx)
    restore = trigger(project, rng, how)
    proc, hung = interrupt(project, sig, group, args + (("-a",) if how == "always" else ()),
                           hang_guard=HANG_GUARD)
    if hung:
        assert not group, ctx + "dodo did not end after the signal\n" + logs(proc)
        hangs.append(ctx.strip())
    assert (project / "t").read_bytes() != (project / "s").read_bytes(), ctx + "t is whole"
    if restore is not None:
        project.write_bytes("s", restore)
    project.write("release", "")
    r = project.run()
    assert r.returncode == 0, ctx + r.stdout + r.stderr
    assert (project / "t").read_bytes() == (project / "s").read_bytes(), \
        ctx + "the partial target was taken as up to date:\n" + r.stdout + logs(proc)
    project.remove("release")
    return ctx


def test_signal_trials(project):
    """TRIALS seeded trials of signals during a re-run."""
    rng = random.Random(SEED)
    print("interrupt harness: DODO_HARNESS_SEED=%d, %d signal trials" % (SEED, TRIALS))
    project.dodo(DODO)
    project.write_bytes("s", rng.randbytes(rng.randrange(200, 50000)))
    hangs = []
    for i in range(TRIALS):
        signal_trial(project, rng, i, hangs)
    if hangs:
        print("dodo did not end within %ss of a signal to it alone (group killed):\n  %s"
              % (HANG_GUARD, "\n  ".join(hangs)))


def test_diskfull_trials(tmp_path):
    """A quarter as many seeded disk-full trials (at least 2)."""
    n = max(2, (TRIALS + 3) // 4)
    print("interrupt harness: DODO_HARNESS_SEED=%d, %d disk-full trials" % (SEED, n))
    results = diskfull_trials(tmp_path, SEED, n)
    failures = ["seed %d trial %d: %s" % (SEED, i, f)
                for i, f in enumerate(map(check_diskfull, results)) if f]
    assert len(results) == n, results
    assert not failures, "\n".join(failures)
