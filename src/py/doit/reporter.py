"""Reporters: how a run is shown. Same classes, methods and output as
doit's, so custom reporters subclassing them work; the C engine calls the
methods in doit's order."""

import datetime
import json
import sys
import time
from io import StringIO


class ConsoleReporter(object):
    """Default reporter: task lines on stdout, failures, captured output."""
    desc = 'console output'

    def __init__(self, outstream, options):
        self.failures = []
        self.runtime_errors = []
        self.failure_verbosity = options.get('failure_verbosity', 0)
        self.outstream = outstream

    def write(self, text):
        self.outstream.write(text)

    def initialize(self, tasks, selected_tasks):
        """tasks are loaded, the run starts"""

    def get_status(self, task):
        """task selected (up-to-date check follows)"""

    def execute_task(self, task):
        """task starts running (groups and private tasks are not shown)"""
        if task.actions and task.name[0] != '_':
            self.write('.  %s\n' % task.title())

    def add_failure(self, task, exception):
        """task failed (nothing shown when exception.report is False)"""
        if not getattr(exception, 'report', True):
            return
        result = {'task': task, 'exception': exception}
        self.failures.append(result)
        self._write_failure(result)

    def add_success(self, task):
        """task succeeded"""

    def skip_uptodate(self, task):
        """task skipped: up to date"""
        if task.name[0] != '_':
            self.write("-- %s\n" % task.title())

    def skip_ignore(self, task):
        """task skipped: ignored"""
        self.write("!! %s\n" % task.title())

    def cleanup_error(self, exception):
        """a teardown action failed"""
        sys.stderr.write(exception.get_msg())

    def runtime_error(self, msg):
        """dodo itself failed (shown at the end)"""
        self.runtime_errors.append(msg)

    def teardown_task(self, task):
        """task's teardown starts"""

    def _write_failure(self, result, write_exception=True):
        self.write('%s - taskid:%s\n' % (result['exception'].get_name(),
                                         result['task'].name))
        if write_exception:
            self.write(result['exception'].get_msg())
            self.write("\n")

    def complete_run(self):
        """the run is over: show the output of failed tasks"""
        for result in self.failures:
            task = result['task']
            if not task.executed:
                continue
            show_err = task.verbosity < 1 or self.failure_verbosity > 0
            show_out = task.verbosity < 2 or self.failure_verbosity == 2
            if show_err or show_out:
                self.write("#" * 40 + "\n")
            if show_err:
                self._write_failure(result,
                                    write_exception=self.failure_verbosity)
                err = "".join(a.err for a in task.actions if a.err)
                self.write("%s <stderr>:\n%s\n" % (task.name, err))
            if show_out:
                out = "".join(a.out for a in task.actions if a.out)
                self.write("%s <stdout>:\n%s\n" % (task.name, out))
        if self.runtime_errors:
            self.write("#" * 40 + "\n")
            self.write("Execution aborted.\n")
            self.write("\n".join(self.runtime_errors))
            self.write("\n")


class ExecutedOnlyReporter(ConsoleReporter):
    """No output for up-to-date and ignored tasks."""
    desc = 'console, no output for skipped (up-to-date) and group tasks'

    def skip_uptodate(self, task):
        pass

    def skip_ignore(self, task):
        pass


class ZeroReporter(ConsoleReporter):
    """Only dodo's own errors."""
    desc = 'report only internal errors from doit'

    def _just_pass(self, *args):
        pass

    get_status = execute_task = add_failure = add_success = \
        skip_uptodate = skip_ignore = teardown_task = complete_run = \
        _just_pass

    def runtime_error(self, msg):
        sys.stderr.write(msg)


class ErrorOnlyReporter(ZeroReporter):
    """Only failures and errors (doit 0.36's error-only)."""
    desc = 'Report only errors internal or TaskError and TaskFailure.'

    def add_failure(self, task, exception):
        if not getattr(exception, 'report', True):
            return
        self.write('taskid:%s - %s\n' % (task.name, exception.get_name()))
        self.write(exception.get_msg())
        self.write('\n')

    def cleanup_error(self, exception):
        sys.stderr.write(exception.get_msg())


class TaskResult(object):
    """One task's entry in the JSON report."""

    def __init__(self, task):
        self.task = task
        self.result = None  # fail, success, up-to-date, ignore
        self.out = None
        self.err = None
        self.error = None
        self.started = None
        self.elapsed = None
        self._started_on = None
        self._finished_on = None

    def start(self):
        self._started_on = time.time()

    def set_result(self, result, error=None):
        self._finished_on = time.time()
        self.result = result
        sep = "\n<------------------------------------------------>\n"
        self.out = sep.join(a.out for a in self.task.actions if a.out)
        self.err = sep.join(a.err for a in self.task.actions if a.err)
        self.error = error

    def to_dict(self):
        if self._started_on is not None:
            started = datetime.datetime.utcfromtimestamp(self._started_on)
            self.started = str(started)
            self.elapsed = self._finished_on - self._started_on
        return {'name': self.task.name, 'result': self.result,
                'out': self.out, 'err': self.err, 'error': self.error,
                'started': self.started, 'elapsed': self.elapsed}


class JsonReporter(object):
    """All results as one JSON document at the end; anything else written
    to stdout/stderr meanwhile goes into its 'out'/'err' fields."""
    desc = 'output in JSON format'

    def __init__(self, outstream, options=None):
        self.t_results = {}
        self._old_out = sys.stdout
        sys.stdout = StringIO()
        self._old_err = sys.stderr
        sys.stderr = StringIO()
        self.outstream = outstream
        self.errors = []

    def initialize(self, tasks, selected_tasks):
        pass

    def get_status(self, task):
        self.t_results[task.name] = TaskResult(task)

    def execute_task(self, task):
        self.t_results[task.name].start()

    def add_failure(self, task, exception):
        self.t_results[task.name].set_result('fail', exception.get_msg())

    def add_success(self, task):
        self.t_results[task.name].set_result('success')

    def skip_uptodate(self, task):
        self.t_results[task.name].set_result('up-to-date')

    def skip_ignore(self, task):
        self.t_results[task.name].set_result('ignore')

    def cleanup_error(self, exception):
        self.errors.append(exception.get_msg())

    def runtime_error(self, msg):
        self.errors.append(msg)

    def teardown_task(self, task):
        pass

    def complete_run(self):
        log_out = sys.stdout.getvalue()
        sys.stdout = self._old_out
        log_err = sys.stderr.getvalue()
        sys.stderr = self._old_err
        if self.errors:
            log_err += "\n".join(self.errors)
        data = {'tasks': [tr.to_dict() for tr in self.t_results.values()],
                'out': log_out, 'err': log_err}
        json.dump(data, self.outstream)


REPORTERS = {'console': ConsoleReporter,
             'executed-only': ExecutedOnlyReporter,
             'json': JsonReporter,
             'zero': ZeroReporter,
             'error-only': ErrorOnlyReporter}
