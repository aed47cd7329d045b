"""What loading a task file depends on, for dodo's no-op cache (module
`_dodo_inputs`).

_dodo.load() calls start() before it runs the task file and stop() after.
In between, everything the load reads from outside is recorded:

- files opened for reading (the `open` audit event), and paths given to
  os.stat / os.lstat / os.access (os.path.exists, isfile, isdir, getmtime,
  pathlib's exists and is_dir call these): their stat signature at that
  moment (or that they were missing, or folders);
- folders listed (the `os.listdir` and `os.scandir` audit events, which
  glob, pathlib's glob and os.walk raise too): the names they held; a
  listing the import system made is marked, only module-like names count;
- the modules imported (their files), and the task file itself;
- the environment, whole, but for variables that change between
  invocations without meaning anything to a task file (the shell's and
  make's bookkeeping: src/inputs.c) unless the sources name them;
- whether the command line counts: the sources name `argv` or a command-line
  parser;
- what the load wrote to stdout and stderr (the engine keeps a copy of its
  writes), which the no-op prints again as doit would print it.

Nothing a task file can see is changed to record this: audit hooks are
invisible to it, and os.stat, os.lstat and os.access stay the very objects
Python made (the engine swaps the C function inside them while a load is
recorded: _dodo_engine.note_stat). Anything the record cannot vouch for makes
the load uncacheable: running a process, using the network, a database or
the terminal, listing a folder by descriptor. Audit hooks cannot be removed:
the hook stays installed and does nothing outside a load. Standard-library
files, __pycache__ and /proc, /dev, /sys are not recorded (the interpreter is
part of dodo's identity). C reads the record with inputs() after the load.

native_command() tells C which command actions it can build without
Python (see src/expand.c).
"""

import os
import re
import stat as stat_mod
import sys
import sysconfig
import time

import _dodo_engine

# audit events after which a load cannot be reused: it asked the world
_WORLD = frozenset((
    'subprocess.Popen', 'os.system', 'os.exec', 'os.posix_spawn', 'os.spawn',
    'os.fork', 'os.forkpty', 'pty.spawn', 'socket.connect', 'socket.bind',
    'socket.getaddrinfo', 'socket.gethostbyname', 'socket.gethostbyaddr',
    'socket.sendto', 'urllib.Request', 'sqlite3.connect', 'builtins.input',
    'webbrowser.open', 'ftplib.connect', 'smtplib.connect', 'poplib.connect',
    'imaplib.open', 'nntplib.connect', 'telnetlib.Telnet.open',
))

# files modified this close to the load (ns) may change again unseen within
# one tick of the file system's clock: C compares their contents too
RACY_NS = 2000000000

_rec = None          # the recording in progress
_busy = False        # the recorder itself is at work: its calls are not inputs
_installed = False
_last = None         # the last load's record, for inputs()
_skip = None


def _skip_prefixes():
    global _skip
    if _skip is None:
        paths = sysconfig.get_paths()
        roots = {paths.get('stdlib'), paths.get('platstdlib')}
        _skip = tuple(os.fsencode(os.path.join(p, '')) for p in roots if p)
        _skip += (b'/proc/', b'/dev/', b'/sys/')
    return _skip


def _abspath(path):
    """path as an absolute bytes path, or None for a descriptor"""
    if path is None:
        path = '.'
    if isinstance(path, int):
        return None
    try:
        path = os.fspath(path)
    except TypeError:
        return None
    if isinstance(path, str):
        path = os.fsencode(path)
    return os.path.abspath(path)


def _skipped(path):
    return path.startswith(_skip_prefixes()) or b'/__pycache__/' in path


def _signature(path):
    """(exists, is_dir, mtime_ns, size, ino) of path now"""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return (False, False, 0, 0, 0)
    if stat_mod.S_ISDIR(st.st_mode):
        return (True, True, 0, 0, 0)
    return (True, False, st.st_mtime_ns, st.st_size, st.st_ino)


