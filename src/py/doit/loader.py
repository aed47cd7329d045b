"""Turn the task creators of a dodo file into Task objects (doit's rules).

Creators are `task_*` functions (or methods) and objects with a
`create_doit_tasks` attribute, run in the order of their source lines.
"""

import copy
import importlib.machinery
import importlib.util
import inspect
import os
import sys

from .cmdparse import CmdOption, TaskParse
from .dependency import Dependency
from .exceptions import InvalidCommand, InvalidDodoFile, InvalidTask
from .globals import Globals
from .task import DelayedLoader, Task, dict_to_task

# folder dodo was started from (doit.get_initial_workdir())
initial_workdir = None

TASK_STRING = "task_"


def create_after(executed=None, target_regex=None, creates=None):
    """decorator: create this creator's tasks only after task `executed`
    ran (or when a target matching target_regex is asked for); `creates`
    lists the basenames it will create"""
    def decorated(func):
        func.doit_create_after = DelayedLoader(
            func, executed=executed, target_regex=target_regex,
            creates=creates)
        return func
    return decorated


def task_params(param_def=None):
    """decorator: the creator takes these parameters (CmdOption dicts), set
    from the command line after the task's name or from the config"""
    if param_def is None or type(param_def) != list:
        raise ValueError(
            'task_params must be called with a valid parameter definition.')
    for opt in param_def:
        CmdOption(opt)  # fail now on a bad definition

    def decorated(func):
        func._task_creator_params = param_def
        return func
    return decorated


def _generator_doc(gen):
    consts = gen.gi_code.co_consts
    return consts[0] if consts and isinstance(consts[0], str) else None


def flat_generator(gen, gen_doc='', _nested=False):
    """yield (item, doc) from a generator, flattening nested generators;
    return the root generator's return value"""
    while True:
        try:
            item = next(gen)
        except StopIteration as stop:
            if _nested and stop.value is not None:
                raise Exception(
                    "Invalid `return` statement in nested generator. Only "
                    "root-level generators can include a non-None return "
                    "statement (to customize a group Task).") from None
            return stop.value
        if inspect.isgenerator(item):
            yield from flat_generator(item, _generator_doc(item), True)
        else:
            yield item, gen_doc


def _from_return(func_name, task_dict, gen_doc):
    """the task of a dict returned (not yielded) by a creator"""
    if 'name' in task_dict:
        raise InvalidTask("Task '%s'. Only subtasks use field name." %
                          func_name)
    task_dict['name'] = task_dict.pop('basename', func_name)
    if 'doc' not in task_dict:
        task_dict['doc'] = gen_doc
    return dict_to_task(task_dict)


def _from_yield(tasks, func_name, task_dict, gen_doc):
    """add to tasks (name -> Task) the task of a dict yielded by a creator"""
    if not isinstance(task_dict, dict):
        raise InvalidTask("Task '%s' must yield dictionaries" % func_name)
    dup = "Task generation '%s' has duplicated definition of '%s'"
    basename = task_dict.pop('basename', None)
    if 'name' not in task_dict:
        if not basename:
            raise InvalidTask(
                "Task '%s' must contain field 'name' or 'basename'. %s"
                % (func_name, task_dict))
        if basename in tasks:
            raise InvalidTask(dup % (func_name, basename))
        task_dict['name'] = basename
        if 'doc' not in task_dict:
            task_dict['doc'] = gen_doc
        tasks[basename] = dict_to_task(task_dict)
        return

    basename = basename or func_name
    if task_dict['name'] is None:
        # the group task's own attributes
        task_dict['name'] = basename
        task_dict['actions'] = None
        group = dict_to_task(task_dict)
        group.has_subtask = True
        tasks[basename] = group  # as doit: replaces an implicit group
        return

    full_name = "%s:%s" % (basename, task_dict['name'])
    if full_name in tasks:
        raise InvalidTask(dup % (func_name, full_name))
    task_dict['name'] = full_name
    sub_task = dict_to_task(task_dict)
    sub_task.subtask_of = basename
    group = tasks.get(basename)
    if group is None:
        group = Task(basename, None, doc=gen_doc, has_subtask=True)
        tasks[basename] = group
    elif not group.has_subtask:
        raise InvalidTask(dup % (func_name, basename))
    group.task_dep.append(sub_task.name)
    tasks[sub_task.name] = sub_task


