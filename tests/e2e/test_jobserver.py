"""dodo-only: the GNU make jobserver.

Under `make -jN` dodo takes a token from make's pipe for every job beyond its
first; with -n N and no outer make it serves N-1 tokens to the commands it
runs (nested make). Proven with barriers, never with timing.
"""

import os
import subprocess

import pytest

from dodo_testlib import Project, dodo_command, base_env

# Each task announces itself, then waits (bounded) for the other one.
MEET = ("touch {name}.started; i=0; while [ ! -e {other}.started ] && [ $i -lt 100 ]; "
        "do sleep 0.05; i=$((i+1)); done; test -e {other}.started")

DODO = '''
MEET = %r
def task_a():
    return {'actions': [MEET.format(name='a', other='b')]}
def task_b():
    return {'actions': [MEET.format(name='b', other='a')]}
''' % MEET


@pytest.fixture
def project(tmp_path):
    return Project(tmp_path / "proj")


def run_under_jobserver(project, tokens, *args):
    """Run dodo as a client of a jobserver pipe holding `tokens` tokens; returns
    (completed process, tokens left in the pipe afterwards)."""
    r, w = os.pipe()
    os.write(w, b"+" * tokens)
    env = base_env({"MAKEFLAGS": " -j8 --jobserver-auth=%d,%d" % (r, w)})
    try:
        p = subprocess.run(dodo_command() + list(args), cwd=str(project.path), env=env,
                           pass_fds=(r, w), capture_output=True, text=True, timeout=60)
        os.set_blocking(r, False)
        try:
            left = len(os.read(r, 64))
        except BlockingIOError:
            left = 0
    finally:
        os.close(r)
        os.close(w)
    return p, left


def test_no_token_means_one_job_at_a_time(project):
    project.dodo(DODO)
    p, left = run_under_jobserver(project, 0, "-n", "2")
    # the two tasks could not meet: only one ran at a time
    assert p.returncode == 1, p.stdout + p.stderr
    assert left == 0


def test_a_token_lets_a_second_job_run_and_is_given_back(project):
    project.dodo(DODO)
    p, left = run_under_jobserver(project, 1, "-n", "2")
    assert p.returncode == 0, p.stdout + p.stderr
    assert sorted(p.stdout.splitlines()) == [".  a", ".  b"]
    assert left == 1


def test_dodo_serves_tokens_to_its_commands(project):
    # The command counts the tokens it can take from the pool named in MAKEFLAGS.
    project.write("count.py", '''
        import os, re
        m = re.search(r"--jobserver-auth=(\\d+),(\\d+)", os.environ.get("MAKEFLAGS", ""))
        r, w = int(m.group(1)), int(m.group(2))
        fd = os.open("/proc/self/fd/%d" % r, os.O_RDONLY | os.O_NONBLOCK)
        try:
            got = os.read(fd, 64)
        except BlockingIOError:
            got = b""
        os.write(w, got)
        open("tokens.txt", "w").write(str(len(got)))
        ''')
    project.dodo('''
        def task_count():
            return {'actions': ['/usr/bin/python3 count.py']}
        ''')
    env = {"MAKEFLAGS": ""}
    p = project.run("-n", "3", env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    assert project.read("tokens.txt") == "2"


def test_a_second_run_in_one_process_serves_a_fresh_pool(project):
    # The second run finds the task file unchanged: dodo first tries the stored
    # graph, which gives up at the command (only the loader can build it) and
    # starts over within the same process. The pool the first attempt served
    # is closed by then; the command of the run that counts must see only the
    # new one, holding its one token (-n 2), and dodo must not wait on the old.
    project.write("count.py", '''
        import os, re
        auth = re.findall(r"--jobserver-auth=(\\d+),(\\d+)", os.environ.get("MAKEFLAGS", ""))
        r, w = map(int, auth[-1])
        fd = os.open("/proc/self/fd/%d" % r, os.O_RDONLY | os.O_NONBLOCK)
        try:
            got = os.read(fd, 64)
        except BlockingIOError:
            got = b""
        os.write(w, got)
        open("tokens.txt", "a").write("%d pools, %d tokens\\n" % (len(auth), len(got)))
        ''')
    project.dodo('''
        def task_count():
            return {'actions': ['/usr/bin/python3 count.py']}
        ''')
    env = {"MAKEFLAGS": ""}
    for _ in range(2):
        p = project.run("-r", "json", "-n", "2", env=env)
        assert p.returncode == 0, p.stdout + p.stderr
    assert project.read("tokens.txt") == "1 pools, 1 tokens\n" * 2
