"""dodo-only: what doit 0.32-0.36 added or changed, which the oracle (doit
0.31.1) does not do. Each test pins dodo's behaviour; where it helps, it also
shows that the oracle differs (so the test documents a real difference).
docs/commands.md, "doit 0.32-0.36 and dodo", names these tests."""

import json
import os
import signal
import subprocess
import time

DEP_MANAGER = """
import doit

AT_CREATION = []

def task_create():
    dep_manager = doit.Globals.dep_manager
    AT_CREATION.append(dep_manager.get_values('create'))

    def action():
        print('created 42')
        return {'created': 42}

    def clean(task):
        result = dep_manager.get_result(task.name)
        print('result', result, 'at creation', AT_CREATION[0])
        dep_manager.remove(task.name)

    return {'actions': [action], 'clean': [clean], 'file_dep': ['in.txt'],
            'verbosity': 2}

def task_reader():
    def show():
        print('values', doit.Globals.dep_manager.get_values('create'))
        print('value', doit.Globals.dep_manager.get_value('create', 'created'))
    return {'actions': [show], 'task_dep': ['create'], 'verbosity': 2}
"""


def test_globals_dep_manager(project):
    """doit 0.32's doit.Globals.dep_manager (doit's own sample): actions and
    clean actions read saved values and results (a dict result as it is) and
    remove() forgets a task. While tasks are created the state file is not
    open yet: it reads as empty."""
    project.write("in.txt", "x")
    project.dodo(DEP_MANAGER)
    r = project.run("create")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "created 42" in r.stdout
    assert project.run("create").stdout == "-- create\n"
    r = project.run("reader")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "values {'created': 42}" in r.stdout.splitlines()
    assert "value 42" in r.stdout.splitlines()
    r = project.run("clean", "create")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "result {'created': 42} at creation {}" in r.stdout.splitlines()
    # forgotten by remove(): runs again
    assert "created 42" in project.run("create").stdout
    r = project.run_doit("create")
    assert "AttributeError" in r.stderr     # 0.31.1 has no doit.Globals


def test_info_shows_meta(project):
    project.dodo("""
        def task_t():
            return {'actions': None, 'meta': {'owner': 'ann'}}
    """)
    r = project.run("info", "t")
    assert r.stdout.splitlines()[-1] == "meta       : {'owner': 'ann'}"
    r = project.run_doit("info", "t")
    assert r.returncode == 3 and "invalid field: 'meta'" in r.stderr


def test_action_arguments_are_lists(project):
    """doit 0.32: targets, dependencies and changed are list copies (0.31.1
    passes file_dep as a set)"""
    project.write("a.txt", "a")
    project.write("b.txt", "b")
    project.dodo("""
        def show(targets, dependencies, changed):
            print(type(dependencies).__name__, dependencies, changed, targets)
            dependencies.append('x')
            targets.append('y')

        def task_t():
            return {'actions': [show, show], 'file_dep': ['b.txt', 'a.txt'],
                    'targets': ['out'], 'verbosity': 2}
    """)
    r = project.run()
    assert r.stdout.splitlines()[1:] == [
        "list ['b.txt', 'a.txt'] ['b.txt', 'a.txt'] ['out']"] * 2
    assert "set" in project.run_doit().stdout


def test_stream_fileno_and_isatty(project):
    """doit 0.35: while a Python action runs, sys.stdout's fileno() and isatty()
    are those of the stream it is shown on; captured only, there is no fileno"""
    project.dodo("""
        import io, sys

        def show():
            try:
                sys.stdout.fileno()
                print('fileno ok', sys.stdout.isatty())
            except io.UnsupportedOperation:
                sys.stderr.write('no fileno %s\\n' % sys.stdout.isatty())

        def task_shown():
            return {'actions': [show], 'verbosity': 2}

        def task_captured():
            return {'actions': [show], 'verbosity': 1}
    """)
    r = project.run()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "fileno ok False" in r.stdout.splitlines()
    assert "no fileno False" in r.stderr.splitlines()
    assert "no attribute 'fileno'" in project.run_doit().stdout


SILENT = """
from doit.exceptions import TaskFailed

def quiet():
    print('told the user myself')
    return TaskFailed('not shown', report=False)

def task_q():
    return {'actions': [quiet], 'verbosity': 2}

def task_loud():
    return {'actions': ['exit 1']}
"""


