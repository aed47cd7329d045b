"""dodo-only: the state file (.dodo.db) is saved as tasks finish, locked
against a second dodo, and recovered when corrupt; foreign files are refused.

Barriers are files a task creates, waited for with a deadline; nothing
sleeps to let time pass.
"""

import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time

import pytest

from dodo_testlib import Project, dodo_command, base_env

DEADLINE = 60  # seconds any barrier may take before the test fails

# A task that announces it started, then waits (at most ~30 s) for `release`.
WAIT = ("touch {name}.started; i=0; while [ ! -e release ] && [ $i -lt 600 ]; "
        "do sleep 0.05; i=$((i+1)); done")


def wait_for(path, proc=None, what=""):
    """Wait until path exists (or fail if proc ends first / the deadline passes)."""
    end = time.monotonic() + DEADLINE
    while not os.path.exists(path):
        if proc is not None and proc.poll() is not None:
            pytest.fail("dodo exited (%s) before %s appeared %s\n%s"
                        % (proc.returncode, path, what, logs(proc)))
        if time.monotonic() > end:
            pytest.fail("%s did not appear within %ss %s" % (path, DEADLINE, what))
        time.sleep(0.02)


def logs(proc):
    d = proc.log_dir
    return "--- stdout\n%s--- stderr\n%s" % ((d / "stdout").read_text(),
                                            (d / "stderr").read_text())


def finish(proc, timeout=DEADLINE):
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        pytest.fail("dodo did not finish within %ss\n%s" % (timeout, logs(proc)))
    return proc.returncode


def integrity_ok(path):
    con = sqlite3.connect(str(path))
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


KILL_DODO = """
def task_t1():
    return {'actions': ['echo one > one.out'], 'file_dep': ['in.txt'],
            'targets': ['one.out']}

def task_t2():
    return {'actions': ['echo two > two.out'], 'file_dep': ['in.txt'],
            'targets': ['two.out']}

def task_t3():
    return {'actions': [%r], 'file_dep': ['in.txt']}
""" % WAIT.format(name="t3")


def test_state_survives_sigkill(project):
    """Tasks that finished before a SIGKILL are up to date on the next run
    (doit only writes its database at the end: doit #463)."""
    project.dodo(KILL_DODO)
    project.write("in.txt", "x\n")
    proc = project.popen()
    try:
        wait_for(project / "t3.started", proc, "(t1 and t2 should have run)")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, logs(proc)
    assert (project / "one.out").exists() and (project / "two.out").exists()
    project.write("release", "")
    r = project.run()
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["-- t1", "-- t2", ".  t3"], r.stdout
    assert integrity_ok(project / ".dodo.db")


LOCK_DODO = """
def task_slow():
    return {'actions': [%r]}

def task_other():
    return {'actions': ['echo other > other.out'], 'targets': ['other.out']}

def task_dep():
    return {'actions': ['echo dep'], 'file_dep': ['in.txt']}
""" % WAIT.format(name="slow")


def test_second_run_gives_up_after_lock_timeout(project):
    """A second dodo on the same state file waits DODO_LOCK_TIMEOUT seconds,
    then exits non-zero with a message naming the file; it runs nothing and
    the file is intact afterwards."""
    project.dodo(LOCK_DODO)
    project.write("in.txt", "x\n")
    first = project.popen("slow", "dep")
    try:
        wait_for(project / "slow.started", first)
        start = time.monotonic()
        second = project.run("other", env={"DODO_LOCK_TIMEOUT": "1"}, timeout=DEADLINE)
        took = time.monotonic() - start
    finally:
        project.write("release", "")
    assert finish(first) == 0, logs(first)
    assert second.returncode != 0, second.stdout + second.stderr
    assert second.returncode in (1, 2, 3), second.returncode
    assert ".dodo.db" in second.stderr, second.stderr
    assert not (project / "other.out").exists(), "ran a task without the lock"
    assert took < DEADLINE / 2
    assert integrity_ok(project / ".dodo.db")
    again = project.run("slow", "dep")
    assert again.returncode == 0, again.stderr
    assert "-- dep" in again.stdout.splitlines(), again.stdout


