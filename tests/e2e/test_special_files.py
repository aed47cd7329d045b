"""A file_dep that is not a regular file (a FIFO, a device) is an error, like a
folder: dodo neither waits for a FIFO's writer nor reads a device endlessly.
doit 0.31.1 hangs on a FIFO (docs/commands.md lists the difference); the
timeouts here are only hang guards."""

import os

GUARD = 20

DODO = '''
def task_fifo():
    return {'actions': ['echo ran > fifo.out'], 'file_dep': ['ff']}

def task_zero():
    return {'actions': ['echo ran > zero.out'], 'file_dep': ['zero']}
'''


def make_special(project):
    os.mkfifo(project / "ff")
    os.symlink("/dev/zero", project / "zero")


def test_fifo_and_device_as_file_dep_are_errors(project):
    project.dodo(DODO)
    make_special(project)
    r = project.run("-c", timeout=GUARD)
    assert r.returncode == 2, r.stdout + r.stderr
    assert ("ERROR: Task 'fifo' saving success: cannot read 'ff': "
            "Is a FIFO, not a regular file") in r.stdout
    assert ("ERROR: Task 'zero' saving success: cannot read 'zero': "
            "Is a character device, not a regular file") in r.stdout
    # not saved: both run again
    again = project.run("-c", timeout=GUARD)
    assert again.returncode == 2
    assert ".  fifo" in again.stdout and ".  zero" in again.stdout


def test_file_dep_replaced_by_a_fifo(project):
    """A saved task whose dep became a FIFO fails while checking it."""
    project.dodo(DODO)
    project.write("ff", "")   # the size a FIFO shows: only the hash can tell
    r = project.run("fifo", timeout=GUARD)
    assert r.returncode == 0, r.stdout + r.stderr
    project.remove("ff")
    os.mkfifo(project / "ff")
    r = project.run("fifo", timeout=GUARD)
    assert r.returncode == 2, r.stdout + r.stderr
    assert ("ERROR: Task 'fifo' checking dependencies: cannot read 'ff': "
            "Is a FIFO, not a regular file") in r.stdout


def test_timestamp_checker_does_not_read(project):
    """The timestamp checker only stats: a FIFO is a dep like any file."""
    project.dodo(DODO)
    make_special(project)
    r = project.run("--check_file_uptodate", "timestamp", "fifo", timeout=GUARD)
    assert r.returncode == 0, r.stdout + r.stderr
    r = project.run("--check_file_uptodate", "timestamp", "fifo", timeout=GUARD)
    assert r.stdout.splitlines() == ["-- fifo"]