def _apply_group_return(tasks, func_name, extra):
    """a root generator returned a dict: only 'params' may be set, on the
    group and its sub-tasks"""
    if not isinstance(extra, dict):
        raise InvalidTask(
            "Task '%s' is a subtask generator, but returned a non-None "
            "none-dict value. Please only return a dict with the common "
            "information you wish to share across the subtasks (typically "
            "`'params'`). Received '%s'" % (func_name, extra))
    group = tasks.get(func_name)
    for key, value in extra.items():
        if key != 'params' or group is None:
            raise InvalidTask(
                "Task '%s' is a subtask generator, so only a subset of "
                "properties can be changed on the whole group using a "
                "`return` statement: only 'params' is supported. Found %s"
                % (func_name, extra))
        Task.check_attr(func_name, key, value, Task.valid_attr[key])
        group.params = value
        for task in tasks.values():
            if task.subtask_of == group.name:
                task.params = tuple(task.params) + tuple(value)


def generate_tasks(func_name, gen_result, gen_doc=None):
    """return the list of Tasks made from what a creator returned: a dict,
    a generator of dicts (sub-tasks and group), a Task, or None"""
    if isinstance(gen_result, Task):
        return [gen_result]
    if isinstance(gen_result, dict):
        return [_from_return(func_name, gen_result, gen_doc)]
    if inspect.isgenerator(gen_result):
        tasks = {}
        flat = flat_generator(gen_result, gen_doc)
        while True:
            try:
                item, item_doc = next(flat)
            except StopIteration as stop:
                if stop.value is not None:
                    _apply_group_return(tasks, func_name, stop.value)
                break
            if isinstance(item, Task):
                tasks[item.name] = item
            else:
                _from_yield(tasks, func_name, item, item_doc)
        if tasks:
            return list(tasks.values())
        return [Task(func_name, None, doc=gen_doc, has_subtask=True)]
    if gen_result is None:
        return []
    raise InvalidTask("Task '%s'. Must return a dictionary or generator. "
                      "Got %s" % (func_name, type(gen_result)))


def _source_line(ref):
    """the line a creator is defined on (its first decorator's line)"""
    func = getattr(ref, '__func__', ref)
    code = getattr(func, '__code__', None)
    if code is not None:
        return code.co_firstlineno
    try:
        return inspect.getsourcelines(ref)[1]
    except (OSError, TypeError):
        return 0


def _get_task_creators(namespace, command_names):
    """return [(task_name, creator, line)] for the creators in namespace"""
    creators = []
    for name, ref in sorted(namespace.items(), key=lambda item: item[0]):
        if ref is task_params:  # the decorator itself is not a creator
            continue
        if name.startswith(TASK_STRING) and (
                inspect.isfunction(ref) or inspect.ismethod(ref)):
            task_name = name[len(TASK_STRING):]
        elif _has_creator(ref):
            ref = ref.create_doit_tasks
            try:
                if inspect.signature(ref).parameters:
                    continue  # a class's method: not a creator (doit 0.31)
            except (TypeError, ValueError):
                pass
            task_name = getattr(ref, 'basename', name)
        else:
            continue
        if task_name in command_names:
            raise InvalidDodoFile(
                "Task can't be called '%s' because this is a command name."
                " Please choose another name." % task_name)
        creators.append((task_name, ref, _source_line(ref)))
    return creators


def _has_creator(ref):
    try:
        return hasattr(ref, 'create_doit_tasks')
    except Exception:
        return False


def _creator_kwargs(name, ref, args, config, task_opts):
    """the task_params values for a creator: from task_opts, else from the
    command-line arguments after its name, else defaults (and config)"""
    params = getattr(ref, '_task_creator_params', None)
    if params is None:
        return None, {}
    parser = TaskParse([CmdOption(opt) for opt in params])
    stanza = 'task:' + name
    if config and stanza in config:
        parser.overwrite_defaults(config[stanza])
    if task_opts and name in task_opts:
        return params, task_opts[name]
    positions = {arg: i for i, arg in enumerate(args) if arg[:1] != '-'}
    if name in positions:
        return params, dict(parser.parse(args[positions[name] + 1:])[0])
    return params, dict(parser.parse([])[0])