class _Record:
    def __init__(self):
        self.start_ns = time.time_ns()
        self.files = {}         # path -> signature
        self.lists = {}         # path -> (by the import system, exists, names)
        self.environ = dict(os.environb)
        self.uncacheable = None
        self.modules = set(sys.modules)
        self.result = None

    def refuse(self, why):
        if self.uncacheable is None:
            self.uncacheable = why

    def file(self, path):
        path = _abspath(path)
        if path is not None and path not in self.files and not _skipped(path):
            self.files[path] = _signature(path)

    def opened(self, path, mode, flags):
        if mode is None:
            reading = (flags & os.O_ACCMODE) != os.O_WRONLY
        else:
            reading = 'r' in mode or '+' in mode
        if reading:
            self.file(path)

    def listed(self, path, importing):
        path = _abspath(path)
        if path is None:
            self.refuse('it listed a folder by descriptor')
            return
        if _skipped(path):
            return
        seen = self.lists.get(path)
        if seen is not None:
            if seen[0] and not importing:
                # listed by the import system first, by the task file now:
                # every name counts, not only the module-like ones
                self.lists[path] = (False,) + seen[1:]
            return
        try:
            names = os.listdir(path)
            exists = True
        except OSError:
            names, exists = [], False
        self.lists[path] = (importing, exists, names)


def _importing():
    """is the caller of the audited function the import system? (called by
    _audited, under _guarded, under _hook)"""
    frame = sys._getframe(4)
    return frame.f_code.co_filename.startswith('<frozen importlib')


def _guarded(note, *args):
    """note(rec, *args) for the recording in progress, unless the recorder
    itself is at work; never lets recording break the user's code"""
    global _busy
    rec = _rec
    if rec is None or _busy:
        return
    _busy = True
    try:
        note(rec, *args)
    except Exception as exc:
        rec.refuse('recording failed: %r' % (exc,))
    finally:
        _busy = False


def _audited(rec, event, args):
    if event == 'open':
        rec.opened(*args[:3])
    elif event == 'os.listdir' or event == 'os.scandir':
        rec.listed(args[0], _importing())
    elif event in _WORLD:
        rec.refuse('it used %s' % event)


def _hook(event, args):
    _guarded(_audited, event, args)


def _noted(path):
    """os.stat, os.lstat or os.access is about to look at path"""
    _guarded(_Record.file, path)


def start():
    """begin recording (the load of a task file starts)"""
    global _rec, _installed
    import importlib
    _rec = None
    _skip_prefixes()
    importlib.invalidate_caches()   # the import system lists folders anew
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
    rec = _Record()
    if not _dodo_engine.note_stat(_noted):
        rec.refuse('os.stat cannot be followed')
    _dodo_engine.capture_output(True)
    _rec = rec


def stop(result):
    """end recording; result: what _dodo.load returns, or None when it
    failed"""
    global _rec, _last
    rec, _rec = _rec, None
    _dodo_engine.note_stat(None)
    _dodo_engine.capture_output(False)
    if rec is not None:
        rec.result = result
    _last = rec


def _module_files(rec):
    """the files of the modules the load imported, outside the standard
    library (absolute bytes paths)"""
    paths = []
    for name, module in list(sys.modules.items()):
        if name in rec.modules or module is None:
            continue
        if type(getattr(module, '__loader__', None)).__name__ == '_DodoLoader':
            continue
        path = getattr(module, '__file__', None)
        if isinstance(path, str):
            rec.file(path)
            path = _abspath(path)
            if not _skipped(path):
                paths.append(path)
    return paths


# modules that read the command line when asked to parse it
_ARG_PARSERS = ('argparse', 'optparse', 'getopt', 'fileinput')


class _Sources:
    """what the task file and the modules it imported say, read once: names
    in them are how the record knows which volatile environment variables
    and whether the command line count"""

    def __init__(self, paths):
        self.texts = []
        for path in paths:
            try:
                with open(path, 'rb') as f:
                    self.texts.append(f.read())
            except OSError:
                pass

    def mention(self, word):
        if len(word) == 1:     # '_' is in every source: only its quoted forms
            forms = (b"'" + word + b"'", b'"' + word + b'"')
        else:
            forms = (word,)
        return any(f in t for t in self.texts for f in forms)


