"""Python side of dodo's commands other than `run` (module `_dodo_cmds`).

The commands live in C (src/cmd_*.c); they call this module, through
src/py/cmds.c, for what only Python knows or does:

- read_config(paths): parse pyproject.toml ([tool.doit]) and doit.cfg with
  tomllib and configparser, as doit does; sections() gives the result to
  the loader ('task:NAME' sections set creator parameters).
- clean(task, dryrun): a task's clean actions.
- info_text, uptodate_text, help_text: the texts of `info` and `help TASK`
  that print Python values (reprs, pprint, parameter help).
- reporter_class(name), new_reporter(cls, failure_verbosity), failure():
  reporters written in Python (a class in DOIT_CONFIG, a [REPORTER]
  plugin) driven by the C engine.
- strace(task, trace_file, show_all): wrap a task's command actions in
  strace and make the `strace_report` task, as doit's strace command does.
"""

import configparser
import importlib
import io
import os
import pprint
import re
import sys

from doit import exceptions
from doit.action import CmdAction, PythonAction
from doit.cmdparse import CmdOption, TaskParse
from doit.exceptions import BaseFail, TaskError
from doit.task import Task

# section -> {key: value} of the configuration files (values as parsed)
CONFIG = {}

# the folder the configuration files were read in, and whether they were
_config_dir = os.getcwd()
_config_read = False

# the reporter class given in DOIT_CONFIG, if any
_config_reporter = None

# doit's plugin sections (INI section names; [tool.doit.plugins.X] in TOML)
PLUGIN_TYPES = ('command', 'loader', 'backend', 'reporter')


class ConfigError(Exception):
    """a configuration file is malformed (message for the user)"""


# --- configuration files -------------------------------------------------
def _toml_sections(path, prefix):
    import tomllib
    with open(path, 'rb') as f:
        raw = tomllib.load(f)
    for part in prefix.split('.') if prefix else ():
        raw = raw.get(part, {})
        if not isinstance(raw, dict):
            return {}
    raw = dict(raw)
    config = {}
    for kind, plugins in raw.pop('plugins', {}).items():
        if kind not in PLUGIN_TYPES:
            raise ConfigError("unknown plugin type '%s' in [tool.doit.plugins]"
                              % kind)
        config[kind.upper()] = dict(plugins)
    for command, values in raw.pop('commands', {}).items():
        config[command] = dict(values)
    for task, values in raw.pop('tasks', {}).items():
        config['task:%s' % task] = dict(values)
    for key, value in raw.items():
        config.setdefault('GLOBAL', {})[key] = value
    return config


def _ini_sections(path):
    parser = configparser.ConfigParser(allow_no_value=True, delimiters=('=',))
    parser.optionxform = str   # keep the case of option names
    with open(path, encoding='utf-8') as f:
        parser.read_file(f, source=_shown(path))
    return {section: dict(parser[section].items())
            for section in parser.sections()}


def _text(value):
    """a value as the text C applies to options (None stays None)"""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return ','.join(str(v) for v in value)
    return str(value)


def _shown(path):
    """a configuration file's name as the user knows it (from its folder)"""
    return os.path.relpath(path, _config_dir)


def read_config(paths, folder=None):
    """Read the configuration files (in order; later ones override) found in
    folder (default: the current one). Returns [(section, key, text)] and
    keeps the parsed values in CONFIG. Raises ConfigError for a malformed
    file."""
    global _config_dir, _config_read
    CONFIG.clear()
    _config_dir = folder or os.getcwd()
    _config_read = True
    for path in paths:
        try:
            if path.lower().endswith('.toml'):
                prefix = 'tool.doit' if os.path.basename(path) == \
                    'pyproject.toml' else ''
                found = _toml_sections(path, prefix)
            else:
                found = _ini_sections(path)
        except ConfigError as exc:
            raise ConfigError("%s: %s" % (_shown(path), exc)) from None
        except (OSError, ValueError, configparser.Error) as exc:
            raise ConfigError("invalid configuration file '%s': %s"
                              % (_shown(path), exc)) from None
        for section, values in found.items():
            CONFIG.setdefault(section, {}).update(values)
    return [(section, key, _text(value))
            for section, values in CONFIG.items()
            for key, value in values.items()]