def load_tasks(namespace, command_names=(), allow_delayed=False, args=(),
               config=None, task_opts=None):
    """return the Tasks of all creators in namespace, in definition order.

    allow_delayed: make placeholder tasks (with .loader) for create_after
    creators instead of running them (what `run` does); with `creates`
    placeholders are always made."""
    if Globals.dep_manager is None:
        Globals.dep_manager = Dependency()
    creators = _get_task_creators(namespace, command_names)
    creators.sort(key=lambda item: item[2])
    task_list = []
    args = list(args)
    for name, ref, _ in creators:
        params, kwargs = _creator_kwargs(name, ref, args, config, task_opts)
        delayed = getattr(ref, 'doit_create_after', None)
        if delayed and (delayed.creates or allow_delayed):
            # the decorator saw a function; call what the namespace holds
            # (a bound method when the creator is one: doit 0.34)
            delayed = copy.copy(delayed)
            delayed.creator = ref
            if params is not None:
                delayed.kwargs = kwargs
            for tname in (delayed.creates or [name]):
                placeholder = Task(tname, None, loader=delayed,
                                   doc=delayed.creator.__doc__)
                if params is not None:
                    placeholder.creator_params = list(params)
                task_list.append(placeholder)
            continue
        tasks = generate_tasks(name, ref(**kwargs), ref.__doc__)
        if params is not None:
            _set_creator_params(tasks, params)
        task_list.extend(tasks)
    return task_list


def _set_creator_params(tasks, params):
    """the creator's task_params become the parameters of its tasks (not
    of sub-tasks), which must not have `params` of their own"""
    for task in tasks:
        if task.subtask_of is not None:
            continue
        if task.params:
            raise InvalidTask("Task '%s'. `params` attribute can not be used"
                              " in conjuction with `@task_params`" % task.name)
        task.creator_params = list(params)


def load_doit_config(dodo_module):
    """return DOIT_CONFIG of a namespace dict ({} if absent)"""
    doit_config = dodo_module.get('DOIT_CONFIG', {})
    if not isinstance(doit_config, dict):
        raise InvalidDodoFile("DOIT_CONFIG  must be a dict. got:'%s'%s"
                              % (repr(doit_config), type(doit_config)))
    return doit_config


def find_dodo_file(dodo_file, seek_parent=False):
    """return the absolute path of the task file (raise InvalidDodoFile)"""
    def missing(path):
        return InvalidDodoFile("Could not find dodo file '%s'.\n"
                               "Please use '-f' to specify file name.\n" % path)
    if os.path.isabs(dodo_file) or not seek_parent:
        path = os.path.abspath(dodo_file)
        if not os.path.exists(path):
            raise missing(path)
        return path
    folder = os.getcwd()
    while True:
        path = os.path.join(folder, dodo_file)
        if os.path.exists(path):
            return path
        parent = os.path.dirname(folder)
        if parent == folder:
            raise missing(dodo_file)
        folder = parent


_loaded_names = set()  # module names this loader registered


def exec_dodo_file(path, cwd=None):
    """import the file at path as a module named after the file (its
    folder first on sys.path, preceded by cwd when that differs, as doit
    does with --dir) and return the module; exceptions from the file
    propagate"""
    folder, file_name = os.path.split(os.path.abspath(path))
    if sys.path[:1] != [folder]:
        sys.path.insert(0, folder)
    if cwd is not None and os.path.abspath(cwd) != folder:
        sys.path.insert(0, os.path.abspath(cwd))
    mod_name = os.path.splitext(file_name)[0] or 'dodo'
    loader = importlib.machinery.SourceFileLoader(mod_name, path)
    spec = importlib.util.spec_from_file_location(mod_name, path,
                                                  loader=loader)
    module = importlib.util.module_from_spec(spec)
    register = mod_name not in sys.modules or mod_name in _loaded_names
    previous = sys.modules.get(mod_name)
    if register:
        sys.modules[mod_name] = module
        _loaded_names.add(mod_name)
    try:
        loader.exec_module(module)
    except BaseException:
        if register:
            if previous is None:
                sys.modules.pop(mod_name, None)
            else:
                sys.modules[mod_name] = previous
        raise
    return module


def get_module(dodo_file, cwd=None, seek_parent=False):
    """doit's API: find the task file, chdir, import it, return the module"""
    global initial_workdir
    initial_workdir = os.getcwd()
    path = find_dodo_file(dodo_file, seek_parent)
    if cwd is not None:
        full_cwd = os.path.abspath(cwd)
        if not os.path.isdir(full_cwd):
            raise InvalidCommand("Specified 'dir' path must be a directory.\n"
                                 "Got '%s'(%s)." % (cwd, full_cwd))
    else:
        full_cwd = os.path.dirname(path)
    os.chdir(full_cwd)
    return exec_dodo_file(path, full_cwd)
