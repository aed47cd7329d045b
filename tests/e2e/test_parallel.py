"""dodo-only: parallel execution (-n) and interruption.

Concurrency is proven with barriers (each task waits for a file the other one
creates, with a deadline), never with timing.
"""

import os
import signal
import time

import pytest

from dodo_testlib import Project

DEADLINE = 60

# Task NAME announces itself, then waits (bounded) for the file OTHER.started.
MEET = ("touch {name}.started; i=0; while [ ! -e {other}.started ] && [ $i -lt 400 ]; "
        "do sleep 0.05; i=$((i+1)); done; test -e {other}.started")


def meet_dodo():
    return '''
        MEET = %r
        def task_a():
            return {'actions': [MEET.format(name='a', other='b')]}
        def task_b():
            return {'actions': [MEET.format(name='b', other='a')]}
        def task_c():
            return {'actions': ['echo c > c.out'], 'task_dep': ['a', 'b'],
                    'targets': ['c.out']}
        ''' % MEET


@pytest.fixture
def project(tmp_path):
    return Project(tmp_path / "proj")


@pytest.mark.parametrize("opt", [["-n", "2"], ["--process=2"], ["-n", "2", "-P", "thread"]])
def test_two_tasks_run_at_once(project, opt):
    project.dodo(meet_dodo())
    r = project.run(*opt)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert sorted(lines) == [".  a", ".  b", ".  c"]
    # c waits for both of its task_dep
    assert lines[-1] == ".  c"
    assert project.read("c.out") == "c\n"


def test_a_finished_job_frees_its_slot_for_the_next(project):
    """-n 2: when the first of two running tasks ends, the next task starts
    at once even though the other one still runs (it holds the jobserver
    token; the slot of the one that ended is free)."""
    project.dodo('''
        WAIT = ("i=0; while [ ! -e c.started ] && [ $i -lt 400 ]; "
                "do sleep 0.05; i=$((i+1)); done; test -e c.started")
        def task_a():
            return {'actions': ['true']}
        def task_b():
            return {'actions': [WAIT]}
        def task_c():
            return {'actions': ['touch c.started']}
        ''')
    r = project.run("-n", "2", "a", "b", "c")
    assert r.returncode == 0, r.stdout + r.stderr


PY_MEET = '''
import os, time

def meet(name, other):
    open(name + '.started', 'w').close()
    end = time.monotonic() + 30
    while not os.path.exists(other + '.started') and time.monotonic() < end:
        time.sleep(0.02)
    return {'pid': os.getpid(), 'met': os.path.exists(other + '.started')}

def task_a():
    return {'actions': [(meet, ['a', 'b'])]}

def task_b():
    return {'actions': [(meet, ['b', 'a'])]}

def record(a_pid, b_pid, a_met, b_met):
    with open('pids.txt', 'w') as f:
        f.write('%s %s %s %s %s' % (os.getpid(), a_pid, b_pid, a_met, b_met))

def task_c():
    return {'actions': [record],
            'getargs': {'a_pid': ('a', 'pid'), 'b_pid': ('b', 'pid'),
                        'a_met': ('a', 'met'), 'b_met': ('b', 'met')}}
'''


def test_python_actions_run_in_worker_processes_at_once(project):
    """-n 2 (-P process, the default) runs Python actions in forked copies
    of dodo, two at once; their returned values reach getargs."""
    project.dodo(PY_MEET)
    r = project.run("-n", "2", "c")
    assert r.returncode == 0, r.stdout + r.stderr
    main, a, b, a_met, b_met = project.read("pids.txt").split()
    assert a_met == b_met == "True"
    assert len({main, a, b}) == 3


def test_python_actions_with_threads_stay_in_process(project):
    """-P thread keeps Python actions in dodo's own process, one at a time
    (doit's threads hold the GIL); the values are the same."""
    project.dodo(PY_MEET.replace("time.monotonic() + 30", "time.monotonic() + 0.2"))
    r = project.run("-n", "2", "-P", "thread", "c")
    assert r.returncode == 0, r.stdout + r.stderr
    main, a, b, a_met, b_met = project.read("pids.txt").split()
    assert main == a == b
    assert "True" in (a_met, b_met)


def test_parallel_state_is_saved_like_serial(project):
    project.dodo('''
        def task_t():
            for i in range(6):
                yield {'name': str(i), 'actions': ['echo %d > t%d.out' % (i, i)],
                       'file_dep': ['in.txt'], 'targets': ['t%d.out' % i]}
        ''')
    project.write("in.txt", "x")
    r = project.run("-n", "3")
    assert r.returncode == 0, r.stderr
    assert sorted(r.stdout.splitlines()) == [".  t:%d" % i for i in range(6)]
    again = project.run("-n", "3")
    assert sorted(again.stdout.splitlines()) == ["-- t:%d" % i for i in range(6)]
    serial = project.run()
    assert serial.stdout.splitlines() == ["-- t:%d" % i for i in range(6)]


def test_concurrent_output_is_never_mixed_within_a_line(project):
    line = "x" * 300
    project.dodo('''
        LINE = %r
        def task_p():
            for n in 'ab':
                yield {'name': n, 'verbosity': 2,
                       'actions': ['for i in $(seq 400); do echo %%s-%%s; done' %% (n, LINE)]}
        ''' % line)
    r = project.run("-n", "2")
    assert r.returncode == 0, r.stderr
    out = [l for l in r.stdout.splitlines() if not l.startswith(".  ")]
    assert len(out) == 800
    assert all(l in ("a-" + line, "b-" + line) for l in out)


def test_failure_stops_new_tasks_and_keeps_exit_code(project):
    project.dodo('''
        def task_bad():
            return {'actions': ['exit 1']}
        def task_later():
            return {'actions': ['touch later.out'], 'task_dep': ['bad']}
        ''')
    r = project.run("-n", "2")
    assert r.returncode == 1
    assert "TaskFailed - taskid:bad" in r.stdout
    assert not project.exists("later.out")


def test_ctrl_c_stops_children_and_keeps_finished_tasks(project):
    project.dodo('''
        def task_first():
            return {'actions': ['echo 1 > first.out'], 'targets': ['first.out'],
                    'file_dep': ['in.txt']}
        def task_slow():
            return {'actions': ['touch slow.started; sleep 30; touch slow.out'],
                    'task_dep': ['first']}
        ''')
    project.write("in.txt", "x")
    p = project.popen("-n", "2")
    end = time.monotonic() + DEADLINE
    while not project.exists("slow.started"):
        assert p.poll() is None, "dodo ended early"
        assert time.monotonic() < end, "slow never started"
        time.sleep(0.02)
    os.killpg(p.pid, signal.SIGINT)
    try:
        rc = p.wait(timeout=DEADLINE)
    except Exception:
        os.killpg(p.pid, signal.SIGKILL)
        raise
    assert rc == -signal.SIGINT
    assert not project.exists("slow.out")
    # no process of the task is left behind
    try:
        os.killpg(p.pid, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    assert not alive
    again = project.run("first")
    assert again.stdout.splitlines() == ["-- first"]