def sections():
    """the configuration sections, for the loader; None when this
    interpreter has not read the files"""
    return CONFIG if _config_read else None


# --- clean ---------------------------------------------------------------
def clean(task, dryrun):
    """doit's Task.clean for clean actions. Returns True when the task's
    targets are to be removed (clean: True): C does that."""
    task.init_options()
    if task.clean_targets:
        return True
    out = sys.stdout
    for action in task.clean_actions:
        out.write("%s - executing '%s'\n" % (task.name, action))
        run_anyway = False
        if isinstance(action, PythonAction):
            try:
                takes = __import__('inspect').signature(
                    action.py_callable).parameters
            except (TypeError, ValueError):
                takes = ()
            if 'dryrun' in takes:
                run_anyway = True
                action.kwargs['dryrun'] = dryrun
        if not dryrun or run_anyway:
            failure = action.execute(out=out)
            if isinstance(failure, BaseFail):
                _flush()
                sys.stderr.write(str(failure))
    _flush()
    return False


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError):
            pass


# --- info and help -------------------------------------------------------
_INFO_ATTRS = (('file_dep', 'list'), ('task_dep', 'list'),
               ('setup_tasks', 'list'), ('calc_dep', 'list'),
               ('targets', 'list'), ('getargs', 'dict'), ('params', 'list'),
               ('verbosity', 'scalar'), ('watch', 'list'), ('meta', 'dict'))


def info_text(task):
    """the attributes `info` prints (only those with a non-empty value)"""
    out = io.StringIO()
    printer = pprint.PrettyPrinter(indent=4, stream=out)
    for attr, kind in _INFO_ATTRS:
        value = getattr(task, attr, None)
        if not value:
            continue
        out.write('\n{:11s}: '.format(attr))
        if kind == 'list':
            out.write('\n')
            for item in value:
                out.write(' - {}\n'.format(item))
        else:
            printer.pprint(value)
    return out.getvalue()


def uptodate_text(task, index):
    """an uptodate entry that evaluated to false, as `info` shows it"""
    utd, args, kwargs = task.uptodate[index]
    return '    - {} (args={}, kwargs={})'.format(utd, args, kwargs)


def help_text(task):
    """`help TASK`: the task's name and doc, then its parameters"""
    lines = ["%s  %s" % (task.name, task.doc)]
    params = list(task.params) + list(getattr(task, 'creator_params', ()))
    for opt in TaskParse([CmdOption(opt) for opt in params]).options:
        # doit prints each option's lines, an empty one for an option
        # without a short or long name
        lines.append("\n".join(opt.help_doc()))
    return "\n".join(lines) + "\n"


# --- reporters -----------------------------------------------------------
def set_config_reporter(cls):
    """DOIT_CONFIG['reporter'] is a class"""
    global _config_reporter
    _config_reporter = cls


def _import(module_name):
    """import a plugin's module; the folder of the configuration files is on
    the path (doit, run as `python -m doit`, has its current folder there)"""
    added = _config_dir not in sys.path
    if added:
        sys.path.insert(0, _config_dir)
    try:
        return importlib.import_module(module_name)
    finally:
        if added and _config_dir in sys.path:
            sys.path.remove(_config_dir)


def _plugin(section, name):
    location = CONFIG.get(section, {}).get(name)
    if not isinstance(location, str) or ':' not in location:
        return None
    module_name, obj_name = location.split(':', 1)
    try:
        module = _import(module_name)
    except ImportError:
        raise Exception('Plugin {} module `{}` not found.'.format(
            section, module_name)) from None
    try:
        return getattr(module, obj_name)
    except AttributeError:
        raise Exception('Plugin {}:{} module `{}` has no {}.'.format(
            section, name, module_name, obj_name)) from None


