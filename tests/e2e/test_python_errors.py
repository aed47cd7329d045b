"""dodo-only: what the task file's Python code and its commands' odd output
look like to the user. The differential cases (tests/diff/cases) compare these
with doit; its harness drops traceback frames outside the project, so here we
check that none of dodo's own frames (_dodo.py, its built-in doit package)
reach the user, and byte-level details the harness cannot see."""

import random

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
