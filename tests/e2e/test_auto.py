"""dodo-only: `dodo auto` (watch mode).

Every wait is a barrier with a deadline (a file appears, a server answers, a
line is printed); nothing sleeps for a fixed time to let dodo catch up.  Each
dodo runs in its own session; teardown kills every process of that session
(servers live in process groups of their own, in the same session).
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request

import pytest

from dodo_testlib import Project, dodo_command

DEADLINE = 30
PY = "/usr/bin/python3"

SERVER = '''
import http.server, os, sys
port = int(sys.argv[1])
version = open('version.txt').read().strip()
with open('server.pids', 'a') as f:
    f.write('%d\\n' % os.getpid())
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = version.encode()
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(('127.0.0.1', port), Handler).serve_forever()
'''


def wait_for(pred, what, timeout=DEADLINE, proc=None):
    """Poll pred() until it is true; fail after timeout (or when proc died)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        if proc is not None and proc.poll() is not None:
            pytest.fail("dodo exited (%s) while waiting for %s\n%s"
                        % (proc.returncode, what, logs(proc)))
        time.sleep(0.02)
    pytest.fail("timed out waiting for %s\n%s" % (what, logs(proc) if proc else ""))


def logs(proc):
    return "--- stdout\n%s\n--- stderr\n%s" % (
        (proc.log_dir / "stdout").read_text(), (proc.log_dir / "stderr").read_text())


def stderr_of(proc):
    return (proc.log_dir / "stderr").read_text()


def stdout_of(proc):
    return (proc.log_dir / "stdout").read_text()


def session_pids(sid):
    """Processes of session sid (zombies excluded)."""
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if fields[0] != "Z" and int(fields[3]) == sid:
            pids.append(int(name))
    return pids


def kill_session(sid):
    for pid in session_pids(sid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=2) as r:
            return r.read().decode()
    except OSError:
        return None


def count_lines(project, name):
    p = project / name
    return len(p.read_text().splitlines()) if p.exists() else 0


def save(project, name, text):
    """Write a file and give it a new mtime even on a coarse clock."""
    project.write(name, text, dedent=False)


def atomic_save(project, name, text):
    """An editor's save: write a temporary file, rename it over the old one."""
    tmp = project / (".%s.tmp" % name)
    tmp.write_text(text)
    os.rename(tmp, project / name)


@pytest.fixture
def auto(project):
    """Start `dodo auto ARGS` in project; every dodo started is killed (with its
    session) at teardown."""
    started = []

    def start(*args, env=None):
        p = project.popen("auto", *args, env=env)
        started.append(p)
        return p

    yield start
    for p in started:
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
        try:
            p.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            pass
        kill_session(p.pid)


