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
    place: its tasks stay up to date, and a change is still seen."""
    project.dodo(COPY_DODO)
    project.write("in.txt", "x\n")
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


# -- the state file in hostile or odd places ----------------------------------

def test_planted_state_link_is_not_followed(project, tmp_path):
    """A .dodo.db planted as a symbolic link (say by another user of a shared
    folder) is never followed: a dangling one would create a file where it
    points, one to a file would overwrite that file."""
    project.dodo(SIMPLE)
    project.write("in.txt", "x\n")
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    os.symlink(closed / "x.db", project / ".dodo.db")
    r = project.run()
    assert r.returncode == 3, r.stdout + r.stderr
    assert "'.dodo.db' is a symbolic link" in r.stderr, r.stderr
    assert not (closed / "x.db").exists()
    assert not (project / "a.out").exists()
    os.unlink(project / ".dodo.db")
    (tmp_path / "empty").write_bytes(b"")
    os.symlink(tmp_path / "empty", project / ".dodo.db")
    r = project.run()
    assert r.returncode == 3, r.stdout + r.stderr
    assert (tmp_path / "empty").read_bytes() == b""


def test_state_file_of_another_user_is_refused(project):
    """A .dodo.db owned by another user is refused (exit 3, the owner named);
    root takes the file of the user it runs for under sudo (SUDO_UID), as git
    does for safe.directory."""
    if os.geteuid() != 0:
        pytest.skip("needs root to give the state file to another user")
    project.dodo(SIMPLE)
    project.write("in.txt", "x\n")
    assert project.run().returncode == 0
    os.chown(project / ".dodo.db", 65534, 65534)
    project.write("in.txt", "changed\n")
    r = project.run(env={"SUDO_UID": None})
    assert r.returncode == 3, r.stdout + r.stderr
    assert "'.dodo.db' belongs to another user (uid 65534)" in r.stderr, r.stderr
    assert r.stdout == "", r.stdout
    r = project.run(env={"SUDO_UID": "65534"})
    assert r.returncode == 0 and r.stdout == ".  a\n", r.stdout + r.stderr
    assert os.stat(project / ".dodo.db").st_uid == 65534


def test_rebuilt_state_file_keeps_its_mode(project):
    """A corrupt .dodo.db of mode 600 is rebuilt with mode 600, not the
    default of the umask."""
    project.dodo(SIMPLE)
    project.write("in.txt", "x\n")
    project.write_bytes(".dodo.db", b"not a database\n" * 100)
    os.chmod(project / ".dodo.db", 0o600)
    r = project.run()
    assert r.returncode == 0 and "corrupt" in r.stderr, r.stdout + r.stderr
    assert os.stat(project / ".dodo.db").st_mode & 0o7777 == 0o600


def _as_nobody(argv):
    """argv run as an unprivileged user when we are root (root ignores
    permissions), else as it is."""
    if os.geteuid() != 0:
        return argv
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + argv


OUT_DODO = """
def task_a():
    return {'actions': ['cat in.txt > out/a.txt'], 'file_dep': ['in.txt'],
            'targets': ['out/a.txt']}
