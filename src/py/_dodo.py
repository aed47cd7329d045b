"""The contract between dodo's C engine and Python (module `_dodo`).

C loads the task file with load(), reads the plain attributes of the
returned Task objects, and during a run calls the functions below for everything that needs Python: command-line parameters
of tasks, getargs, building command lines, running Python actions, values
to save, uptodate callables, calc_dep, delayed task creation, teardown,
clean and titles. Saved state is read back through the built-in module
`_dodo_engine` (get_values, get_result, initial_workdir), imported lazily.

Task attributes (plain values): name; doc (str, '' when none); actions
(action objects: kind 'cmd'|'python'; for 'cmd': mode 'normal'|'long'|
'interactive', shell, pkwargs, save_out; actions_error is the message of
an invalid action, else None); file_dep (list, deduplicated, definition
order); targets; task_dep (explicit names); wild_dep (patterns with *);
setup_tasks; calc_dep; uptodate ([(obj, args, kwargs)]: obj bool/None/
str/callable); clean_targets (bool); clean_actions; teardown (actions);
verbosity (int|None); io ({'capture': bool}); getargs ({arg: (task, key|
None)}); has_subtask; subtask_of (str|None: the group that yielded it,
the only source of the sub-task relation); params (option dicts);
pos_arg; watch; loader (None or a DelayedLoader: creator, task_dep,
target_regex, creates, created); meta; custom_title.
C sets dep_changed (list of changed file_dep) before expand_cmd and
run_python, and may read values, result, executed, options, pos_arg_val.

Errors that stop dodo before or instead of running a task raise LoadError
(message: the exact text doit prints on stderr, code: the exit code).
SystemExit and KeyboardInterrupt from the task file's code go through to C,
which ends dodo as Python would; finish() raises Unsavable for values the
state cannot hold.
Outcomes of actions are (status, exc_name, message) tuples: status 0 ok,
1 failed (TaskFailed), 2 error (any other failure); message is what the
failure's get_msg() gives, the text the reporter prints.
"""

import functools
import inspect
import os
import subprocess
import sys

import _dodo_inputs
from doit import doit_cmd, loader
from doit.action import CmdAction, STRING_FORMATS
from doit.cmd_base import version_tuple
from doit.cmdparse import CmdOption, CmdParseError, TaskParse
from doit.dependency import (EngineState, UptodateCalculator, encode_json,
                             get_md5)
from doit.exceptions import (BaseFail, InvalidCommand, InvalidDodoFile,
                             InvalidTask, SetupError, TaskError, TaskFailed,
                             format_exception_text)
from doit.task import DelayedLoaded, Stream
from doit.version import VERSION

# names a task creator may not have (dodo's sub-commands)
COMMAND_NAMES = ('auto', 'clean', 'dumpdb', 'forget', 'help', 'ignore',
                 'info', 'list', 'reset-dep', 'run', 'strace',
                 'tabcompletion')

_USER_ERRORS = (CmdParseError, InvalidDodoFile, InvalidCommand, InvalidTask)

# all tasks by name, from the last load() (and create_delayed())
_tasks = {}


class LoadError(Exception):
    """dodo must stop: print message on stderr as is, exit with code"""

    def __init__(self, message, code=3):
        super().__init__(message, code)
        self.message = message
        self.code = code

    def __str__(self):
        return self.message


class ActionError(Exception):
    """expand_cmd() could not build the command: the action failed with
    (status, exc_name, message), like the tuples of cmd_done()"""

    def __init__(self, status, exc_name, message):
        super().__init__(status, exc_name, message)
        self.status = status
        self.exc_name = exc_name
        self.message = message


class Unsavable(Exception):
    """finish(): the task's values (or dict result) cannot be written to the
    state. doit fails so when it closes its state file at the end of the
    run, without its teardown and final report: message is the traceback it
    prints (exit 3)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class RunAborted(Exception):
    """the run must stop as doit's runtime errors do: the reporter's
    runtime_error(message) ("Execution aborted." then message), exit 2"""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _user_error(exc, code=3):
    return LoadError("ERROR: %s\n" % (exc,), code)


def _outcome(failure):
    """(status, exc_name, message) for what execute() returned: a BaseFail
    is a failure, anything else success (as in doit's Task.execute)"""
    if not isinstance(failure, BaseFail):
        return (0, None, None)
    status = 1 if isinstance(failure, TaskFailed) else 2
    return (status, failure.get_name(), failure.get_msg())


def _flush_std():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError):
            pass