def stop(proc, sig=signal.SIGINT):
    """Send sig to dodo (as Ctrl-C does: to its process group) and wait."""
    os.killpg(proc.pid, sig)
    try:
        return proc.wait(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        pytest.fail("dodo did not exit after signal %d\n%s" % (sig, logs(proc)))


# A run is logged before it writes its output: a run whose output is seen is
# counted in runs.log already.
BUILD = '''
def task_build():
    return {'actions': ['echo run >> runs.log; cat in.txt > out.txt'],
            'file_dep': ['in.txt'], 'targets': ['out.txt']}
def task_other():
    return {'actions': ['echo run >> other.log'], 'file_dep': ['other.txt']}
'''


def build_project(project):
    project.dodo(BUILD)
    project.write("in.txt", "a\n")
    project.write("other.txt", "o\n")


@pytest.mark.parametrize("mode", ["inotify", "poll"])
def test_edit_runs_the_task_again(project, auto, mode):
    build_project(project)
    p = auto(*(["--poll"] if mode == "poll" else []))
    wait_for(lambda: project.exists("other.log") and
             project.exists("out.txt") and project.read("out.txt") == "a\n", "first run", proc=p)
    save(project, "in.txt", "b\n")
    wait_for(lambda: project.read("out.txt") == "b\n", "the run after the edit", proc=p)
    # only what was out of date ran again
    assert count_lines(project, "other.log") == 1
    assert stop(p) == 0
    assert stdout_of(p).splitlines() == [".  build", ".  other", ".  build"]


def test_atomic_rename_save_is_seen(project, auto):
    build_project(project)
    p = auto()
    wait_for(lambda: project.exists("out.txt"), "first run", proc=p)
    atomic_save(project, "in.txt", "renamed\n")
    wait_for(lambda: project.read("out.txt") == "renamed\n", "run after the rename", proc=p)
    assert stop(p) == 0


def test_only_selected_tasks_and_their_deps(project, auto):
    project.dodo('''
        def task_a():
            return {'actions': ['echo run >> a.log'], 'file_dep': ['a.txt']}
        def task_b():
            return {'actions': ['echo run >> b.log'], 'file_dep': ['b.txt'],
                    'task_dep': ['a']}
        def task_c():
            return {'actions': ['echo run >> c.log'], 'file_dep': ['c.txt']}
        ''')
    for n in "abc":
        project.write("%s.txt" % n, n)
    p = auto("b")
    wait_for(lambda: project.exists("b.log"), "first run", proc=p)
    save(project, "a.txt", "a2")       # a dependency of a selected task: watched
    wait_for(lambda: count_lines(project, "a.log") == 2, "a runs again", proc=p)
    assert not project.exists("c.log")
    assert stop(p) == 0
    assert not project.exists("c.log")


def test_changes_made_while_tasks_run_are_not_lost(project, auto):
    project.dodo('''
        def task_slow():
            return {'actions': ['cat in.txt >> seen.txt; touch started; '
                                'i=0; while [ ! -e go ] && [ $i -lt 600 ]; do '
                                'sleep 0.05; i=$((i+1)); done; rm -f go started'],
                    'file_dep': ['in.txt']}
        ''')
    project.write("in.txt", "1\n")
    p = auto()
    wait_for(lambda: project.exists("started"), "the first run to start", proc=p)
    save(project, "in.txt", "2\n")     # while the task runs
    project.write("go")
    wait_for(lambda: project.exists("started"), "a second run", proc=p)
    project.write("go")
    wait_for(lambda: project.exists("seen.txt") and
             project.read("seen.txt") == "1\n2\n", "the second run's output", proc=p)
    assert stop(p) == 0


def test_burst_of_edits_gives_a_bounded_number_of_runs(project, auto):
    """100 edits in a row: the last one's content is built, and no run is made
    without an edit to answer. How the edits fall into batches (one run for
    the whole burst at best) depends on the machine's timing, so the count is
    bounded only by what does not: the first run, then at most one per edit."""
    build_project(project)
    p = auto()
    wait_for(lambda: project.exists("out.txt"), "first run", proc=p)
    for i in range(100):
        (project / "in.txt").write_text("edit %d\n" % i)
    wait_for(lambda: project.read("out.txt") == "edit 99\n", "the last edit's run", proc=p)
    runs = count_lines(project, "runs.log")
    assert 2 <= runs <= 1 + 100, runs
    assert stop(p) == 0


def test_burst_of_edits_during_a_run_gives_one_more_run(project, auto):
    """Edits made while a run goes on (held by a barrier until all are written)
    are one batch: exactly one more run, which builds the last edit."""
    project.dodo('''
        def task_slow():
            return {'actions': ['echo run >> runs.log; cat in.txt > out.txt; '
                                'touch started; i=0; '
                                'while [ ! -e go ] && [ $i -lt 1200 ]; do '
                                'sleep 0.05; i=$((i+1)); done; rm -f go started'],
                    'file_dep': ['in.txt']}
        ''')
    project.write("in.txt", "start\n")
    p = auto()
    wait_for(lambda: project.exists("started"), "the first run to start", proc=p)
    for i in range(100):
        (project / "in.txt").write_text("edit %d\n" % i)
    project.write("go")
    wait_for(lambda: project.read("out.txt") == "edit 99\n" and project.exists("started"),
             "the run after the burst", proc=p)
    project.write("go")
    wait_for(lambda: not project.exists("started"), "the second run's end", proc=p)
    assert stop(p) == 0
    assert count_lines(project, "runs.log") == 2
    assert stdout_of(p).splitlines() == [".  slow", ".  slow"]


def test_task_file_edit_reloads(project, auto):
    build_project(project)
    p = auto()
    wait_for(lambda: project.exists("out.txt"), "first run", proc=p)
    project.dodo(BUILD + '''
def task_added():
    return {'actions': ['echo added > added.txt']}
''')
    wait_for(lambda: project.exists("added.txt"), "the new task", proc=p)
    # the other tasks were up to date: they did not run again
    assert count_lines(project, "runs.log") == 1
    assert stop(p) == 0


def test_local_module_edit_reloads_it(project, auto):
    project.write("helper.py", "WORD = 'one'\n")
    project.dodo('''
        import helper
        def task_say():
            return {'actions': ['echo %s >> said.txt' % helper.WORD],
                    'uptodate': [False]}
        ''')
    p = auto()
    wait_for(lambda: project.exists("said.txt"), "first run", proc=p)
    save(project, "helper.py", "WORD = 'two'\n")
    wait_for(lambda: project.read("said.txt") == "one\ntwo\n", "the module's new value",
             proc=p)
    assert stop(p) == 0


def test_broken_task_file_keeps_watching(project, auto):
    build_project(project)
    p = auto()
    wait_for(lambda: project.exists("out.txt"), "first run", proc=p)
    project.dodo("def task_x(:\n")
    wait_for(lambda: "SyntaxError" in stderr_of(p), "the error", proc=p)
    project.dodo(BUILD + '''
def task_fixed():
    return {'actions': ['echo ok > fixed.txt']}
''')
    wait_for(lambda: project.exists("fixed.txt"), "the fixed task file's run", proc=p)
    assert stop(p) == 0


def test_watch_folder_is_recursive_and_sees_new_folders(project, auto):
    project.dodo('''
        def task_site():
            return {'actions': ['echo run >> runs.log'], 'watch': ['assets']}
        ''')
    project.mkdir("assets/css")
    p = auto()
    wait_for(lambda: count_lines(project, "runs.log") == 1, "first run", proc=p)
    project.write("assets/css/a.css", "x")
    wait_for(lambda: count_lines(project, "runs.log") == 2, "run after a nested edit", proc=p)
    project.mkdir("assets/img/new")
    wait_for(lambda: count_lines(project, "runs.log") >= 3, "run after a new folder", proc=p)
    n = count_lines(project, "runs.log")
    project.write("assets/img/new/b.png", "y")
    wait_for(lambda: count_lines(project, "runs.log") > n, "run after a file in it", proc=p)
    assert stop(p) == 0


def test_inotify_limit_falls_back_to_polling(project, auto):
    build_project(project)
    project.mkdir("sub")
    project.write("sub/x.txt", "x")
    project.dodo(BUILD + '''
def task_sub():
    return {'actions': ['cat sub/x.txt > sub.out'], 'file_dep': ['sub/x.txt']}
''')
    p = auto(env={"DODO_AUTO_WATCH_LIMIT": "1"})
    wait_for(lambda: project.exists("sub.out"), "first run", proc=p)
    wait_for(lambda: "falling back to polling" in stderr_of(p), "the warning", proc=p)
    assert stderr_of(p).count("falling back to polling") == 1
    save(project, "sub/x.txt", "y")
    wait_for(lambda: project.read("sub.out") == "y", "run after the edit", proc=p)
    assert stop(p) == 0


def test_success_and_failure_callbacks(project, auto):
    project.dodo('''
        def task_check():
            return {'actions': ['grep -q good in.txt'], 'file_dep': ['in.txt']}
        ''')
    project.write("in.txt", "good")
    p = auto("--success", "echo ok >> cb.log", "--failure", "echo fail >> cb.log")
    wait_for(lambda: count_lines(project, "cb.log") == 1, "first callback", proc=p)
    save(project, "in.txt", "bad")
    wait_for(lambda: count_lines(project, "cb.log") == 2, "second callback", proc=p)
    assert project.read("cb.log") == "ok\nfail\n"
    assert stop(p) == 0


def test_unknown_task_exits_3(project):
    build_project(project)
    r = project.run("auto", "nosuch", timeout=DEADLINE)
    assert r.returncode == 3
    assert 'command `auto` invalid parameter: "nosuch"' in r.stderr


# ------------------------------------------------------------ servers

def server_project(project, port, extra=""):
    project.write("server.py", SERVER)
    project.write("version.txt", "v1")
    project.write("page.txt", "p1")
    project.write("dodo.py", textwrap.dedent('''
        from doit.tools import LongRunning
        def task_page():
            return {'actions': ['cat page.txt > page.html; echo run >> page.log'],
                    'file_dep': ['page.txt'], 'targets': ['page.html']}
        def task_serve():
            return {'actions': [LongRunning('%s server.py %d')],
                    'file_dep': ['server.py', 'version.txt'], 'task_dep': ['page']}
        ''' % (PY, port)) + extra, dedent=False)


def server_pids(project):
    p = project / "server.pids"
    return [int(x) for x in p.read_text().split()] if p.exists() else []


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def test_server_restarted_when_its_task_runs_again(project, auto):
    port = free_port()
    server_project(project, port)
    p = auto()
    wait_for(lambda: http_get(port) == "v1", "the server", proc=p)
    first = server_pids(project)
    assert len(first) == 1
    # a change that does not concern the server leaves it alone
    save(project, "page.txt", "p2")
    wait_for(lambda: count_lines(project, "page.log") == 2, "the page's run", proc=p)
    assert server_pids(project) == first and alive(first[0])
    atomic_save(project, "version.txt", "v2")
    wait_for(lambda: http_get(port) == "v2", "the restarted server", proc=p)
    pids = server_pids(project)
    assert len(pids) == 2 and not alive(pids[0]) and alive(pids[1])
    assert stop(p) == 0
    assert not alive(pids[1])
    assert session_pids(p.pid) == []


def test_ctrl_c_leaves_no_process_behind(project, auto):
    port = free_port()
    # a server a plain command starts in the background, and a long-running one
    server_project(project, port, '''
def task_bg():
    return {'actions': ['(sleep 300 & echo $! > bg.pid) >/dev/null 2>&1']}
''')
    p = auto()
    wait_for(lambda: http_get(port) == "v1" and project.exists("bg.pid"), "both", proc=p)
    bg = int(project.read("bg.pid"))
    assert alive(bg)
    assert stop(p, signal.SIGINT) == 0
    assert session_pids(p.pid) == []
    assert not alive(bg)


def test_sigterm_stops_servers_and_dies_of_it(project, auto):
    port = free_port()
    server_project(project, port)
    p = auto()
    wait_for(lambda: http_get(port) == "v1", "the server", proc=p)
    assert stop(p, signal.SIGTERM) == -signal.SIGTERM
    assert session_pids(p.pid) == []


def test_background_server_of_a_command_is_stopped_before_its_task_reruns(project, auto):
    project.dodo('''
        def task_bg():
            return {'actions': ['(sleep 300 & echo $! >> bg.pids) >/dev/null 2>&1'],
                    'file_dep': ['in.txt']}
        ''')
    project.write("in.txt", "1")
    p = auto()
    wait_for(lambda: count_lines(project, "bg.pids") == 1, "first run", proc=p)
    save(project, "in.txt", "2")
    wait_for(lambda: count_lines(project, "bg.pids") == 2, "second run", proc=p)
    first, second = [int(x) for x in project.read("bg.pids").split()]
    assert not alive(first) and alive(second)
    assert stop(p) == 0
    assert not alive(second)


def test_server_runs_again_after_dodo_restarts(project, auto):
    port = free_port()
    server_project(project, port)
    p = auto()
    wait_for(lambda: http_get(port) == "v1", "the server", proc=p)
    assert stop(p) == 0
    p = auto()
    wait_for(lambda: http_get(port) == "v1", "the server, started again", proc=p)
    assert len(server_pids(project)) == 2
    assert stop(p) == 0


def test_crashing_server_is_reported_not_restarted(project, auto):
    project.dodo('''
        from doit.tools import LongRunning
        def task_crash():
            return {'actions': [LongRunning('echo start >> starts.log; exit 7')],
                    'file_dep': ['crash.txt']}
        def task_other():
            return {'actions': ['echo run >> other.log'], 'file_dep': ['other.txt']}
        ''')
    project.write("crash.txt", "c")
    project.write("other.txt", "o")
    p = auto("crash")
    wait_for(lambda: "ended by itself (exit code 7)" in stderr_of(p), "the report", proc=p)
    # stays down: a second of quiet, checked continuously
    end = time.monotonic() + 1
    while time.monotonic() < end:
        assert count_lines(project, "starts.log") == 1
        time.sleep(0.05)
    assert stderr_of(p).count("ended by itself") == 1
    # the next change of its own dependencies runs it again
    save(project, "crash.txt", "c2")
    wait_for(lambda: count_lines(project, "starts.log") == 2, "the run after a change", proc=p)
    assert stop(p) == 0


def test_task_file_edit_restarts_servers(project, auto):
    port = free_port()
    server_project(project, port)
    p = auto()
    wait_for(lambda: http_get(port) == "v1", "the server", proc=p)
    project.write("version.txt", "v2")     # seen once the server restarts
    text = (project / "dodo.py").read_text()
    project.dodo(text + "\n# edited\n")
    wait_for(lambda: http_get(port) == "v2", "the restarted server", proc=p)
    assert len(server_pids(project)) == 2
    assert stop(p) == 0


# ------------------------------------------------------------ long runs

def sanitized():
    """The binary under test is the AddressSanitizer build (make SAN=1)."""
    from dodo_testlib import dodo_bin_path
    return "san" in dodo_bin_path().parts


def plain_dodo():
    """argv of an unsanitized dodo for the memory checks (valgrind, RSS): the
    binary under test, or build/dodo beside a sanitizer build; None if none."""
    from dodo_testlib import ROOT
    if not sanitized():
        return dodo_command()
    plain = ROOT / "build" / "dodo"
    return [str(plain)] if plain.exists() else None


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


@pytest.mark.skipif(plain_dodo() is None, reason="only a sanitizer build")
def test_memory_stays_bounded(project, tmp_path):
    build_project(project)
    logs_dir = tmp_path / "logs"
    logs_dir.mkdir()
    from dodo_testlib import base_env
    p = subprocess.Popen(plain_dodo() + ["auto", "--debounce", "5"], cwd=str(project.path),
                         env=base_env(), stdin=subprocess.DEVNULL,
                         stdout=open(logs_dir / "stdout", "w"),
                         stderr=open(logs_dir / "stderr", "w"), start_new_session=True)
    p.log_dir = logs_dir
    try:
        _memory_run(project, p)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        kill_session(p.pid)


def _memory_run(project, p):
    wait_for(lambda: project.exists("out.txt"), "first run", proc=p)
    dodo_pid = p.pid

    def cycles(start, n):
        for i in range(start, start + n):
            save(project, "in.txt", "edit %d\n" % i)
            wait_for(lambda: project.read("out.txt") == "edit %d\n" % i, "run %d" % i,
                     proc=p)

    cycles(0, 30)
    base = rss_kb(dodo_pid)
    cycles(30, 120)
    grown = rss_kb(dodo_pid) - base
    assert grown < 2048, "RSS grew by %d kB over 120 runs" % grown
    assert stop(p) == 0


@pytest.mark.skipif(not os.path.exists("/usr/bin/valgrind"), reason="no valgrind")
@pytest.mark.skipif(os.environ.get("DODO_WRAPPER") or plain_dodo() is None,
                    reason="already wrapped, or only a sanitizer build")
def test_valgrind_long_run_has_no_leaks(project, tmp_path):
    build_project(project)
    log = tmp_path / "vg.log"
    env = {"PYTHONMALLOC": "malloc"}
    vg = ["valgrind", "--leak-check=full", "--errors-for-leak-kinds=definite",
          "--show-leak-kinds=definite", "--error-exitcode=99", "--log-file=%s" % log,
          "--suppressions=%s" % os.path.join(os.path.dirname(__file__), "auto_valgrind.supp")]
    logs_dir = tmp_path / "logs"
    logs_dir.mkdir()
    from dodo_testlib import base_env
    proc = subprocess.Popen(vg + plain_dodo() + ["auto", "--debounce", "5"],
                            cwd=str(project.path), env=base_env(env),
                            stdin=subprocess.DEVNULL, stdout=open(logs_dir / "stdout", "w"),
                            stderr=open(logs_dir / "stderr", "w"), start_new_session=True)
    proc.log_dir = logs_dir
    try:
        wait_for(lambda: project.exists("out.txt"), "first run", timeout=120, proc=proc)
        for i in range(25):
            save(project, "in.txt", "edit %d\n" % i)
            wait_for(lambda: project.read("out.txt") == "edit %d\n" % i, "run %d" % i,
                     timeout=60, proc=proc)
        os.killpg(proc.pid, signal.SIGINT)
        rc = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        kill_session(proc.pid)
    text = log.read_text()
    assert rc == 0, text[-4000:]
    assert "definitely lost: 0 bytes" in text or "definitely lost" not in text, text[-4000:]
    assert "ERROR SUMMARY: 0 errors" in text, text[-4000:]


# ------------------------------------------------------------ the example

def get(port, path):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=2) as r:
            return r.read().decode()
    except (OSError, http.client.HTTPException):
        return None


def test_example_autoreload(project, auto):
    import shutil
    from dodo_testlib import ROOT
    src = ROOT / "examples" / "autoreload"
    for name in ("dodo.py", "app.py", "render.py", "content/index.md"):
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / name, project / name)
    port = free_port()
    p = auto("port=%d" % port)
    wait_for(lambda: get(port, "/version") == "app 1", "the server", proc=p)
    assert "Hello from dodo auto" in get(port, "/")
    save(project, "content/index.md", "# Edited\n\nnew text\n")
    wait_for(lambda: "new text" in (get(port, "/") or ""), "the new page", proc=p)
    text = (project / "app.py").read_text().replace("VERSION = 'app 1'", "VERSION = 'app 2'")
    atomic_save(project, "app.py", text)
    wait_for(lambda: get(port, "/version") == "app 2", "the restarted server", proc=p)
    project.write("content/more.md", "# More\n\nanother page\n")
    wait_for(lambda: "another page" in (get(port, "/") or ""), "the globbed new file",
             proc=p)
    assert stop(p) == 0
    assert session_pids(p.pid) == []
