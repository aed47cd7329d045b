"""Actions of a task: shell commands (CmdAction) and Python callables.

The C engine spawns the processes of ordinary command actions itself; it
asks each action for `kind` ('cmd' or 'python') and, for commands, `mode`
('normal', 'long', 'interactive'), `shell`, `pkwargs` and `save_out`.
Everything else (a user's own action class, PythonAction, teardown and
clean actions) runs in-process through `execute(out, err)`, which follows
doit's protocol: return None on success or a BaseFail describing the
failure, and leave `out`, `err`, `result` and `values` on the action.
"""

import inspect
import io
import os
import subprocess
import sys
import threading

from .exceptions import BaseFail, InvalidTask, TaskError, TaskFailed

STRING_FORMATS = ('old', 'new', 'both')


def normalize_callable(ref):
    """return [callable, args, kwargs] from a callable or a tuple"""
    if isinstance(ref, tuple):
        return list(ref)
    return [ref, (), {}]


class BaseAction(object):
    """Base class of all actions. Subclasses implement execute(out, err)."""

    kind = 'python'
    mode = 'normal'
    task = None
    out = None
    err = None
    result = None

    @staticmethod
    def _prepare_kwargs(task, func, args, kwargs):
        """return the keyword arguments to call func with: kwargs plus the
        values doit injects by parameter name (task, targets, dependencies,
        changed, then the task's options and positional argument)."""
        if not task:
            return kwargs
        try:
            sig = inspect.signature(func)
        except (TypeError, ValueError):  # no signature: inject nothing
            return kwargs
        params = sig.parameters
        has_var_kw = any(p.kind == p.VAR_KEYWORD for p in params.values())
        given = sig.bind_partial(*args).arguments
        kwargs = dict(kwargs)

        for key, value in _MAGIC_ARGS:
            if key not in params:
                continue
            if params[key].default is not params[key].empty:
                raise InvalidTask(
                    "Task %s, action %s(): The argument '%s' is not allowed "
                    " to have a default value (reserved by doit)"
                    % (task.name, getattr(func, '__name__', func), key))
            if key not in given:
                kwargs[key] = value(task)

        options = dict(task.options or {})
        if task.pos_arg is not None:
            options[task.pos_arg] = task.pos_arg_val
        for key, value in options.items():
            if key in params:
                if key not in given:
                    kwargs[key] = value
            elif has_var_kw and key not in kwargs:
                kwargs[key] = value
        return kwargs

    def execute(self, out=None, err=None):  # pragma: no cover - abstract
        raise NotImplementedError()


def _copy(items):
    return None if items is None else list(items)


# the arguments doit passes by name: the task, and copies (doit 0.32) of
# its lists (file_dep as a list, in definition order)
_MAGIC_ARGS = (('task', lambda task: task),
               ('targets', lambda task: _copy(task.targets)),
               ('dependencies', lambda task: _copy(task.file_dep)),
               ('changed', lambda task: _copy(task.dep_changed)))


def _captures(task):
    """whether the task's actions capture their output (io.capture)"""
    io_config = getattr(task, 'io', None)
    return not io_config or bool(io_config.get('capture', True))


def _isatty(stream):
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class Writer(object):
    """A stream writing to several streams (capture and show at once).
    isatty() and fileno() are those of the original stream (the terminal
    or file shown to), as in doit 0.35; without one isatty() is False and
    fileno() raises io.UnsupportedOperation."""

    def __init__(self, *writers):
        self.writers = []
        self.orig_stream = None
        for writer in writers:
            self.add_writer(writer)

    def add_writer(self, stream, *, is_original=False):
        """add a stream; is_original: the stream isatty/fileno answer for"""
        self.writers.append(stream)
        if is_original:
            self.orig_stream = stream

    def write(self, text):
        for stream in self.writers:
            stream.write(text)

    def flush(self):
        for stream in self.writers:
            stream.flush()

    def isatty(self):
        return _isatty(self.orig_stream) if self.orig_stream else False

    def fileno(self):
        if self.orig_stream is None:
            raise io.UnsupportedOperation('fileno')
        return self.orig_stream.fileno()