def test_failure_report_false(project):
    """doit 0.36's BaseFail.report: the reporters print nothing for such a
    failure (the json one records it); the run still fails"""
    project.dodo(SILENT)
    for args in ((), ("-n", "2"), ("-r", "error-only"), ("-r", "executed-only")):
        r = project.run("-c", *args, "q", "loud")
        assert r.returncode == 1, (args, r.stdout, r.stderr)
        assert "not shown" not in r.stdout + r.stderr, args
        assert "taskid:q" not in r.stdout, args
        assert "loud" in r.stdout, args
    r = project.run("-r", "json", "q")
    assert r.returncode == 1
    result = json.loads(r.stdout)["tasks"][0]
    assert result["result"] == "fail" and "not shown" in result["error"]
    assert "unexpected keyword argument 'report'" in project.run_doit("q").stdout


def test_run_pdb_post_mortem(project):
    """doit 0.32: run --pdb starts pdb on a Python action's exception (0.31.1
    accepts the option and does nothing)"""
    project.dodo("""
        def boom():
            secret = 'pm' + 'marker'
            raise ValueError('boom')

        def task_t():
            return {'actions': [boom]}
    """)
    commands = "p secret\nc\n"
    for args in (("run", "--pdb", "t"), ("--pdb", "-n", "2", "t")):
        r = project.run(*args, input=commands)
        assert r.returncode == 2, r.stdout + r.stderr
        assert "'pmmarker'" in r.stdout, args
    assert "pmmarker" not in project.run("t", input=commands).stdout
    assert "pmmarker" not in project.run_doit("run", "--pdb", "t", input=commands).stdout


def test_create_doit_tasks_basename(project):
    """doit 0.35: create_doit_tasks.basename names the tasks"""
    project.dodo("""
        class Gen:
            def create_doit_tasks(self):
                return {'actions': ['echo made'], 'verbosity': 2}
            create_doit_tasks.basename = 'renamed'

        gen = Gen()
    """)
    assert project.run("list").stdout.split() == ["renamed"]
    assert project.run("renamed").stdout == ".  renamed\nmade\n"
    assert project.run_doit("list").stdout.split() == ["gen"]


def test_create_after_on_method(project):
    """doit 0.34: create_after on a method (0.31.1 calls it unbound)"""
    project.dodo("""
        from doit import create_after

        class Tasks:
            def task_first(self):
                return {'actions': ['echo first'], 'verbosity': 2}

            @create_after(executed='first')
            def task_later(self):
                return {'actions': ['echo later'], 'verbosity': 2}

        tasks = Tasks()
        task_first = tasks.task_first
        task_later = tasks.task_later
    """)
    r = project.run()
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == ".  first\nfirst\n.  later\nlater\n"
    assert "missing 1 required positional argument" in project.run_doit().stderr


def test_task_params_and_params_refused(project):
    """doit 0.34: a task_params creator's task may not have params too"""
    project.dodo("""
        from doit import task_params

        @task_params([{'name': 'x', 'default': 1, 'long': 'x'}])
        def task_t(x):
            return {'actions': ['echo %s' % x],
                    'params': [{'name': 'y', 'default': 2, 'long': 'y'}]}
    """)
    r = project.run("list")
    assert r.returncode == 3
    assert r.stderr == ("ERROR: Task 't'. `params` attribute can not be used in "
                        "conjuction with `@task_params`\n")


def test_doit_file_variable(project):
    """doit 0.32: DOIT_FILE names the task file (-f wins)"""
    project.dodo("def task_other():\n    return {'actions': None}\n", name="other.py")
    project.dodo("def task_main():\n    return {'actions': None}\n")
    env = {"DOIT_FILE": "other.py"}
    assert project.run("list", env=env).stdout.split() == ["other"]
    assert project.run("list", "-f", "dodo.py", env=env).stdout.split() == ["main"]
    assert project.run_doit("list", env=env).stdout.split() == ["main"]


def test_loader_options_before_command(project):
    """doit 0.32: -f, -d and -k may come before the command name"""
    project.dodo("def task_other():\n    return {'actions': ['echo o'], 'verbosity': 2}\n",
                 name="other.py")
    (project / "sub").mkdir()
    for args in (("-f", "other.py", "list"), ("--file=other.py", "list"),
                 ("-k", "-f", "other.py", "list")):
        r = project.run(*args, cwd="sub" if "-k" in args else None)
        assert (r.returncode, r.stdout.split()) == (0, ["other"]), args
    r = project.run("-f", "other.py", "info", "other")
    assert r.returncode == 1 and r.stdout.startswith("\nother\n")
    r = project.run("-f", "other.py", "other")
    assert r.stdout == ".  other\no\n"
    assert project.run_doit("-f", "other.py", "list").returncode == 3


