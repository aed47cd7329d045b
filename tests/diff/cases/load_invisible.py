# Loading the task file is invisible to it: what dodo records of a load (for the no-op)
# leaves every object the task file can see as Python has it, at load time and after.
# scenario facts:
#   run facts
#   run facts
#   write flag x
#   run facts
# scenario rmtree:
#   mkdir build
#   mkdir build/a
#   run rm
#   mkdir build/a
#   run rm
import functools
import inspect
import os
import pickle
import posix
import shutil
import sys
from os import stat as captured_stat

LOAD_HASH = hash(os.stat)
FLAG = os.path.exists('flag')


def facts():
    return [
        ('shutil fd functions', shutil._use_fd_functions),
        ('rmtree avoids symlink attacks', shutil.rmtree.avoids_symlink_attacks),
        ('stat in supports_dir_fd', os.stat in os.supports_dir_fd),
        ('lstat in supports_dir_fd', os.lstat in os.supports_dir_fd),
        ('access in supports_dir_fd', os.access in os.supports_dir_fd),
        ('access in supports_effective_ids', os.access in os.supports_effective_ids),
        ('stat in supports_follow_symlinks', os.stat in os.supports_follow_symlinks),
        ('stat in supports_fd', os.stat in os.supports_fd),
        ('os is posix', (os.stat is posix.stat, os.lstat is posix.lstat,
                         os.access is posix.access)),
        ('names', [(f.__module__, f.__name__, f.__qualname__, repr(f))
                   for f in (os.stat, os.lstat, os.access)]),
        ('signatures', [str(inspect.signature(f)) for f in (os.stat, os.lstat, os.access)]),
        ('builtin', [inspect.isbuiltin(f) for f in (os.stat, os.lstat, os.access)]),
        ('wrapped', [hasattr(f, '__wrapped__') for f in (os.stat, os.lstat, os.access)]),
        ('pickle', [pickle.loads(pickle.dumps(f)) is f for f in (os.stat, os.lstat)]),
        ('partial', functools.partial(os.stat, 'dodo.py')().st_size > 0),
        ('argv type', type(sys.argv).__name__),
        ('environ type', (type(os.environ) is os._Environ, type(os.environ._data).__name__)),
        ('environ methods', [(m.__module__, m.__qualname__) for m in
                             (os._Environ.__getitem__, os._Environ.__iter__,
                              os._Environ.__len__)]),
        ('getenv', (os.getenv.__module__, os.path.exists.__module__)),
        ('profile', (sys.getprofile(), sys.gettrace())),
        ('captured', captured_stat is os.stat),
    ]


AT_LOAD = facts()


def show():
    for (what, at_load), (_, now) in zip(AT_LOAD, facts()):
        print('%s: %r / %r' % (what, at_load, now))
    print('hash kept:', LOAD_HASH == hash(os.stat))
    print('flag:', FLAG)


def remove_list():
    # a list is no path: ignore_errors swallows what rmtree raises about it
    shutil.rmtree(['build/a', 'build/b'], ignore_errors=True)
    shutil.rmtree('build/a')
    print('removed:', not os.path.exists('build/a'))


def task_facts():
    return {'actions': [show], 'verbosity': 2}


def task_rm():
    return {'actions': [remove_list], 'verbosity': 2}