def test_second_run_waits_for_the_lock(project):
    """With a long enough timeout the second dodo waits, then runs."""
    project.dodo(LOCK_DODO)
    project.write("in.txt", "x\n")
    first = project.popen("slow")
    try:
        wait_for(project / "slow.started", first)
        second = project.popen("other", env={"DODO_LOCK_TIMEOUT": str(DEADLINE)})
    finally:
        # released only after the second has started and must be waiting
        project.write("release", "")
    assert finish(first) == 0, logs(first)
    assert finish(second) == 0, logs(second)
    assert (project / "other.out").read_text() == "other\n"
    assert integrity_ok(project / ".dodo.db")


SIMPLE = """
def task_a():
    return {'actions': ['echo a > a.out'], 'file_dep': ['in.txt'], 'targets': ['a.out']}
"""


def _garbage(project):
    return b"this is not a database\n" + bytes(range(256)) * 40


def _truncated(project):
    r = project.run()
    assert r.returncode == 0, r.stderr
    data = (project / ".dodo.db").read_bytes()
    for suffix in ("-wal", "-shm"):
        p = project / (".dodo.db" + suffix)
        if p.exists():
            p.unlink()
    return data[:len(data) // 2] + b"\xff" * 512


@pytest.mark.parametrize("make_bad", [_garbage, _truncated], ids=["garbage", "truncated"])
def test_corrupt_state_is_backed_up_and_rebuilt(project, make_bad):
    """A corrupt .dodo.db: a warning, the bad file kept aside, the run goes on
    (and never marks work done that was not)."""
    project.dodo(SIMPLE)
    project.write("in.txt", "x\n")
    bad = make_bad(project)
    (project / ".dodo.db").write_bytes(bad)
    r = project.run()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "warning" in r.stderr.lower() and ".dodo.db" in r.stderr, r.stderr
    assert ".  a" in r.stdout.splitlines(), r.stdout
    backups = [p for p in project.path.iterdir()
               if p.name.startswith(".dodo.db") and p.name != ".dodo.db"
               and p.is_file() and p.read_bytes() == bad]
    assert backups, "no backup holding the corrupt bytes: %s" % project.files()
    again = project.run()
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == ["-- a"], again.stdout
    assert "warning" not in again.stderr.lower(), again.stderr


def test_foreign_sqlite_file_is_refused(project):
    """--db-file naming another application's SQLite database: a clear error,
    nothing run, the file left byte for byte as it was."""
    project.dodo(SIMPLE)
    project.write("in.txt", "x\n")
    con = sqlite3.connect(str(project / "foreign.db"))
    con.execute("CREATE TABLE people (name TEXT, age INTEGER)")
    con.execute("INSERT INTO people VALUES ('ada', 36)")
    con.commit()
    con.close()
    before = (project / "foreign.db").read_bytes()
    r = project.run("--db-file", "foreign.db")
    assert r.returncode != 0, r.stdout + r.stderr
    assert r.returncode in (1, 2, 3), r.returncode
    assert "foreign.db" in r.stderr, r.stderr
    assert not (project / "a.out").exists()
    assert (project / "foreign.db").read_bytes() == before
    assert not (project / "foreign.db-wal").exists()


def test_other_db_file_leaves_default_alone(project):
    """--db-file puts the state elsewhere; dodo never touches .doit.db."""
    project.dodo(SIMPLE)
    project.write("in.txt", "x\n")
    r = project.run("--db-file", "custom.db")
    assert r.returncode == 0, r.stderr
    assert (project / "custom.db").exists()
    assert not (project / ".dodo.db").exists()
    r = project.run("--db-file", "custom.db")
    assert r.stdout.splitlines() == ["-- a"], r.stdout
    r = project.run()
    assert r.stdout.splitlines() == [".  a"], r.stdout
    assert not any(n.startswith(".doit.db") for n in os.listdir(project.path))


def test_unwritable_folder(tmp_path):
    """A project folder dodo may not write to: a clear error naming the state
    file (or the permission problem), a normal exit code, no crash."""
    base = tempfile.mkdtemp(prefix="dodo-ro-")
    try:
        os.chmod(base, 0o755)
        proj = Project(os.path.join(base, "proj"))
        proj.dodo(SIMPLE)
        proj.write("in.txt", "x\n")
        os.chmod(proj.path, 0o555)
        argv = dodo_command()
        if os.geteuid() == 0:
            # root ignores permissions: run as nobody (the binary must be readable)
            argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + argv
        r = subprocess.run(argv, cwd=str(proj.path), env=base_env(), timeout=DEADLINE,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        assert r.returncode in (1, 2, 3), (r.returncode, r.stdout, r.stderr)
        assert ".dodo.db" in r.stderr or "ermission" in r.stderr, r.stderr
        assert not (proj / "a.out").exists()
    finally:
        os.chmod(base, 0o755)
        for root, dirs, _ in os.walk(base):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
        shutil.rmtree(base)


def test_never_touches_doit_db(project):
    """dodo's state is .dodo.db; a .doit.db beside it is left alone."""
    project.dodo(SIMPLE)
    project.write("in.txt", "x\n")
    project.write_bytes(".doit.db", b"doit's own file")
    r = project.run()
    assert r.returncode == 0, r.stderr
    assert (project / ".dodo.db").exists()
    assert (project / ".doit.db").read_bytes() == b"doit's own file"


def saved_dep(db, task, path):
    """(mtime_ns, hash) saved for task's dep path, and the task's depsig."""
    con = sqlite3.connect(str(db))
    try:
        return con.execute(
            "SELECT dep.mtime_ns, dep.hash, task.depsig FROM dep JOIN task"
            " ON dep.task = task.id WHERE task.name = ? AND dep.path = ?",
            (task, path)).fetchone()
    finally:
        con.close()


COPY_DODO = """
def task_a():
    return {'actions': ['cat in.txt > out.txt'], 'file_dep': ['in.txt'],
            'targets': ['out.txt']}
"""


def test_touched_dep_is_resaved_when_up_to_date(project):
    """A file_dep touched without a change of content leaves its task up to
    date (same hash) and the saved stat is brought up to date with it, so the
    next run knows the task from the saved digest without hashing again."""
    project.dodo(COPY_DODO)
    project.write("in.txt", "x\n")
    assert project.run().stdout == ".  a\n"
    before = saved_dep(project / ".dodo.db", "a", "in.txt")
    os.utime(project / "in.txt", ns=(1577836800 * 10**9, 1577836800 * 10**9))
    r = project.run()
    assert r.returncode == 0 and r.stdout == "-- a\n", r.stdout + r.stderr
    after = saved_dep(project / ".dodo.db", "a", "in.txt")
    assert after[0] == 1577836800 * 10**9 and after[1] == before[1]
    assert after[2] != before[2]
    r = project.run()
    assert r.stdout == "-- a\n" and saved_dep(project / ".dodo.db", "a", "in.txt") == after
    project.write("in.txt", "changed\n")
    assert project.run().stdout == ".  a\n"


def test_state_file_of_schema_1_is_migrated(project):
    """A .dodo.db written before the saved digest (schema 1) is migrated in
    place: its tasks stay up to date, and a change is still seen. (in.txt is
    old: a racy stat is saved without the digest.)"""
    project.dodo(COPY_DODO)
    project.write("in.txt", "x\n")
    os.utime(project / "in.txt", ns=(1577836800 * 10**9, 1577836800 * 10**9))
    assert project.run().stdout == ".  a\n"
    con = sqlite3.connect(str(project / ".dodo.db"))
    con.executescript("ALTER TABLE task DROP COLUMN depsig; PRAGMA user_version = 1;")
    con.close()
    assert project.run().stdout == "-- a\n"
    assert saved_dep(project / ".dodo.db", "a", "in.txt")[2] is not None
    assert project.run().stdout == "-- a\n"
    project.write("in.txt", "changed\n")
    assert project.run().stdout == ".  a\n"


MANY_DODO = """
N, K = 200, 11   # 200 tasks of 11 file_dep: 1,100 files and 200 targets,
                 # enough for the run to read records ahead and stat with threads

def task_obj():
    for i in range(N):
        deps = ['src/f%d.txt' % ((i * K + k) % (N * K // 2)) for k in range(K)]
        yield {'name': str(i), 'file_dep': deps, 'targets': ['out/%d' % i],
               'actions': ['mkdir -p out && cat %s > out/%d' % (' '.join(deps), i)]}
"""


def test_many_tasks_up_to_date_and_changed(project):
    """Past the sizes where a run reads every saved record in one pass and
    stats with threads, the decisions stay those of one check at a time:
    an unchanged task is up to date, a changed file re-runs exactly its
    users, an ignored or forgotten task is treated as such."""
    project.dodo(MANY_DODO)
    os.makedirs(project / "src")
    for f in range(200 * 11 // 2):
        project.write("src/f%d.txt" % f, "%d\n" % f)
    r = project.run()
    assert r.returncode == 0, r.stderr
    assert r.stdout.count(".  obj:") == 200
    r = project.run()
    assert r.stdout.count("-- obj:") == 200 and ".  " not in r.stdout, r.stdout
    users = sorted(i for i in range(200)
                   if 7 in [(i * 11 + k) % 1100 for k in range(11)])
    project.write("src/f7.txt", "changed\n")
    assert project.run("ignore", "obj:%d" % users[0]).returncode == 0
    assert project.run("forget", "obj:150").returncode == 0
    r = project.run()
    ran = sorted(int(line[len(".  obj:"):]) for line in r.stdout.splitlines()
                 if line.startswith(".  obj:"))
    assert users == [0, 100] and ran == [100, 150], r.stdout
    assert "!! obj:%d" % users[0] in r.stdout
    r = project.run()
    assert ".  " not in r.stdout, r.stdout


# A task that copies in.txt, then waits (at most ~30 s) for `go`.
EDIT_WHILE_RUNNING_DODO = """
def task_copy():
    return {'actions': ['cat in.txt > out.txt; touch started; i=0; '
                        'while [ ! -e go ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done'],
            'file_dep': ['in.txt'], 'targets': ['out.txt']}
"""


@pytest.mark.parametrize("checker", ["md5", "timestamp"])
def test_dep_edited_while_its_task_runs_runs_again(project, checker):
    """A file_dep edited after its task was checked, while its actions run, is
    not saved as seen: the task read the old contents, so the next run builds
    the edit (doit 0.31.1 saves the new signature and never does: doit #119)."""
    project.dodo(EDIT_WHILE_RUNNING_DODO)
    project.write("in.txt", "1\n")
    opt = ["--check_file_uptodate", checker]
    p = project.popen(*opt)
    wait_for(project / "started", p, "(the task's actions)")
    project.write("in.txt", "2\n")     # same size, a new mtime
    project.write("go")
    assert finish(p) == 0, logs(p)
    assert project.read("out.txt") == "1\n"
    r = project.run(*opt)
    assert r.returncode == 0 and r.stdout == ".  copy\n", r.stdout + r.stderr
    assert project.read("out.txt") == "2\n"
    assert project.run(*opt).stdout == "-- copy\n"


def test_dep_rewritten_with_the_same_stat_runs_again(project):
    """A file_dep rewritten with the same size and its mtime put back (a tool
    that restores mtimes, or a rewrite within one tick of the file system's
    clock) is seen when its saved stat was racy: modified close to the save or
    later. Here the mtime is in the future, racy whatever the machine's speed."""
    project.dodo(COPY_DODO)
    path = project.write("in.txt", "aaaa\n")
    future = (int(time.time()) + 86400) * 10**9
    os.utime(path, ns=(future, future))
    ino = path.stat().st_ino
    assert project.run().stdout == ".  a\n"
    assert "racy" in project.run("dumpdb").stdout
    with open(path, "r+") as f:        # the same inode, size and mtime
        f.write("bbbb\n")
    os.utime(path, ns=(future, future))
    assert path.stat().st_ino == ino
    r = project.run()
    assert r.returncode == 0 and r.stdout == ".  a\n", r.stdout + r.stderr
    assert project.read("out.txt") == "bbbb\n"
    assert project.run().stdout == "-- a\n"


def test_action_rewriting_its_own_file_dep_runs_again(project):
    """doit's sample taskorder.py: `modify` rewrites foo.txt, its own
    file_dep, on every run. doit 0.31.1 saves the rewritten signature (up to
    date next time); dodo cannot tell this edit from one made by someone else
    while the task ran, so the task stays out of date (docs/commands.md)."""
    project.dodo("""
        def task_modify():
            return {'actions': ["echo bar > foo.txt"], 'file_dep': ["foo.txt"]}

        def task_create():
            return {'actions': ["touch foo.txt"], 'targets': ["foo.txt"]}
        """)
    assert project.run().stdout == ".  create\n.  modify\n"
    assert project.run().stdout == ".  create\n.  modify\n"   # doit: "-- modify"