def test_clean_wildcard(project):
    """doit 0.35: clean takes task name patterns"""
    project.dodo("""
        def task_gen():
            for n in 'ab':
                yield {'name': n, 'actions': ['touch %s.out' % n],
                       'targets': ['%s.out' % n], 'clean': True}

        def task_other():
            return {'actions': ['touch o.out'], 'targets': ['o.out'], 'clean': True}
    """)
    assert project.run().returncode == 0
    r = project.run("clean", "gen:*")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("gen:a - removing file 'a.out'\n"
                        "gen:b - removing file 'b.out'\n")
    assert project.exists("o.out")
    assert project.run("clean", "nomatch*").returncode == 0
    r = project.run("clean", "nosuch")
    assert (r.returncode, r.stderr) == (3, "ERROR: 'nosuch' is not a task.\n")
    assert project.run_doit("clean", "gen:*").returncode == 3


def test_minversion_is_036(project):
    """DOIT_CONFIG's minversion is checked against doit 0.36.0"""
    project.dodo("DOIT_CONFIG = {'minversion': '0.36.0'}\n"
                 "def task_t():\n    return {'actions': None}\n")
    assert project.run("list").stdout.split() == ["t"]
    assert project.run_doit("list").returncode == 3
    project.dodo("DOIT_CONFIG = {'minversion': '0.36.1'}\n"
                 "def task_t():\n    return {'actions': None}\n")
    r = project.run("list")
    assert r.returncode == 3
    assert r.stderr.startswith("ERROR: Please update doit. Minimum version required "
                               "is 0.36.1. You are using (0, 36, 0).")


def test_single_with_task_options(project):
    """doit 0.34: run -s passes the options after a task name to it (0.31.1
    crashes)"""
    project.dodo("""
        def task_p():
            return {'actions': ['echo p=%(x)s'], 'verbosity': 2,
                    'params': [{'name': 'x', 'long': 'x', 'default': 'd'}]}
    """)
    r = project.run("-s", "p", "--x", "5")
    assert (r.returncode, r.stdout) == (0, ".  p\np=5\n")
    assert project.run_doit("-s", "p", "--x", "5").returncode == 3


def test_python_api_says_run_dodo(project):
    """doit's Python entry points (doit.run, api.run_tasks, DoitMain.run) do
    not run tasks in dodo: they say so and fail (exit 3)"""
    project.dodo("""
        import doit.api
        from doit.cmd_base import ModuleTaskLoader

        def task_t():
            def call():
                return doit.api.run_tasks(ModuleTaskLoader({}), {'x': {}}) == 3
            return {'actions': [call], 'verbosity': 2}
    """)
    r = project.run()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "run the `dodo` command instead" in r.stderr


def test_getargs_result_saved_after_setup(project):
    """doit 0.32: result_dep (and getargs, which uses it) saves the result of
    its task as it is after that task ran; 0.31.1 saved the one from before
    (a setup task runs after the check), so it ran the task once more"""
    project.write("in.txt", "a\n")
    project.dodo("""
        def produce():
            return {'v': open('in.txt').read().strip()}

        def task_src():
            return {'actions': [produce], 'file_dep': ['in.txt']}

        def task_use():
            return {'actions': ['echo use %(v)s'], 'getargs': {'v': ('src', 'v')},
                    'verbosity': 2}
    """)
    assert project.run("use").stdout == ".  src\n.  use\nuse a\n"
    assert project.run("use").stdout == "-- use\n"
    assert project.run_doit("use").stdout == ".  src\n.  use\nuse a\n"
    assert project.run_doit("use").stdout == "-- src\n.  use\nuse a\n"


def test_io_capture_false(project):
    """doit 0.35's io.capture False: the actions' output is not captured (it
    shows whatever the verbosity; a command runs on the terminal) and a
    command fails as a command does"""
    project.dodo("""
        def task_t():
            return {'actions': ['echo shown', 'echo err >&2', 'exit 3'],
                    'io': {'capture': False}, 'verbosity': 0}
    """)
    r = project.run()
    assert r.returncode == 1
    assert r.stdout.startswith(".  t\nshown\nTaskFailed - taskid:t\n"
                               "Command failed: 'exit 3' returned 3\n")
    assert r.stderr == "err\n"
    r = project.run_doit()
    assert r.returncode == 3 and "invalid field: 'io'" in r.stderr