def reporter_class(name):
    """the Python reporter class for name: the DOIT_CONFIG class (name
    '__config__') or a [REPORTER] plugin; None when there is none"""
    if name == '__config__':
        return _config_reporter
    return _plugin('REPORTER', name)


def reporter_names():
    """names of the [REPORTER] plugins"""
    return list(CONFIG.get('REPORTER', {}))


def new_reporter(cls, failure_verbosity):
    """an instance of a reporter class (or the instance itself)"""
    if isinstance(cls, type):
        return cls(sys.stdout, {'failure_verbosity': failure_verbosity})
    return cls


def failure(kind, msg):
    """a doit failure object of class kind whose get_msg() is msg"""
    cls = getattr(exceptions, kind or '', None)
    if not (isinstance(cls, type) and issubclass(cls, BaseFail)):
        cls = TaskError
    fail = cls.__new__(cls)
    msg = msg or ''
    fail.message = msg[:-1] if msg.endswith('\n') else msg
    fail.traceback = ''
    return fail


# --- strace --------------------------------------------------------------
TRACE_CMD = "strace -f -e trace=file %s 2>>%s "

# 7978  open("/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3
_TRACE_LINE = re.compile(r'.*\([^"]*"(?P<file>[^"]*)",' +
                         r' (\[.*\])*(?P<mode>[^)]*)\) = [^-].*')


def find_deps(outstream, strace_out, show_all):
    """print R (read) and W (written) lines for the files in strace_out"""
    read, write = set(), set()
    cwd = os.getcwd()
    if not os.path.exists(strace_out):
        return
    with open(strace_out) as text:
        for line in text:
            match = _TRACE_LINE.match(line)
            if not match:
                continue
            name = os.path.abspath(match.group('file'))
            if not show_all and not name.startswith(cwd):
                continue
            if 'WR' in match.group('mode'):
                if name not in write:
                    write.add(name)
                    outstream.write("W %s\n" % name)
            elif name not in read:
                read.add(name)
                outstream.write("R %s\n" % name)


def strace(task, trace_file, show_all):
    """Make task's command actions run under strace (in place: the engine
    holds the action objects) and return the `strace_report` task."""
    for action in task.actions:
        if isinstance(action, CmdAction):
            action._action = TRACE_CMD % (action._action, trace_file)
    return Task('strace_report',
                actions=[(find_deps, [sys.stdout, trace_file, show_all])],
                verbosity=2, task_dep=[task.name], uptodate=[False])


# --- plugin commands -------------------------------------------------------
def _command_class(name):
    cls = _plugin('COMMAND', name)
    if cls is None:
        raise KeyError("no plugin command '%s'" % name)
    return cls


def command_purpose(name):
    """a plugin command's doc_purpose"""
    return getattr(_command_class(name), 'doc_purpose', '')


def _command(name, bin_name):
    cls = _command_class(name)
    return cls(config=CONFIG, bin_name=bin_name)


def command_help(name, bin_name):
    """print a plugin command's help (`help NAME`)"""
    print(_command(name, bin_name).help())
    return 0


def command_run(name, args, bin_name):
    """run a plugin command as doit's DoitMain does; returns the exit code"""
    from doit.cmdparse import CmdParseError
    from doit.exceptions import InvalidCommand, InvalidDodoFile, InvalidTask
    try:
        result = _command(name, bin_name).parse_execute(list(args))
    except (CmdParseError, InvalidDodoFile, InvalidCommand, InvalidTask) as err:
        if isinstance(err, InvalidCommand):
            err.cmd_used = name
            err.bin_name = bin_name
        _flush()
        sys.stderr.write("ERROR: %s\n" % str(err))
        return 3
    except Exception:
        import traceback
        _flush()
        sys.stderr.write(traceback.format_exc())
        return 3
    _flush()
    return result if isinstance(result, int) else 0