class CmdAction(BaseAction):
    """A command: a string for the shell, an argv list, or a callable (or a
    (callable, args, kwargs) tuple) returning either."""

    STRING_FORMAT = 'old'  # action_string_formatting: old, new or both

    @property
    def mode(self):
        """'normal'; for a task whose io.capture is false 'interactive': the
        command runs on the terminal, its output not captured (doit 0.35)"""
        return 'normal' if _captures(self.task) else 'interactive'

    def __init__(self, action, task=None, save_out=None, shell=True,
                 encoding='utf-8', decode_error='replace', buffering=0,
                 **pkwargs):
        for forbidden in ('stdout', 'stderr'):
            if forbidden in pkwargs:
                raise InvalidTask(
                    "CmdAction can't take param named '%s'." % forbidden)
        self._action = action
        self.task = task
        self.out = None
        self.err = None
        self.result = None
        self.values = {}
        self.save_out = save_out
        self.shell = shell
        self.encoding = encoding
        self.decode_error = decode_error
        self.pkwargs = pkwargs
        self.buffering = buffering
        self.expanded = None  # the last command line built

    @property
    def kind(self):
        """'cmd' unless a subclass runs itself with its own execute()"""
        return 'cmd' if type(self).execute is CmdAction.execute else 'python'

    @property
    def action(self):
        """the command before substitution (calls a callable action)"""
        if isinstance(self._action, (str, list)):
            return self._action
        ref, args, kw = normalize_callable(self._action)
        return ref(*args, **self._prepare_kwargs(self.task, ref, args, kw))

    def _substitutions(self):
        task = self.task
        subs = {'targets': " ".join(task.targets),
                'dependencies': " ".join(task.file_dep)}
        if task.dep_changed is not None:
            subs['changed'] = " ".join(task.dep_changed)
        if task.options is None:
            task.init_options()
        subs.update(task.options)
        if task.pos_arg:
            subs[task.pos_arg] = ' '.join(task.pos_arg_val or [])
        return subs

    def expand_action(self):
        """return the command to run: a str with the keys substituted, or a
        list of str (no substitution in lists)."""
        action = self.action
        if not self.task:
            return action
        if isinstance(action, list):
            argv = []
            for element in action:
                if isinstance(element, (str, os.PathLike)):
                    argv.append(os.fspath(element))
                else:
                    raise InvalidTask(
                        "%s. CmdAction element must be a str or Path from "
                        "pathlib. Got '%r' (%s)"
                        % (self.task.name, element, type(element)))
            return argv
        subs = self._substitutions()
        style = self.STRING_FORMAT
        if style == 'new':
            return action.format(**subs)
        if style == 'both':
            return action.format(**subs) % subs
        return action % subs

    def outcome(self, returncode):
        """return None or the failure for a finished process, as doit does"""
        cmd = self.expanded
        kind = type(self).mode  # LongRunning, Interactive: a str
        if kind == 'long':
            return None
        if kind == 'interactive':
            if returncode != 0:
                return TaskFailed("Interactive command failed: '%s' returned %s"
                                  % (cmd, returncode))
            return None
        if returncode > 125:
            return TaskError("Command error: '%s' returned %s"
                             % (cmd, returncode))
        if returncode != 0:
            return TaskFailed("Command failed: '%s' returned %s"
                              % (cmd, returncode))
        return None

    def record(self, returncode, out, err):
        """save a finished process's output; return outcome(returncode)"""
        if self.mode != 'normal':
            return self.outcome(returncode)
        self.out = out
        self.err = err
        self.result = out + err
        failure = self.outcome(returncode)
        if failure is None and self.save_out:
            self.values[self.save_out] = out
        return failure

    def _pump(self, pipe, capture, realtime):
        decoder_read = (lambda: pipe.read(self.buffering)) if self.buffering \
            else pipe.readline
        while True:
            chunk = decoder_read()
            if not chunk:
                break
            text = chunk.decode(self.encoding, self.decode_error)
            capture.write(text)
            if realtime:
                realtime.write(text)
                realtime.flush()

    def execute(self, out=None, err=None):
        """run the command in a child process (used in-process, for
        teardown and clean actions); out/err get the output as it comes."""
        try:
            self.expanded = self.expand_action()
        except Exception as exc:
            return TaskError("CmdAction Error creating command string", exc)
        pkwargs = dict(self.pkwargs)
        env = pkwargs.pop('env', None)
        if self.buffering:
            env = dict(os.environ if env is None else env)
            env['PYTHONUNBUFFERED'] = '1'
        if self.mode != 'normal':
            proc = subprocess.Popen(self.expanded, shell=self.shell, env=env,
                                    **pkwargs)
            try:
                proc.wait()
            except KeyboardInterrupt:
                if self.mode != 'long':
                    raise
            return self.outcome(proc.returncode)
        proc = subprocess.Popen(self.expanded, shell=self.shell, env=env,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, **pkwargs)
        captured = (io.StringIO(), io.StringIO())
        pumps = [threading.Thread(target=self._pump, args=args) for args in
                 ((proc.stdout, captured[0], out),
                  (proc.stderr, captured[1], err))]
        for pump in pumps:
            pump.start()
        for pump in pumps:
            pump.join()
        proc.stdout.close()
        proc.stderr.close()
        proc.wait()
        return self.record(proc.returncode, captured[0].getvalue(),
                           captured[1].getvalue())

    def __str__(self):
        return "Cmd: %s" % (self._action,)

    def __repr__(self):
        return "<CmdAction: '%s'>" % (self._action,)


