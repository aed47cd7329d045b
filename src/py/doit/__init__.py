"""doit API for dodo files, served by dodo (a task runner with its engine
in C). `import doit` in a dodo.py gets this package."""

from .version import VERSION
from . import loader
from .loader import create_after, task_params
from .doit_cmd import get_var
from .api import run
from .tools import load_ipython_extension
from .globals import Globals

__version__ = VERSION
__all__ = ['get_var', 'run', 'create_after', 'task_params', 'Globals',
           'get_initial_workdir']


def get_initial_workdir():
    """the folder dodo was started from (before it moved to the task
    file's folder)"""
    try:
        import _dodo_engine
    except ImportError:
        return loader.initial_workdir
    return _dodo_engine.initial_workdir()


assert load_ipython_extension