def test_task_options_from_doit_cfg(project):
    """doit 0.32: a [task:NAME] section of doit.cfg sets the defaults of task
    NAME's parameters (and of creator NAME's task_params); the command line
    wins"""
    project.dodo("""
        from doit import task_params

        def task_t():
            return {'actions': ['echo x=%(x)s'], 'verbosity': 2,
                    'params': [{'name': 'x', 'long': 'x', 'default': 'd'}]}

        @task_params([{'name': 'n', 'long': 'n', 'default': 1, 'type': int}])
        def task_g(n):
            return {'actions': ['echo n=%d' % n], 'verbosity': 2}
    """)
    project.write("doit.cfg", "[task:t]\nx = fromcfg\n[task:g]\nn = 7\n")
    assert project.run().stdout == ".  t\nx=fromcfg\n.  g\nn=7\n"
    assert project.run("t", "--x", "cli").stdout == ".  t\nx=cli\n"
    project.dodo("""
        def task_t():
            return {'actions': ['echo x=%(x)s'], 'verbosity': 2,
                    'params': [{'name': 'x', 'long': 'x', 'default': 'd'}]}
    """)
    assert project.run_doit().stdout == ".  t\nx=d\n"


def test_auto_extra_options(project):
    """dodo's auto (doit 0.36 has none, 0.31.1's takes -v, --success and
    --failure only) also takes --reporter, --debounce, --grace and --poll"""
    project.write("in.txt", "x")
    project.dodo("def task_t():\n    return {'actions': ['true'], 'file_dep': ['in.txt']}\n")
    assert project.run("t").returncode == 0
    p = project.popen("auto", "--reporter", "console", "--debounce", "5", "--grace", "100",
                      "--poll", "t")
    try:
        out = p.log_dir / "stdout"
        deadline = time.monotonic() + 30
        while "-- t" not in out.read_text() and p.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.02)
        assert "-- t" in out.read_text(), (p.log_dir / "stderr").read_text()
    finally:
        os.killpg(p.pid, signal.SIGINT)
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=30)
    r = project.run_doit("auto", "--reporter", "console", "t")
    assert r.returncode == 3 and "not recognized" in r.stderr


def test_forget_options_as_doit_036(project):
    """doit 0.34's forget options: --all forgets everything even with task
    names; --disable-default without names forgets nothing, default tasks or
    not. Without names or options and without default tasks dodo forgets
    everything, as 0.31.1 does (0.36 fails with a TypeError)"""
    project.write("in.txt", "x")
    project.dodo("""
        def task_t():
            return {'actions': ['true'], 'file_dep': ['in.txt']}
        def task_u():
            return {'actions': ['true'], 'file_dep': ['in.txt']}
    """)
    assert project.run().returncode == 0
    r = project.run("forget", "--disable-default")
    assert r.stdout == "no tasks specified, pass task name, --enable-default or --all\n"
    assert project.run().stdout == "-- t\n-- u\n"
    assert project.run("forget", "--all", "t").stdout == "forgetting all tasks\n"
    assert project.run().stdout == ".  t\n.  u\n"
    assert project.run("forget").stdout == "forgetting all tasks\n"
    assert project.run_doit("forget", "--all").returncode == 3


def test_create_after_with_task_params(project):
    """doit 0.34: a delayed creator takes its task_params from the command
    line (DelayedLoader.kwargs)"""
    project.dodo("""
        from doit import create_after, task_params

        def task_first():
            return {'actions': ['echo first'], 'verbosity': 2}

        @create_after(executed='first')
        @task_params([{'name': 'n', 'default': 1, 'type': int, 'long': 'n'}])
        def task_later(n):
            for i in range(n):
                yield {'name': str(i), 'actions': ['echo later %d' % i], 'verbosity': 2}
    """)
    r = project.run("later", "--n", "2")
    assert r.stdout == (".  first\nfirst\n.  later:0\nlater 0\n.  later:1\nlater 1\n")
    assert "cannot import name 'task_params'" in project.run_doit("later").stderr
