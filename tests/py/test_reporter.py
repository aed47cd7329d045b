"""Reporters and doit's in-process Task API (Task.execute with a Stream),
driven like doit's runner and compared with doit's output."""

import io
import json
import sys
import textwrap

import pytest

import _dodo
from pysupport import oracle
from minirun import normalize
from doit.exceptions import TaskError, TaskFailed
from doit.reporter import (ConsoleReporter, ErrorOnlyReporter,
                           ExecutedOnlyReporter, JsonReporter, ZeroReporter)
from doit.task import Stream

DODO = '''
    import sys
    def ok():
        print('py out')
        sys.stderr.write('py err\\n')
    def bad():
        print('bad out')
        sys.stderr.write('bad err\\n')
        return False
    def task_a():
        return {'actions': ['echo hello'], 'verbosity': 2}
    def task_b():
        return {'actions': [ok]}
    def task_c():
        return {'actions': [bad]}
    def task_d():
        return {'actions': ['echo x; echo y >&2; exit 1'], 'verbosity': 0}
    def task_e():
        return {'actions': [ok, 'echo e2'], 'verbosity': 2}
    def task__private():
        return {'actions': ['true']}
    def task_t():
        return {'actions': [bad], 'title': lambda task: 'custom ' + task.name,
                'verbosity': 0}
'''


def run_like_doit(tasks, reporter, verbosity=None):
    """doit's Runner for independent tasks, in-process"""
    stream = Stream(verbosity, verbosity is not None)
    for task in tasks:
        reporter.get_status(task)
        task.overwrite_verbosity(stream)
        task.init_options()
        reporter.execute_task(task)
        failure = task.execute(stream)
        if failure is None:
            task.save_extra_values()
            reporter.add_success(task)
        else:
            reporter.add_failure(task, failure)
    reporter.complete_run()


@pytest.mark.parametrize('verbosity', [None, 0, 2])
def test_console_like_doit(tmp_path, engine, monkeypatch, capsys, verbosity):
    (tmp_path / 'dodo.py').write_text(textwrap.dedent(DODO))
    monkeypatch.chdir(tmp_path)
    args = ['-c'] + ([] if verbosity is None else ['-v', str(verbosity)])
    proc = oracle(tmp_path, *args)
    _, tasks = _dodo.load(str(tmp_path / 'dodo.py'), {})
    capsys.readouterr()
    run_like_doit(tasks, ConsoleReporter(sys.stdout, {}), verbosity)
    shown = capsys.readouterr()
    assert normalize(shown.out) == normalize(proc.stdout)
    assert shown.err == proc.stderr


@pytest.mark.parametrize('failure_verbosity', [1, 2])
def test_failure_verbosity_like_doit(tmp_path, engine, monkeypatch, capsys,
                                     failure_verbosity):
    (tmp_path / 'dodo.py').write_text(textwrap.dedent(DODO))
    monkeypatch.chdir(tmp_path)
    proc = oracle(tmp_path, '-c', '--failure-verbosity',
                  str(failure_verbosity), 'c', 'd')
    _, tasks = _dodo.load(str(tmp_path / 'dodo.py'), {})
    tasks = [t for t in tasks if t.name in ('c', 'd')]
    capsys.readouterr()
    reporter = ConsoleReporter(sys.stdout,
                               {'failure_verbosity': failure_verbosity})
    run_like_doit(tasks, reporter)
    assert normalize(capsys.readouterr().out) == normalize(proc.stdout)


class FakeTask(object):
    def __init__(self, name, actions=(), executed=True, verbosity=1):
        self.name = name
        self.actions = list(actions)
        self.executed = executed
        self.verbosity = verbosity

    def title(self):
        return self.name


class FakeAction(object):
    def __init__(self, out, err):
        self.out, self.err = out, err


def test_console_skips_and_errors(capsys):
    out = io.StringIO()
    rep = ConsoleReporter(out, {})
    rep.skip_uptodate(FakeTask('a'))
    rep.skip_uptodate(FakeTask('_a'))
    rep.skip_ignore(FakeTask('_b'))
    rep.execute_task(FakeTask('group'))
    rep.cleanup_error(TaskError('teardown broke'))
    rep.runtime_error('oops')
    rep.add_failure(FakeTask('f', executed=False), TaskFailed('no'))
    rep.complete_run()
    assert out.getvalue() == ('-- a\n!! _b\nTaskFailed - taskid:f\nno\n\n' +
                              '#' * 40 + '\nExecution aborted.\noops\n')
    assert capsys.readouterr().err == 'teardown broke\n'


def test_other_reporters(capsys):
    out = io.StringIO()
    rep = ExecutedOnlyReporter(out, {})
    rep.skip_uptodate(FakeTask('a'))
    rep.skip_ignore(FakeTask('a'))
    rep.execute_task(FakeTask('a', [FakeAction('', '')]))
    assert out.getvalue() == '.  a\n'
    zero = ZeroReporter(out, {})
    zero.execute_task(FakeTask('z', [1]))
    zero.add_failure(FakeTask('z'), TaskFailed('x'))
    zero.complete_run()
    zero.runtime_error('internal\n')
    assert out.getvalue() == '.  a\n'
    assert capsys.readouterr().err == 'internal\n'
    errors = ErrorOnlyReporter(out, {})
    errors.skip_uptodate(FakeTask('s'))
    errors.execute_task(FakeTask('s', [1]))
    errors.add_failure(FakeTask('s'), TaskFailed('bad'))
    assert out.getvalue() == '.  a\ntaskid:s - TaskFailed\nbad\n\n'


def test_json_reporter(capsys):
    out = io.StringIO()
    rep = JsonReporter(out)
    task = FakeTask('j', [FakeAction('o1', 'e1'), FakeAction('o2', '')])
    rep.get_status(task)
    rep.execute_task(task)
    print('captured print')
    rep.add_failure(task, TaskFailed('it failed'))
    other = FakeTask('k')
    rep.get_status(other)
    rep.skip_uptodate(other)
    rep.runtime_error('abort')
    rep.complete_run()
    data = json.loads(out.getvalue())
    assert data['out'] == 'captured print\n' and data['err'] == 'abort'
    first, second = data['tasks']
    assert first['name'] == 'j' and first['result'] == 'fail'
    assert first['out'] == 'o1\n<------------------------------------------------>\no2'
    assert first['error'] == 'it failed\n' and first['elapsed'] >= 0
    assert second['result'] == 'up-to-date' and second['started'] is None
    assert capsys.readouterr().out == ''