def _env_mentioned(sources):
    """the volatile variable names the sources name, space-separated (the
    word DODO_ when they name that prefix)"""
    names = [n.encode() for n in _dodo_engine.volatile_env()] + [b'DODO_']
    return b' '.join(n for n in names if sources.mention(n))


def _argv_read(rec, sources, tasks):
    if any(t.creator_params for t in tasks):   # task_params read the command line
        return True
    if sources.mention(b'argv'):
        return True
    return any(sources.mention(m.encode()) or
               (m in sys.modules and m not in rec.modules) for m in _ARG_PARSERS)


def _config_options(rec, doit_config):
    """the DOIT_CONFIG entries C applies to options, as it applies them"""
    options = []
    for key, value in (doit_config or {}).items():
        if key == 'default_tasks' and isinstance(value, list):
            continue
        if isinstance(value, (str, int)):
            options.append((key, value if isinstance(value, str) else str(value)))
        elif key == 'reporter' and isinstance(value, type):
            rec.refuse('DOIT_CONFIG names a reporter class')
    return options


def _files(rec):
    """the file records, with the contents of racy files"""
    files = []
    for path, sig in rec.files.items():
        content = None
        if sig[0] and not sig[1] and sig[2] >= rec.start_ns - RACY_NS:
            if _signature(path) != sig:
                rec.refuse('%s changed while loading' % os.fsdecode(path))
                continue
            try:
                with open(path, 'rb') as f:
                    content = f.read()
            except OSError:
                rec.refuse('cannot read %s' % os.fsdecode(path))
                continue
        files.append((path,) + sig + (content,))
    return files


def inputs(path):
    """the record of the last load (path: the task file), or None when
    there is none: a dict of files [(path, exists, is_dir, mtime_ns, size,
    ino, contents or None)], lists [(path, by_import, exists, [names])],
    env_all (the environment at the start of the load: sorted NAME=VALUE),
    env_mentioned (the volatile names the sources name, space-separated),
    argv_read (the command line counts), uncacheable (None or why), config
    [(option, value)] from DOIT_CONFIG, task_args (tasks taking command-line
    options or getargs: Python prepares them); paths and names are bytes"""
    rec = _last
    if rec is None:
        return None
    if rec.result is None:
        rec.refuse('the load failed')
    rec.file(path)
    sources = _Sources([_abspath(path)] + _module_files(rec))
    doit_config, tasks = rec.result or ({}, [])
    options = _config_options(rec, doit_config)
    task_args = [t.name for t in tasks if t.params or t.creator_params or
                 t.pos_arg is not None or t.getargs]
    return {
        'files': _files(rec),
        'lists': [(p,) + v for p, v in rec.lists.items()],
        'env_all': sorted(k + b'=' + v for k, v in rec.environ.items()),
        'env_mentioned': _env_mentioned(sources),
        'argv_read': _argv_read(rec, sources, tasks),
        'uncacheable': rec.uncacheable,
        'config': options,
        'task_args': task_args,
    }


_TEMPLATE = re.compile(r'(?:[^%]|%%|%\((?:targets|dependencies|changed)\)s)*',
                       re.S)


def native_command(task, action):
    """the command of a command action C can build itself (src/expand.c):
    a str template (old-style, only %(targets)s, %(dependencies)s,
    %(changed)s and %%) or a list of str; None when Python must build it
    (other keys, task options, a callable, Popen arguments, save_out)"""
    from doit.action import CmdAction
    if type(action) is not CmdAction or action.save_out or action.pkwargs:
        return None
    if (task.params or task.creator_params or task.pos_arg is not None or
            task.getargs):
        return None
    cmd = action._action
    if isinstance(cmd, list):
        if all(isinstance(x, (str, os.PathLike)) for x in cmd):
            return [os.fspath(x) for x in cmd]
        return None
    if (isinstance(cmd, str) and CmdAction.STRING_FORMAT == 'old' and
            _TEMPLATE.fullmatch(cmd)):
        return cmd
    return None
