"""What `dodo auto` asks of Python between its runs (module `_dodo_auto`).

The interpreter is started once; each run loads the task file anew (_dodo.load
executes it as a fresh module). Modules the task file imports stay in
sys.modules, so that a reload costs little: when one of their files changes,
refresh() forgets every local module and the next load imports them anew.

Local: a module loaded from a file outside the standard library and the
site-packages / dist-packages folders, and not one of dodo's built-in modules.
Extension modules (.so) are watched but never forgotten: CPython cannot load
one twice in a process.
"""

import importlib
import os
import sys
import sysconfig

import _dodo_inputs

_roots = None


def _installed_roots():
    global _roots
    if _roots is None:
        paths = sysconfig.get_paths()
        roots = {paths.get(k) for k in ('stdlib', 'platstdlib', 'purelib', 'platlib')}
        _roots = tuple(os.path.join(os.path.realpath(p), '') for p in roots if p)
    return _roots


_verdicts = {}      # module file as given -> its absolute path when local, else None


def _local_path(path):
    if path not in _verdicts:
        if len(_verdicts) > 100000:
            _verdicts.clear()
        full = os.path.abspath(path)
        parts = full.split(os.sep)
        local = not ('site-packages' in parts or 'dist-packages' in parts or
                     '__pycache__' in parts or
                     os.path.realpath(full).startswith(_installed_roots()))
        _verdicts[path] = full if local else None
    return _verdicts[path]


def _local_file(module):
    """the absolute file of a local module, or None"""
    if module is None:
        return None
    if type(getattr(module, '__loader__', None)).__name__ == '_DodoLoader':
        return None
    path = getattr(module, '__file__', None)
    if not isinstance(path, str):
        return None
    return _local_path(path)


def _local_modules():
    """{module name: absolute file} of the local modules imported"""
    found = {}
    for name, module in list(sys.modules.items()):
        path = _local_file(module)
        if path is not None:
            found[name] = path
    return found


def _listed_dirs():
    """the folders the last load listed by itself (glob, os.listdir, scandir)"""
    rec = _dodo_inputs._last
    if rec is None:
        return []
    out = []
    for path, value in rec.lists.items():
        importing = value[0]
        if importing:
            continue
        path = _local_path(os.fsdecode(path))
        if path is not None:
            out.append(path)
    return out


def sources(task_file):
    """([task file and local module files], [listed folders]), absolute paths"""
    files = [os.path.abspath(task_file)] if task_file else []
    for path in sorted(set(_local_modules().values())):
        if path not in files:
            files.append(path)
    return files, sorted(set(_listed_dirs()))


def refresh(changed):
    """changed: absolute paths of files that changed. When one is a local
    module's file, forget every local Python module (not extension modules)
    so that the next load imports them anew. Also drop repeated sys.path
    entries (each load puts the task file's folder first again)."""
    changed = set(changed)
    local = _local_modules()
    if changed & set(local.values()):
        for name, path in local.items():
            if path.endswith(('.py', '.pyc')):
                sys.modules.pop(name, None)
        importlib.invalidate_caches()
    seen = set()
    sys.path[:] = [p for p in sys.path if not (p in seen or seen.add(p))]
