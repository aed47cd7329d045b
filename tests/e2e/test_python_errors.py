"""dodo-only: what the task file's Python code and its commands' odd output
look like to the user. The differential cases (tests/diff/cases) compare these
with doit; its harness drops traceback frames outside the project, so here we
check that none of dodo's own frames (_dodo.py, its built-in doit package)
reach the user, and byte-level details the harness cannot see."""

import json
import os
import random
import signal
import time

import pytest

# the marks of dodo's own Python code in a traceback
OWN_FRAMES = ('File "_dodo', 'File "doit/', 'File "<frozen')


def assert_no_own_frames(text):
    for mark in OWN_FRAMES:
        assert mark not in text, text


def test_live_output_reads_bad_utf8_as_python_does(project):
    """Verbosity 2 shows a command's output as doit's reader thread decodes
    it (errors='replace'), whatever the bytes and however they arrive."""
    rnd = random.Random(7)
    alphabet = [b"a", b"\n", b"\xc3\xa9", b"\xe2\x82\xac", b"\xf0\x9f\x98\x80",
                b"\xe9", b"\xff", b"\xc0", b"\xed\xa0", b"\xf0\x9f", b"\xe2\x82", b"\x80"]
    data = b"".join(rnd.choice(alphabet) for _ in range(20000)) + b"\xf0\x9f\x98"
    project.write_bytes("data.bin", data)
    project.dodo("""
        def task_show():
            return {'actions': ['cat data.bin', 'cat data.bin >&2'], 'verbosity': 2}
        """)
    r = project.run()
    assert r.returncode == 0, r.stderr
    text = data.decode("utf-8", "replace")
    assert r.stdout == ".  show\n" + text
    assert r.stderr == text


def test_output_the_action_cannot_decode_fails_it_clearly(project):
    """decode_error='strict' (or an unknown encoding) and output it refuses:
    doit's reader thread dies and the task ends as the race goes; dodo fails
    the action with the decoding error."""
    project.dodo(r"""
        from doit.action import CmdAction
        def task_strict():
            return {'actions': [CmdAction(r"printf 'caf\351\n'", decode_error='strict')]}
        def task_codec():
            return {'actions': [CmdAction("echo hi", encoding='no-such-codec')]}
        """)
    for name, error in (("strict", "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe9"),
                        ("codec", "LookupError: unknown encoding: no-such-codec")):
        r = project.run(name)
        assert r.returncode == 2, r.stdout + r.stderr
        assert "TaskError - taskid:%s\nCmdAction Error decoding the command's output\n" % name \
            in r.stdout
        assert error in r.stdout
        assert_no_own_frames(r.stdout + r.stderr)


RAISING = r"""
import json
import os
WHAT = os.environ['WHAT']

def bad_uptodate():
    raise ValueError('bad uptodate')

def bad_title(task):
    raise ValueError('bad title')

def returned():
    if WHAT == 'interrupt':
        raise KeyboardInterrupt
    if WHAT == 'result':
        return 'text \udcff'
    if WHAT == 'tuple_keys':
        return {(1, 2): 'tuple key'}
    return None

def task_bad():
    task = {'actions': [returned]}
    if WHAT == 'uptodate':
        task['uptodate'] = [bad_uptodate]
    if WHAT == 'title':
        task['title'] = bad_title
    return task
"""


@pytest.mark.parametrize("what,code,last", [
    ("uptodate", 3, "ValueError: bad uptodate"),
    ("title", 3, "ValueError: bad title"),
    ("result", 3, "UnicodeEncodeError: 'utf-8' codec can't encode character '\\udcff' "
                  "in position 5: surrogates not allowed"),
    ("tuple_keys", 3, "TypeError: keys must be str, int, float, bool or None, not tuple"),
    ("interrupt", -signal.SIGINT, "KeyboardInterrupt"),
])
def test_exceptions_out_of_the_run_show_the_users_frames_only(project, what, code, last):
    project.dodo(RAISING)
    r = project.run(env={"WHAT": what})
    assert r.returncode == code, r.stdout + r.stderr
    assert r.stderr.startswith("Traceback (most recent call last):\n"), r.stderr
    assert r.stderr.endswith(last + "\n"), r.stderr
    assert_no_own_frames(r.stdout + r.stderr)


def test_sigint_during_the_load(project):
    """Ctrl-C while dodo.py loads: Python's KeyboardInterrupt traceback (the
    user's frames), then death by SIGINT, as doit."""
    project.dodo("""
        import time
        open('loading', 'w').close()
        time.sleep(60)
        def task_a():
            return {'actions': ['true']}
        """)
    p = project.popen()
    try:
        deadline = time.monotonic() + 60
        while not project.exists("loading") and time.monotonic() < deadline \
                and p.poll() is None:
            time.sleep(0.02)
        assert project.exists("loading")
        p.send_signal(signal.SIGINT)
        p.wait(timeout=60)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    err = (p.log_dir / "stderr").read_text()
    assert p.returncode == -signal.SIGINT, err
    assert err.startswith("Traceback (most recent call last):\n"), err
    assert 'dodo.py", line 4, in <module>\n    time.sleep(60)\nKeyboardInterrupt\n' in err
    assert_no_own_frames(err)


def test_failure_outside_the_users_code_shows_no_frame_of_dodos(project):
    """A Python action called with arguments it does not take fails before
    any line of the user's runs: the report shows the exception alone (doit
    shows its own frame, outside the user's folder)."""
    project.dodo("""
        def task_a():
            return {'actions': [lambda x: None]}
        """)
    r = project.run()
    assert r.returncode == 2, r.stdout + r.stderr
    assert "PythonAction Error\nTraceback (most recent call last):\nTypeError: " in r.stdout
    assert_no_own_frames(r.stdout + r.stderr)


def test_json_report_of_a_task_the_run_ended_in(project):
    """SystemExit in a Python action under the json reporter: the task started
    and never ended; its elapsed time is null, not a negative number."""
    project.dodo("""
        import sys
        def task_a():
            return {'actions': [lambda: sys.exit(4)]}
        """)
    r = project.run("-r", "json")
    assert r.returncode == 4, r.stdout + r.stderr
    task, = json.loads(r.stdout)["tasks"]
    assert task["name"] == "a" and task["started"] is not None
    assert task["elapsed"] is None