def _entry(func):
    """an entry point running user code: flush Python's stdout/stderr
    before returning to C, so output keeps its order with the engine's"""
    @functools.wraps(func)
    def entry(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        finally:
            _flush_std()
    return entry


def _engine_workdir():
    try:
        import _dodo_engine
    except ImportError:
        return os.getcwd()
    return _dodo_engine.initial_workdir()


# --- 1. load -------------------------------------------------------------
def _exec_file(path, cwd):
    """run the task file; SystemExit and KeyboardInterrupt go through (C
    ends dodo as Python would on them)"""
    try:
        return loader.exec_dodo_file(path, cwd)
    except Exception as exc:
        raise LoadError(format_exception_text(exc), 3) from None


def _check_minversion(minversion):
    if minversion and version_tuple(minversion) > version_tuple(VERSION):
        raise LoadError("ERROR: Please update doit. Minimum version required "
                        "is %s. You are using %s. \n" % (minversion, VERSION))


def configure(config):
    """apply the run's configuration to the Python side (C calls it again
    after merging the command line and config files): the keys used are
    action_string_formatting ('old', 'new', 'both') and minversion"""
    style = config.get('action_string_formatting', 'old')
    if style not in STRING_FORMATS:
        raise LoadError("ERROR: `action_string_formatting` must be one of "
                        "'old', 'new', 'both'. got: %r\n" % (style,))
    CmdAction.STRING_FORMAT = style
    _check_minversion(config.get('minversion'))


@_entry
def load(path, cmd_vars, args=(), delayed=True, config=None):
    """Load the task file at path (C already chdir'ed; a relative path is
    taken from the current folder). Return (DOIT_CONFIG, [Task]).

    cmd_vars: NAME=VALUE variables (get_var). Extensions: args, the
    command-line task arguments (task_params creators parse the options
    after their name); delayed=False runs create_after creators now, as
    doit does for every command but `run` (placeholders are still made for
    `creates`); config: sections of doit.cfg / pyproject.toml as dicts
    ('task:NAME' sections give defaults to the parameters of task NAME and
    of creator NAME). What the load reads is recorded (_dodo_inputs)."""
    _dodo_inputs.start()
    result = None
    try:
        result = _load(path, cmd_vars, args, delayed, config)
    finally:
        _dodo_inputs.stop(result)
    return result


def _load(path, cmd_vars, args, delayed, config):
    global _tasks
    doit_cmd.reset_vars()
    for name, value in (cmd_vars or {}).items():
        doit_cmd.set_var(name, value)
    loader.initial_workdir = _engine_workdir()
    path = os.path.abspath(path)
    if not os.path.exists(path):
        raise _user_error(InvalidDodoFile(
            "Could not find dodo file '%s'.\n"
            "Please use '-f' to specify file name.\n" % path))
    CmdAction.STRING_FORMAT = 'old'
    namespace = dict(vars(_exec_file(path, os.getcwd())))
    try:
        tasks = loader.load_tasks(namespace, COMMAND_NAMES, delayed,
                                  list(args), config)
        doit_config = loader.load_doit_config(namespace)
    except _USER_ERRORS as exc:
        raise _user_error(exc) from None
    except Exception as exc:
        raise LoadError(format_exception_text(exc), 3) from None
    seen = {}
    for task in tasks:
        section = (config or {}).get('task:' + task.name)
        if section:
            task.cfg_values = dict(section)
        if task.name in seen:
            raise LoadError("ERROR: Task names must be unique. %s\n"
                            % task.name)
        seen[task.name] = task
    configure(doit_config)
    _tasks = seen
    return doit_config, tasks


def tasks():
    """all tasks by name (from load and create_delayed)"""
    return _tasks


# --- 3, 4. parameters and getargs --------------------------------------
def _task_parser(task):
    parser = TaskParse([CmdOption(opt) for opt in
                        list(task.params) + list(task.creator_params)])
    if task.cfg_values is not None:
        parser.overwrite_defaults(task.cfg_values)
    return parser


def parse_task_args(task, args):
    """Parse the task's options from args (what follows the task name on
    the command line); set task.options (and task.pos_arg_val when the
    task has pos_arg, which takes every remaining argument). Return the
    remaining arguments."""
    try:
        values, rest = _task_parser(task).parse(list(args))
    except CmdParseError as exc:
        raise _user_error(exc) from None
    task.options = dict(values)
    if task.pos_arg is not None:
        task.pos_arg_val = rest
        return []
    return rest


def _getarg_value(state, task_id, key):
    if key is None:
        return state.get_values(task_id)
    return state.get_value(task_id, key)


def prepare(task):
    """Before running: default options, then getargs values from the saved
    values of other tasks (group tasks: a dict over their whole task_dep,
    sub-task or not, keyed by the name less the group's name and one
    character, as doit does)."""
    try:
        task.init_options()
    except CmdParseError as exc:
        raise _user_error(exc) from None
    state = EngineState()
    try:
        for arg, (task_id, key) in task.getargs.items():
            source = _tasks[task_id]
            if source.has_subtask:
                cut = len(task_id) + 1
                value = {dep[cut:]: _getarg_value(state, dep, key)
                         for dep in source.task_dep}
            else:
                value = _getarg_value(state, task_id, key)
            task.options[arg] = value
    except Exception as exc:
        raise LoadError("ERROR getting value for argument\n" + str(exc),
                        2) from None


# --- 5, 6, 7. actions --------------------------------------------------
def _ready(task):
    task.executed = True
    if task.options is None:
        try:
            task.init_options()
        except CmdParseError as exc:
            raise _user_error(exc) from None


@_entry
def expand_cmd(task, action):
    """The command line of a command action: a str (for /bin/sh -c when
    action.shell) or a list of str. Raises ActionError when it cannot be
    built (doit's "CmdAction Error creating command string")."""
    _ready(task)
    try:
        cmd = action.expand_action()
    except Exception as exc:
        failure = TaskError("CmdAction Error creating command string", exc)
        raise ActionError(*_outcome(failure)) from None
    action.expanded = cmd
    return cmd


def _decode_output(action, data):
    """A command's output (bytes) as doit's reader thread makes it text:
    each line (or each chunk of `buffering` bytes) decoded on its own with
    the action's encoding and decode_error ('utf-8', 'replace')."""
    size = action.buffering
    if size:
        pieces = [data[i:i + size] for i in range(0, len(data), size)]
    else:
        pieces = data.split(b'\n')
        pieces = [line + b'\n' for line in pieces[:-1]] + pieces[-1:]
    return ''.join(piece.decode(action.encoding, action.decode_error)
                   for piece in pieces)


def cmd_done(task, action, returncode, out, err):
    """Record a finished command (out, err: bytes; out, err, result and the
    save_out value are text) and return its outcome. mode 'long' ignores the
    exit code, 'interactive' fails on non-zero; neither records output. A
    command the engine built itself (a native template, src/expand.c) was
    not expanded here: its text for the messages is expanded now. Output
    the action's decoding refuses (decode_error='strict', an unknown
    encoding) fails the action."""
    if (action.expanded is None or
            _dodo_inputs.native_command(task, action) is not None):
        _ready(task)
        try:
            action.expanded = action.expand_action()
        except Exception:  # the engine ran it: show the template at worst
            action.expanded = action._action
    try:
        out, err = _decode_output(action, out), _decode_output(action, err)
    except Exception as exc:
        return _outcome(TaskError("CmdAction Error decoding the command's "
                                  "output", exc))
    return _outcome(action.record(returncode, out, err))


@_entry
def run_python(task, action, verbosity):
    """Run a Python action (or any action whose kind is 'python') in
    process: verbosity 0 captures stdout and stderr, 1 captures stdout and
    shows stderr, 2 shows and captures both. Returns the outcome; raises
    RunAborted for doit's runtime errors (InvalidTask)."""
    _ready(task)
    out, err = Stream._get_out_err(verbosity)
    try:
        failure = action.execute(out, err)
    except InvalidTask as exc:
        raise RunAborted(str(exc)) from None
    return _outcome(failure)


def forked_state(action):
    """In the forked copy that ran a Python action (-P process): what the
    action keeps for its task (out, err, result, values), pickled for the
    parent. A result or values that cannot be pickled fail the action, as
    they do in doit's MRunner."""
    import pickle
    kept = (action.out, action.err, action.result, action.values)
    try:
        return pickle.dumps(kept)
    except Exception as exc:
        raise TypeError("the result or values of a Python action run in a "
                        "worker process (-P process) must be picklable: %s"
                        % exc) from None


def forked_restore(action, data):
    """In the parent: put what forked_state sent on the action."""
    import pickle
    action.out, action.err, action.result, action.values = pickle.loads(data)


def forget_run(task):
    """A task failed with its Python actions forked (-P process): doit's
    worker sends back only the failure, so its actions keep nothing of the
    run (a reporter sees no output)."""
    for action in task.actions:
        action.out = action.err = action.result = None
        action.values = {}


def _storable(value, canonical=False):
    """value as JSON text; Unsavable when JSON cannot hold it (keys that
    are tuples, nesting too deep, ...). canonical: sorted keys when they
    sort (doit keeps a dict result as it is)."""
    try:
        try:
            return encode_json(value, canonical=canonical)
        except TypeError:
            if not canonical:
                raise
            return encode_json(value)
    except Exception as exc:
        raise Unsavable(format_exception_text(exc)) from None


def _result_digest(result):
    if not result:
        return None
    if isinstance(result, dict):
        return get_md5(_storable(result, canonical=True))
    if isinstance(result, str):
        return get_md5(result)
    return get_md5(str(result))


def finish(task):
    """After all actions succeeded: collect values and result from the
    actions (in order) and from the uptodate value savers. Returns
    (values as JSON text, result digest or None). The values text is
    '{}' rather than None for a task without values, so that a task that
    ran is told apart from one that never did. Values (or a dict result)
    JSON cannot hold raise Unsavable; a result str that cannot be hashed
    (a lone surrogate) raises as in doit's save_success."""
    for action in task.actions:
        task.result = action.result
        task.values.update(action.values)
    task.save_extra_values()
    return _storable(task.values), _result_digest(task.result)


# --- 9, 10, 11. uptodate, title, calc_dep --------------------------------
def _magic_args(utd, task):
    try:
        names = list(inspect.signature(utd).parameters)
    except (TypeError, ValueError):
        return []
    magic = []
    for i, name in enumerate(names[:2]):
        if i == 0 and name == 'task':
            magic.append(task)
        elif i == 1 and name == 'values':
            magic.append(EngineState().get_values(task.name))
    return magic


@_entry
def call_uptodate(task, index):
    """Evaluate task.uptodate[index]: True (up to date), False, or None
    (ignored). Exceptions propagate (see format_exception)."""
    utd, args, kwargs = task.uptodate[index]
    if callable(utd):
        if isinstance(utd, UptodateCalculator):
            utd.setup(EngineState(), _tasks)
        result = utd(*(_magic_args(utd, task) + list(args or [])),
                     **(kwargs or {}))
    elif isinstance(utd, str):
        result = subprocess.call(utd, shell=True, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL) == 0
    else:
        result = utd
    return None if result is None else bool(result)


@_entry
def task_help(task):
    """the text of `help TASK` (doit's: name, doc, one block per option)"""
    lines = ["%s  %s" % (task.name, task.doc)]
    for opt in _task_parser(task).options:
        lines.extend(opt.help_doc())
    return "\n".join(lines) + "\n"


@_entry
def title(task):
    """the task's title (custom title or name)"""
    return task.title()


def apply_calc_dep(task, calc_task):
    """Merge the dependencies a calc_dep task returned into task (keys
    file_dep, task_dep, calc_dep, uptodate). A calc task that did not run
    (up to date) contributes its saved values."""
    if not calc_task.executed:
        calc_task.values = EngineState().get_values(calc_task.name)
    task.update_deps(calc_task.values)


# --- 12. create_after --------------------------------------------------
def _placeholder(task_name):
    """the task holding the DelayedLoader for task_name (None: task_name
    is a task with nothing left to create)"""
    task = _tasks.get(task_name)
    if task is not None:
        return task if task.loader else None
    if task_name.startswith('_regex_target_') and ':' in task_name:
        task = _tasks.get(task_name.rsplit(':', 1)[1])
    elif ':' in task_name:
        task = _tasks.get(task_name.split(':', 1)[0])
    if task is None or not task.loader:
        raise KeyError("'%s' is not a delayed task" % task_name)
    return task


@_entry
def create_delayed(task_name):
    """Run the create_after creator behind placeholder task_name (or
    'base:sub' / '_regex_target_X:base' for a placeholder 'base') and
    return the tasks it created; they replace placeholders of the same
    name. Returns [] when that creator already ran (or task_name is an
    ordinary task); KeyError for an unknown name. InvalidTask in the new
    tasks raises RunAborted."""
    holder = _placeholder(task_name)
    if holder is None:
        return []
    delayed = holder.loader
    if delayed.created:
        holder.loader = DelayedLoaded
        return []
    to_load = delayed.basename or holder.name
    creator = delayed.creator
    try:
        new_tasks = loader.generate_tasks(
            to_load, creator(**(delayed.kwargs or {})), creator.__doc__)
    except InvalidTask as exc:
        raise RunAborted(str(exc)) from None
    delayed.created = True
    holder.loader = DelayedLoaded
    for task in new_tasks:
        if not task.loader:
            task.loader = DelayedLoaded
        _tasks[task.name] = task
    return list(new_tasks)


# --- 13, 14, 15. teardown, clean, errors ---------------------------------
@_entry
def run_teardown(task, verbosity):
    """Run the teardown actions; return None or the error text to print on
    stderr (doit's SetupError message)."""
    out, err = Stream._get_out_err(verbosity)
    for action in task.teardown:
        failure = action.execute(out, err)
        if isinstance(failure, BaseFail):
            error = SetupError("ERROR: task '%s' teardown action"
                               % task.name, failure)
            return error.get_msg()
    return None


@_entry
def clean(task, dryrun, out):
    """doit's Task.clean: remove targets (clean True) or run the clean
    actions, with doit's messages written to out"""
    task.clean(out if out is not None else sys.stdout, dryrun)


def format_exception(exc):
    """doit's text for an unexpected exception: a traceback from the user's
    code on, with none of dodo's frames (doit's own are outside the user's
    folder; a header alone when the user's code is not in it)"""
    return format_exception_text(exc)