"""


def test_read_only_folder_with_writable_state_file():
    """A project folder that takes no new file (a checkout of another user)
    with a writable .dodo.db and a writable output folder: SQLite cannot make
    its -wal and -shm there, yet dodo builds, saves and reads its state, as
    doit does."""
    base = tempfile.mkdtemp(prefix="dodo-rofolder-")
    try:
        os.chmod(base, 0o755)
        proj = Project(os.path.join(base, "proj"))
        proj.dodo(OUT_DODO)
        proj.write("in.txt", "one\n")
        proj.mkdir("out")
        if os.geteuid() == 0:
            for root, dirs, files in os.walk(proj.path):
                for name in dirs + files + ["."]:
                    os.chown(os.path.join(root, name), 65534, 65534)

        def run(*args):
            return subprocess.run(_as_nobody(dodo_command() + list(args)),
                                  cwd=str(proj.path), env=base_env(), timeout=DEADLINE,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        r = run()
        assert r.returncode == 0 and r.stdout == ".  a\n", r.stdout + r.stderr
        os.chmod(proj.path, 0o555)
        proj.write("in.txt", "two\n")
        r = run("list", "--status")
        assert r.returncode == 0 and r.stdout.split() == ["R", "a"], r.stdout + r.stderr
        r = run()
        assert r.returncode == 0 and r.stdout == ".  a\n", r.stdout + r.stderr
        assert proj.read("out/a.txt") == "two\n"
        r = run()
        assert r.returncode == 0 and r.stdout == "-- a\n", r.stdout + r.stderr
        assert sorted(os.listdir(proj.path)) == [".dodo.db", "dodo.py", "in.txt", "out"]
        assert integrity_ok(proj / ".dodo.db")
    finally:
        os.chmod(base, 0o755)
        for root, dirs, _ in os.walk(base):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
        shutil.rmtree(base)


FULL_DISK = """
set -e
mount -t tmpfs -o size=256k tmpfs "$MNT"
mkdir "$MNT/proj"
cp "$SRC/dodo.py" "$SRC/in.txt" "$MNT/proj/"
cd "$MNT/proj"
"$@" >/dev/null
echo changed > in.txt
dd if=/dev/zero of="$MNT/fill" bs=4k 2>/dev/null || true
set +e
"$@" >"$LOGS/stdout" 2>"$LOGS/stderr"
echo $? >"$LOGS/rc"
"""


def test_full_disk_at_open_names_the_reason(project, tmp_path):
    """A full disk when the state file opens: the message names the file that
    could not grow and says the disk is full (not just 'disk I/O error');
    exit 3, nothing run. Uses a tiny tmpfs in a mount namespace."""
    if os.geteuid() != 0:
        pytest.skip("needs root for a mount namespace with a tiny tmpfs")
    probe = subprocess.run(["unshare", "-m", "sh", "-c",
                            "mount -t tmpfs -o size=64k tmpfs /mnt && umount /mnt"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if probe.returncode != 0:
        pytest.skip("no mount namespace with tmpfs here: %s" % probe.stdout.strip())
    project.dodo(SIMPLE)
    project.write("in.txt", "x\n")
    (tmp_path / "mnt").mkdir()
    logs = tmp_path / "logs"
    logs.mkdir()
    env = base_env({"MNT": str(tmp_path / "mnt"), "SRC": str(project.path),
                    "LOGS": str(logs)})
    subprocess.run(["unshare", "-m", "sh", "-c", FULL_DISK, "sh"] + dodo_command(),
                   env=env, timeout=DEADLINE, check=True)
    out, err = (logs / "stdout").read_text(), (logs / "stderr").read_text()
    assert (logs / "rc").read_text().strip() == "3", out + err
    assert "'.dodo.db-shm'" in err and "No space left on device" in err, err
    assert out == "", out


def test_stale_foreign_wal_is_damage(project, tmp_path):
    """A .dodo.db-wal of another database beside .dodo.db (a stale copy): the
    pair is damaged, backed up as it was and rebuilt with a warning naming the
    -wal; it is never replayed into .dodo.db, so later runs are not refused as
    'another application'."""
    project.dodo(SIMPLE)
    project.write("in.txt", "x\n")
    assert project.run().returncode == 0
    con = sqlite3.connect(str(tmp_path / "other.db"), isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA wal_autocheckpoint=0")
    con.execute("CREATE TABLE people(name)")
    con.execute("INSERT INTO people VALUES ('ada')")
    shutil.copy(tmp_path / "other.db-wal", project / ".dodo.db-wal")
    con.close()
    mine = (project / ".dodo.db").read_bytes()
    r = project.run()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "its write-ahead log '.dodo.db-wal' is of another database" in r.stderr, r.stderr
    assert r.stdout == ".  a\n", r.stdout
    assert (project / ".dodo.db.corrupt").read_bytes() == mine
    assert (project / ".dodo.db.corrupt-wal").exists()
    r = project.run()
    assert r.returncode == 0 and r.stdout == "-- a\n", r.stdout + r.stderr


def test_shm_that_is_a_folder_is_refused_once(project):
    """A .dodo.db-shm that is a folder: one clear message naming it, exit 3,
    before any task runs (not a run whose saves all fail)."""
    project.dodo(SIMPLE)
    project.write("in.txt", "x\n")
    assert project.run().returncode == 0
    project.mkdir(".dodo.db-shm")
    project.write("in.txt", "changed\n")
    r = project.run()
    assert r.returncode == 3, r.stdout + r.stderr
    assert r.stdout == "", r.stdout
    assert r.stderr.count("state file") == 1, r.stderr
    assert "shared-memory index '.dodo.db-shm' is not a regular file" in r.stderr, r.stderr


@pytest.mark.parametrize("damage", ["PRAGMA user_version = 1", "DROP TABLE dep"],
                         ids=["relabelled", "table-dropped"])
def test_tables_not_matching_their_version_are_damage(project, damage):
    """A .dodo.db whose tables do not match the schema version it claims
    (`duplicate column name`, `no such table`) is treated as damaged: a
    warning, a backup, a rebuild; the run goes on."""
    project.dodo(SIMPLE)
    project.write("in.txt", "x\n")
    assert project.run().returncode == 0
    con = sqlite3.connect(str(project / ".dodo.db"))
    con.executescript(damage)
    con.close()
    r = project.run()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "its tables do not match its schema version" in r.stderr, r.stderr
    assert r.stdout == ".  a\n", r.stdout
    assert (project / ".dodo.db.corrupt").exists()
    r = project.run()
    assert r.returncode == 0 and r.stdout == "-- a\n", r.stdout + r.stderr