class LongRunning(CmdAction):
    """A long running process (a server): output never captured, exit code
    ignored, KeyboardInterrupt swallowed."""
    mode = 'long'


class Interactive(CmdAction):
    """An interactive process: output never captured, fails on non-zero."""
    mode = 'interactive'


def post_mortem(exc):
    """run pdb on the traceback of exc, on the real terminal"""
    import pdb
    debugger = pdb.Pdb(stdin=sys.__stdin__, stdout=sys.__stdout__)
    debugger.reset()
    debugger.interaction(None, exc.__traceback__)


class PythonAction(BaseAction):
    """Call a Python callable with args and kwargs (plus injected ones).
    pm_pdb (`run --pdb`): start pdb post-mortem when the callable raises."""

    pm_pdb = False

    def __init__(self, py_callable, args=None, kwargs=None, task=None):
        self.py_callable = py_callable
        self.task = task
        self.out = None
        self.err = None
        self.result = None
        self.values = {}
        self.args = [] if args is None else args
        self.kwargs = {} if kwargs is None else kwargs

        if not callable(self.py_callable):
            msg = "%r PythonAction must be a 'callable' got %r."
        elif inspect.isclass(self.py_callable):
            msg = "%r PythonAction can not be a class got %r."
        elif inspect.isbuiltin(self.py_callable):
            msg = "%r PythonAction can not be a built-in got %r."
        else:
            msg = None
        if msg:
            raise InvalidTask(msg % (self.task, self.py_callable))
        if type(self.args) not in (tuple, list):
            raise InvalidTask("%r args must be a 'tuple' or a 'list'. got '%s'."
                              % (self.task, self.args))
        if type(self.kwargs) is not dict:
            raise InvalidTask("%r kwargs must be a 'dict'. got '%s'"
                              % (self.task, self.kwargs))

    def _prepare_kwargs(self):
        return BaseAction._prepare_kwargs(self.task, self.py_callable,
                                          self.args, self.kwargs)

    def _capture(self, out, err):
        """swap sys.stdout/err for writers capturing into StringIO;
        return (restore_function, out_buffer, err_buffer)"""
        saved = (sys.stdout, sys.stderr)
        buffers = (io.StringIO(), io.StringIO())
        writers = []
        for buf, show in zip(buffers, (out, err)):
            writer = Writer(buf)
            if show:
                writer.add_writer(show, is_original=True)
            writers.append(writer)
        sys.stdout, sys.stderr = writers

        def restore():
            sys.stdout, sys.stderr = saved
        return restore, buffers

    def execute(self, out=None, err=None):
        """call the callable; return None or the failure (see module doc)"""
        capture = _captures(self.task)
        if capture:
            restore, buffers = self._capture(out, err)
        try:
            kwargs = self._prepare_kwargs()
            returned = self.py_callable(*self.args, **kwargs)
        except InvalidTask:
            raise
        except Exception as exc:
            if self.pm_pdb:
                post_mortem(exc)
            return TaskError("PythonAction Error", exc)
        finally:
            if capture:
                restore()
                self.out = buffers[0].getvalue()
                self.err = buffers[1].getvalue()
            else:
                self.out = self.err = ''
        return self._process_return(returned)

    def _process_return(self, returned):
        if returned is False:
            return TaskFailed("Python Task failed: '%s' returned %s"
                              % (self.py_callable, returned))
        if returned is True or returned is None:
            return None
        if isinstance(returned, str):
            self.result = returned
            return None
        if isinstance(returned, dict):
            self.values = returned
            self.result = returned
            return None
        if isinstance(returned, (TaskFailed, TaskError)):
            return returned
        return TaskError("Python Task error: '%s'. It must return:\n"
                         "False for failed task.\n"
                         "True, None, string or dict for successful task\n"
                         "returned %s (%s)"
                         % (self.py_callable, returned, type(returned)))

    def __str__(self):
        # the callable's description without its memory address
        return "Python: %s" % str(self.py_callable)[1:].split(' at ')[0]

    def __repr__(self):
        return "<PythonAction: '%s'>" % (repr(self.py_callable),)


