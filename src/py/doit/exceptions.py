"""Exceptions raised by dodo's doit layer, and failures reported for tasks.

Two families, as in doit:
- real exceptions for user mistakes found before execution (InvalidTask,
  InvalidDodoFile, InvalidCommand); the front door prints "ERROR: <str>".
- failure records (BaseFail and its subclasses) returned, not raised, by
  actions; they keep the formatted traceback of the exception that caused
  them, and get_msg() is the text the console reporter prints.
"""

import sys
import traceback


class InvalidCommand(Exception):
    """Invalid command line argument."""

    def __init__(self, *args, **kwargs):
        self.not_found = kwargs.pop('not_found', None)
        super().__init__(*args, **kwargs)
        self.cmd_used = None
        self.bin_name = 'doit'

    def __str__(self):
        if self.not_found is None:
            return super().__str__()
        if self.cmd_used:
            return ('command `{0}` invalid parameter: "{1}". Must be a task,'
                    ' or a target.\nType "{2} list" to see available tasks'
                    .format(self.cmd_used, self.not_found, self.bin_name))
        return ('Invalid parameter: "{0}". Must be a command, task, or a'
                ' target.\nType "{1} help" to see available commands.\n'
                'Type "{1} list" to see available tasks.\n'
                .format(self.not_found, self.bin_name))


class InvalidDodoFile(Exception):
    """Invalid dodo file"""


class InvalidTask(Exception):
    """Invalid task instance. User error on specifying the task."""


# Modules whose frames are plumbing between the engine and the user's code.
# Leading frames from them are left out of reported tracebacks, so a report
# starts at the first line the user wrote (doit shows its own plumbing
# frames there; ours would only name files inside the dodo binary).
_GLUE_MODULES = ('_dodo', 'importlib', 'runpy')
_OUR_PACKAGE = 'doit'


def _frame_module(tb):
    name = tb.tb_frame.f_globals.get('__name__') or ''
    return name.split('.', 1)[0]


def trim_traceback(tb, keep_ours=True):
    """Return tb from the first frame of the user's code. Without one,
    return tb without its leading glue frames (so our own frames show
    where the error was raised) or, unless keep_ours, None."""
    rest = tb
    while rest is not None and _frame_module(rest) in _GLUE_MODULES:
        rest = rest.tb_next
    user = rest
    while user is not None and _frame_module(user) in (_OUR_PACKAGE,) + _GLUE_MODULES:
        user = user.tb_next
    if user is not None or not keep_ours:
        return user
    return rest


def format_exception_text(exc, tb=None, keep_ours=False):
    """Format exc like traceback.format_exc(), minus the plumbing frames
    and this package's frames before the user's (with keep_ours, this
    package's frames stay when the user's code is not in the traceback:
    where dodo itself went wrong).

    The "Traceback (most recent call last):" header is always present, as
    in doit's reports, even when no frame is left (a SyntaxError raised
    while compiling the dodo file)."""
    if tb is None:
        tb = exc.__traceback__
    # a SyntaxError in user code has no user frame: its location is the
    # exception's own text
    keep_ours = keep_ours and not isinstance(exc, SyntaxError)
    trimmed = trim_traceback(tb, keep_ours) if tb is not None else None
    lines = list(traceback.TracebackException(
        type(exc), exc, trimmed, compact=True).format())
    header = 'Traceback (most recent call last):\n'
    if trimmed is None:
        # the chain (if any) comes first; the last exception has no frames
        tail = traceback.format_exception_only(type(exc), exc)
        cut = len(lines) - len(tail)
        lines = lines[:cut] + [header] + lines[cut:]
    return ''.join(lines)


class BaseFail(object):
    """A failure of a task, saved with the traceback that caused it."""

    def __init__(self, msg, exception=None):
        self.message = msg
        self.traceback = ''
        if isinstance(exception, BaseFail):
            self.traceback = exception.traceback
        elif exception is not None:
            tb = exception.__traceback__
            if tb is None:
                tb = sys.exc_info()[2]
            self.traceback = [format_exception_text(exception, tb)]

    def get_msg(self):
        """return the full description (message and traceback)"""
        return "%s\n%s" % (self.message, "".join(self.traceback))

    def get_name(self):
        """return the failure kind (the class name)"""
        return self.__class__.__name__

    def __repr__(self):
        return "(<%s> %s)" % (self.get_name(), self.message)

    def __str__(self):
        return "%s\n%s" % (self.get_name(), self.get_msg())


# doit < 0.36 name
CatchedException = BaseFail


class TaskFailed(BaseFail):
    """Task execution was not successful."""


class UnmetDependency(TaskFailed):
    """Task was not executed because a dependent task failed or is ignored"""


class TaskError(BaseFail):
    """Error while trying to execute task."""


class SetupError(BaseFail):
    """Error while trying to execute setup object"""


class DependencyError(BaseFail):
    """Error while trying to check if task is up-to-date or saving task status"""
