"""Disk-full trials of dodo, run inside a private mount namespace.

Not a test module: tests/e2e/test_unfinished.py and test_interrupt_harness.py
run it as `unshare -m python3 diskfull_trials.py ...` (or `unshare -Urm`).
It mounts a 4 MB tmpfs on DIR and, for each trial, in a fresh folder there:
builds task t (t is a copy of s) with a first s, gets t out of date
(removes it, or changes s), fills the file system until LEAVE KB are left,
runs dodo, frees the space, restores the first s for a "flip" trial, then
runs dodo twice. One JSON object per trial on stdout; the caller asserts.

    diskfull_trials.py DIR SEED TRIALS DODO_ARGV_JSON [LEAVE_KB,...]

With LEAVE_KB given, one trial per value (trigger "rm"); otherwise LEAVE and
the trigger are drawn from SEED.
"""

import json
import os
import random
import sqlite3
import subprocess
import sys

DODO_PY = """
def task_t():
    return {'actions': ['cat s > t'], 'file_dep': ['s'], 'targets': ['t']}
"""
TIMEOUT = 60


def run(dodo, cwd, *args):
    r = subprocess.run(dodo + list(args), cwd=cwd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       errors="replace", timeout=TIMEOUT)
    return {"rc": r.returncode, "out": r.stdout, "err": r.stderr}


def fill(path, leave_kb):
    """Write path until only leave_kb KB are left on its file system."""
    st = os.statvfs(os.path.dirname(path))
    size = st.f_bavail * st.f_frsize - leave_kb * 1024
    with open(path, "wb") as f:
        try:
            f.write(b"\0" * max(size, 0))
        except OSError:
            pass


def saved_row(folder):
    """(saved, started) of task t in the state file, or None if unreadable."""
    try:
        con = sqlite3.connect("file:%s/.dodo.db?mode=ro" % folder, uri=True)
        try:
            return list(con.execute("SELECT saved, started FROM task WHERE name = 't'")
                        .fetchone() or [])
        finally:
            con.close()
    except sqlite3.Error:
        return None


def trial(dodo, folder, rng, leave_kb, trigger):
    os.mkdir(folder)
    first = rng.randbytes(rng.randrange(100_000, 300_000))
    second = rng.randbytes(rng.randrange(100_000, 300_000))
    with open(os.path.join(folder, "dodo.py"), "w") as f:
        f.write(DODO_PY)
    with open(os.path.join(folder, "s"), "wb") as f:
        f.write(first)
    res = {"leave_kb": leave_kb, "trigger": trigger, "build": run(dodo, folder)}
    if trigger == "rm":
        os.unlink(os.path.join(folder, "t"))
    else:
        with open(os.path.join(folder, "s"), "wb") as f:
            f.write(second)
    want_full = first if trigger == "rm" else second
    filler = os.path.join(folder, "fill")
    fill(filler, leave_kb)
    res["full"] = run(dodo, folder)
    res["full_complete"] = open(os.path.join(folder, "t"), "rb").read() == want_full \
        if os.path.exists(os.path.join(folder, "t")) else False
    os.unlink(filler)
    res["row_after_full"] = saved_row(folder)      # read only, with room to read
    if trigger == "flip":
        with open(os.path.join(folder, "s"), "wb") as f:
            f.write(first)
    want = first if trigger in ("rm", "flip") else second
    res["again"] = run(dodo, folder)
    res["again_complete"] = open(os.path.join(folder, "t"), "rb").read() == want \
        if os.path.exists(os.path.join(folder, "t")) else False
    res["third"] = run(dodo, folder)
    # leave room for the next trial
    for name in os.listdir(folder):
        os.unlink(os.path.join(folder, name))
    os.rmdir(folder)
    return res


def main():
    top, seed, ntrials, dodo = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        json.loads(sys.argv[4])
    leaves = [int(x) for x in sys.argv[5].split(",")] if len(sys.argv) > 5 else None
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", top],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        print(json.dumps({"skip": "cannot mount a tmpfs: " + r.stdout.strip()}))
        return
    rng = random.Random(seed)
    plan = [(k, "rm") for k in leaves] if leaves else \
        [(rng.randrange(0, 400), rng.choice(["rm", "change", "flip"]))
         for _ in range(ntrials)]
    for i, (leave_kb, trigger) in enumerate(plan):
        res = trial(dodo, os.path.join(top, "p%d" % i), rng, leave_kb, trigger)
        print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