class PythonInteractiveAction(PythonAction):
    """A Python callable whose output is never captured; it fails only by
    raising an exception."""

    def execute(self, out=None, err=None):
        try:
            returned = self.py_callable(*self.args, **self._prepare_kwargs())
        except InvalidTask:
            raise
        except Exception as exc:
            return TaskError("PythonAction Error", exc)
        if isinstance(returned, str):
            self.result = returned
        elif isinstance(returned, dict):
            self.values = returned
            self.result = returned
        return None


class InvalidActions(BaseAction):
    """Stands for the actions of a task when one of them is invalid: as in
    doit, the error shows only when the task is about to run, where
    execute() raises the InvalidTask (a runtime error, "Execution
    aborted.")."""

    def __init__(self, error, task=None):
        self.error = error
        self.task = task
        self.out = None
        self.err = None
        self.result = None
        self.values = {}

    def execute(self, out=None, err=None):
        raise InvalidTask(str(self.error))

    def __str__(self):
        return "Invalid: %s" % (self.error,)


def create_action(action, task_ref, param_name='actions'):
    """return the action object for one item of actions/teardown/clean"""
    if isinstance(action, BaseAction):
        action.task = task_ref
        return action
    if isinstance(action, str):
        return CmdAction(action, task_ref, shell=True)
    if isinstance(action, list):
        return CmdAction(action, task_ref, shell=False)
    if isinstance(action, tuple):
        if len(action) > 3:
            raise InvalidTask("Task '%s': invalid '%s' tuple length. got: %r %s"
                              % (task_ref.name, param_name, action,
                                 type(action)))
        py_callable, args, kwargs = list(action) + [None] * (3 - len(action))
        return PythonAction(py_callable, args, kwargs, task_ref)
    if callable(action):
        return PythonAction(action, task=task_ref)
    raise InvalidTask("Task '%s': invalid '%s' type. got: %r %s"
                      % (task_ref.name, param_name, action, type(action)))


def is_failure(value):
    """True if value is a failure record returned by execute()"""
    return isinstance(value, BaseFail)
