"""Base classes of doit commands and task loaders, as far as dodo files
and plugins import them (dodo's commands are implemented in C)."""

import inspect
from collections import deque

from . import loader
from .cmdparse import CmdOption, CmdParse
from .exceptions import InvalidCommand


def version_tuple(ver_in):
    """'0.36.0' or (0, 36, 0) -> [0, 36, 0]; non-numbers become -1"""
    parts = ver_in.split('.') if isinstance(ver_in, str) else ver_in
    result = []
    for part in parts:
        try:
            result.append(int(part))
        except (TypeError, ValueError):
            result.append(-1)
    return result


class Command(object):
    """A sub-command (plugins subclass it)."""
    name = None
    doc_purpose = ''
    doc_usage = ''
    doc_description = None
    cmd_options = ()
    execute_tasks = False

    def __init__(self, config=None, bin_name='dodo', opt_vals=None, **kwargs):
        self.bin_name = bin_name
        self.name = self.get_name()
        self.config = config if config else {}
        self._cmdparser = None
        self.config_vals = {}
        self.config_vals.update(self.config.get('GLOBAL', {}))
        self.config_vals.update(self.config.get(self.name, {}))
        self.config_vals.update(opt_vals or {})
        self.pdb = False

    @classmethod
    def get_name(cls):
        """the command's name on the command line"""
        return cls.name or cls.__name__.lower()

    def get_options(self):
        return [CmdOption(opt) for opt in self.cmd_options]

    @property
    def cmdparser(self):
        if not self._cmdparser:
            self._cmdparser = CmdParse(self.get_options())
            self._cmdparser.overwrite_defaults(self.config_vals)
        return self._cmdparser

    def execute(self, opt_values, pos_args):  # pragma: no cover - abstract
        raise NotImplementedError()

    def parse_execute(self, in_args):
        params, args = self.cmdparser.parse(in_args)
        self.pdb = params.get('pdb', False)
        return self.execute(params, args)

    def help(self):
        lines = ["Purpose: %s" % self.doc_purpose,
                 "Usage:   %s %s %s" % (self.bin_name, self.name,
                                        self.doc_usage),
                 "", "Options:"]
        for opt in self.cmdparser.options:
            lines.extend(opt.help_doc())
        if self.doc_description is not None:
            lines.extend(["", "Description:", self.doc_description])
        return "\n".join(lines)


class TaskLoader(object):
    """The loader interface doit 0.36 removed: creating one fails, as
    there."""

    def __init__(self):
        raise NotImplementedError(
            'doit.cmd_base.py:TaskLoader was removed on 0.36.0, use '
            'TaskLoader2 instead')


class TaskLoader2(object):
    """Loader interface of doit 0.36: setup(), load_doit_config(),
    load_tasks(cmd, pos_args). task_opts: {task: {option: value}} given
    through the API (api.run_tasks), used as task_params values."""
    API = 2
    cmd_options = ()

    def __init__(self):
        self.cmd_names = []
        self.config = None
        self.task_opts = None

    def setup(self, opt_values):
        """called with the loader's option values before loading"""

    def load_doit_config(self):  # pragma: no cover - abstract
        raise NotImplementedError()

    def load_tasks(self, cmd, pos_args):  # pragma: no cover - abstract
        raise NotImplementedError()


class NamespaceTaskLoader(TaskLoader2):
    """Tasks from a namespace (a dict of task creators and DOIT_CONFIG)."""

    def __init__(self):
        super().__init__()
        self.namespace = None

    def load_doit_config(self):
        return loader.load_doit_config(self.namespace)

    def load_tasks(self, cmd, pos_args):
        return loader.load_tasks(self.namespace, self.cmd_names,
                                 getattr(cmd, 'execute_tasks', False),
                                 pos_args, self.config, self.task_opts)


class ModuleTaskLoader(NamespaceTaskLoader):
    """Tasks from a module or a dict (globals())."""

    def __init__(self, mod_dict):
        super().__init__()
        self.namespace = (dict(inspect.getmembers(mod_dict))
                          if inspect.ismodule(mod_dict) else mod_dict)


class DodoTaskLoader(NamespaceTaskLoader):
    """Tasks from a dodo.py file."""

    def setup(self, opt_values):
        module = loader.get_module(opt_values.get('dodoFile', 'dodo.py'),
                                   opt_values.get('cwdPath'),
                                   opt_values.get('seek_file', False))
        self.namespace = dict(inspect.getmembers(module))


def get_loader(config, task_loader=None, cmds=None):
    """the task loader (task_loader, else a DodoTaskLoader) with its
    command names and configuration set"""
    task_loader = task_loader or DodoTaskLoader()
    if cmds:
        task_loader.cmd_names = sorted(cmds.keys())
    task_loader.config = config or {}
    return task_loader


class DoitCmdBase(Command):
    """A command working on the tasks (plugins subclass it)."""
    base_options = ()

    def __init__(self, task_loader=None, cmds=None, **kwargs):
        super().__init__(**kwargs)
        self.sel_tasks = None
        self.sel_default_tasks = True
        self.dep_manager = None
        self.loader = task_loader


def check_tasks_exist(tasks, name_list, skip_wildcard=False):
    """raise InvalidCommand for a name that is not a task (names with `*`
    are skipped when skip_wildcard)"""
    for task_name in name_list or ():
        if skip_wildcard and '*' in task_name:
            continue
        if task_name not in tasks:
            raise InvalidCommand("'%s' is not a task." % task_name)


def tasks_and_deps_iter(tasks, sel_tasks, yield_duplicates=False):
    """yield the selected tasks and their task_dep/setup tasks"""
    processed = set()
    to_process = deque(sel_tasks)
    while to_process:
        task = tasks[to_process.popleft()]
        processed.add(task.name)
        yield task
        for dep in task.task_dep + task.setup_tasks:
            if dep not in processed and dep not in to_process:
                to_process.append(dep)
            elif yield_duplicates:
                yield tasks[dep]


def subtasks_iter(tasks, task):
    """yield the sub-tasks of a group task"""
    for name in task.task_dep:
        dep = tasks[name]
        if dep.subtask_of == task.name:
            yield dep

