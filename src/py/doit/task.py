"""Task: what a task dict becomes, with doit's checks and messages.

The C engine reads the plain attributes of a Task after loading (listed
in the module doc of _dodo). Differences from doit, on purpose:
- file_dep is a set as in doit, but one that iterates in definition order
  (DepSet), so that %(dependencies)s and the order of checks are stable;
  calc_dep is a list (deduplicated, in definition order).
- `clean_targets` is the public name of doit's `_remove_targets` flag.
"""

import inspect
import os
import sys
import types

from .action import InvalidActions, PythonAction, create_action
from .cmdparse import CmdOption, TaskParse
from .dependency import UptodateCalculator
from .exceptions import BaseFail, InvalidTask


def first_line(doc):
    """return the first non-blank line of doc, stripped ('' if none)"""
    if doc is not None:
        for line in doc.splitlines():
            if line.strip():
                return line.strip()
    return ''


class DelayedLoader(object):
    """A task creator whose tasks are created during the run (create_after).

    creator: the creator function; task_dep: the task to run first
    (`executed`); basename: name to create the tasks under when it differs
    from the placeholder's; target_regex; creates: the basenames it
    declares; created: whether the creator already ran; kwargs: the
    creator's task_params values."""

    def __init__(self, creator, executed=None, target_regex=None, creates=None):
        self.creator = creator
        self.task_dep = executed
        self.basename = None
        self.created = False
        self.target_regex = target_regex
        self.creates = list(creates) if creates else []
        self.regex_groups = {}
        self.kwargs = None


# the loader of a task whose delayed creation already happened (doit: False)
DelayedLoaded = None


class Stream(object):
    """Verbosity of task output: the command line wins (force_global), then
    the task's own verbosity, then the configured one."""

    def __init__(self, verbosity, force_global=False):
        self.force_global = force_global
        if verbosity is not None:
            self.verbosity = verbosity
        else:
            self.verbosity = Task.DEFAULT_VERBOSITY
            self.force_global = False

    def effective_verbosity(self, task_verbosity):
        """return the verbosity a task runs with"""
        if self.force_global or task_verbosity is None:
            return self.verbosity
        return task_verbosity

    @staticmethod
    def _get_out_err(verbosity):
        """return (out, err) streams to show output on (None: captured)"""
        if verbosity == 0:
            return (None, None)
        if verbosity == 1:
            return (None, sys.stderr)
        return (sys.stdout, sys.stderr)


class IOConfig(dict):
    """A task's `io` (doit 0.35), a dict with attribute access: capture
    (default True); when false its actions' output is not captured: it goes
    straight to the terminal, whatever the verbosity."""

    def __init__(self, io_data=None):
        super().__init__(capture=True)
        self.update(io_data or {})

    @property
    def capture(self):
        return self.get('capture', True)

    def __repr__(self):
        return 'IOConfig(capture=%r)' % (self.capture,)


_SEQ = (list, tuple)
_STR = (str,)


def _is_path(value):
    return isinstance(value, (str, os.PathLike))


class DepSet(set):
    """doit's file_dep set, iterated (and shown) in the order files were
    given, so that runs are repeatable where doit's order is by hash."""

    __slots__ = ('_order',)

    def __init__(self, items=()):
        super().__init__()
        self._order = []
        self.update(items)

    def add(self, item):
        if item not in self:
            super().add(item)
            self._order.append(item)

    def update(self, *iterables):
        for items in iterables:
            for item in items:
                self.add(item)

    def discard(self, item):
        if item in self:
            self.remove(item)

    def remove(self, item):
        super().remove(item)
        self._order.remove(item)

    def pop(self):
        if not self._order:
            raise KeyError('pop from an empty set')
        item = self._order.pop()
        super().discard(item)
        return item

    def clear(self):
        super().clear()
        self._order.clear()

    def copy(self):
        return DepSet(self._order)

    def __iter__(self):
        return iter(list(self._order))

    def __repr__(self):
        if not self._order:
            return 'set()'
        return '{%s}' % ', '.join(repr(item) for item in self._order)

    def __reduce__(self):
        return (DepSet, (list(self._order),))


class Task(object):
    """A task. See the module doc of _dodo for the attributes C reads."""

    DEFAULT_VERBOSITY = 1
    string_types = _STR
    # key: (accepted types, accepted values); the names appear in messages
    valid_attr = {'basename': (_STR, ()),
                  'name': (_STR, ()),
                  'actions': (_SEQ, (None,)),
                  'file_dep': (_SEQ, ()),
                  'task_dep': (_SEQ, ()),
                  'uptodate': (_SEQ, ()),
                  'calc_dep': (_SEQ, ()),
                  'targets': (_SEQ, ()),
                  'setup': (_SEQ, ()),
                  'clean': (_SEQ, (True,)),
                  'teardown': (_SEQ, ()),
                  'doc': (_STR, (None,)),
                  'params': (_SEQ, ()),
                  'pos_arg': (_STR, (None,)),
                  'verbosity': ((), (None, 0, 1, 2)),
                  'io': ((dict,), (None,)),
                  'getargs': ((dict,), ()),
                  'title': ((types.FunctionType,), (None,)),
                  'watch': (_SEQ, ()),
                  'meta': ((dict,), (None,)),
                  }

    def __init__(self, name, actions, file_dep=(), targets=(),
                 task_dep=(), uptodate=(),
                 calc_dep=(), setup=(), clean=(), teardown=(),
                 subtask_of=None, has_subtask=False,
                 doc=None, params=(), pos_arg=None,
                 verbosity=None, io=None, title=None, getargs=None,
                 watch=(), meta=None, loader=None):
        getargs = getargs or {}
        given = (('name', name), ('actions', actions), ('file_dep', file_dep),
                 ('task_dep', task_dep), ('uptodate', uptodate),
                 ('calc_dep', calc_dep), ('targets', targets),
                 ('setup', setup), ('clean', clean), ('teardown', teardown),
                 ('doc', doc), ('params', params), ('pos_arg', pos_arg),
                 ('verbosity', verbosity), ('io', io), ('getargs', getargs),
                 ('title', title), ('watch', watch), ('meta', meta))
        fast = _FAST_TYPES
        for attr, value in given:
            if type(value) not in fast[attr]:  # else: the common cases
                self.check_attr(name, attr, value, self.valid_attr[attr])
        if '=' in name:
            raise InvalidTask("Task '%s': name must not use the char '=' "
                              "(equal sign)." % name)
        self.name = name
        self.params = params
        self.creator_params = []
        self.cfg_values = None
        self.options = None
        self.pos_arg = pos_arg
        self.pos_arg_val = None
        self.setup_tasks = list(setup)
        self.io = IOConfig(io)
        self._actions = [] if actions is None else list(actions)
        self._action_instances = None

        self.dep_changed = None
        self.file_dep = DepSet()
        if file_dep:
            self._expand_file_dep(file_dep)
        self.task_dep = []
        self.wild_dep = []
        if task_dep:
            self._expand_task_dep(task_dep)
        self.calc_dep = []
        if calc_dep:
            self._expand_calc_dep(calc_dep)

        self.loader = loader
        if loader and loader.task_dep:
            self.task_dep.append(loader.task_dep)

        self.getargs = getargs
        uptodate = list(uptodate or [])
        if getargs:
            uptodate.extend(self._init_getargs())
        self.value_savers = []
        self.uptodate = self._init_uptodate(uptodate) if uptodate else []

        self.targets = self._init_targets(targets) if targets else []
        self.subtask_of = subtask_of
        self.has_subtask = has_subtask
        self.result = None
        self.values = {}
        self.verbosity = verbosity
        self.custom_title = title

        if clean is True:
            self.clean_targets = True
            self.clean_actions = ()
        else:
            self.clean_targets = False
            self.clean_actions = [create_action(a, self, 'clean')
                                  for a in clean] if clean else []
        self.teardown = [create_action(a, self, 'teardown')
                         for a in teardown] if teardown else []
        self.doc = first_line(doc) if doc else ''
        self.watch = list(watch)
        self.meta = meta
        self.executed = False

    # --- construction helpers --------------------------------------------
    @staticmethod
    def check_attr(task, attr, value, valid):
        """raise InvalidTask unless value has an accepted type or value"""
        types_ok, values_ok = valid
        if attr == 'title':
            if value is None or callable(value):
                return
        elif isinstance(value, types_ok):
            return
        else:
            try:
                if value in values_ok:
                    return
            except Exception:
                pass
        accept = ", ".join(getattr(v, '__name__', str(v))
                           for v in tuple(types_ok) + tuple(values_ok))
        raise InvalidTask("Task '%s' attribute '%s' must be {%s} got:%r %s"
                          % (task, attr, accept, value, type(value)))

    def _path_list(self, items, what):
        paths = []
        for item in items:
            if type(item) is str:
                paths.append(item)
                continue
            if not _is_path(item):
                raise InvalidTask("%s. %s must be a str or Path from pathlib. "
                                  "Got '%r' (%s)"
                                  % (self.name, what, item, type(item)))
            paths.append(os.fspath(item))
        return paths

    def _init_targets(self, items):
        return self._path_list(items, 'target')

    def _expand_file_dep(self, file_dep):
        self.file_dep.update(self._path_list(file_dep, 'file_dep'))

    def _expand_task_dep(self, task_dep):
        for dep in task_dep:
            (self.wild_dep if "*" in dep else self.task_dep).append(dep)

    def _expand_calc_dep(self, calc_dep):
        for dep in calc_dep:
            if dep not in self.calc_dep:
                self.calc_dep.append(dep)

    def _init_uptodate(self, items):
        """return items as (obj, args, kwargs), configuring objects that
        have configure_task(task)"""
        uptodate = []
        for item in items:
            if hasattr(item, 'configure_task'):
                item.configure_task(self)
            if isinstance(item, bool) or item is None:
                uptodate.append((item, None, None))
            elif callable(item):
                uptodate.append((item, [], {}))
            elif isinstance(item, tuple):
                args = list(item[1]) if len(item) > 1 else []
                kwargs = item[2] if len(item) > 2 else {}
                uptodate.append((item[0], args, kwargs))
            elif isinstance(item, str):
                uptodate.append((item, [], {}))
            else:
                raise InvalidTask(
                    "%s. task invalid 'uptodate' item '%r'. Must be bool, "
                    "None, str, callable or tuple (callable, args, kwargs)."
                    % (self.name, item))
        return uptodate

    def _extend_uptodate(self, uptodate):
        self.uptodate.extend(self._init_uptodate(uptodate))

    def _init_getargs(self):
        """check getargs; return result_dep objects for the tasks it reads
        (they become setup tasks)"""
        sources = {}
        for arg_name, desc in self.getargs.items():
            if isinstance(desc, str) or not hasattr(desc, '__len__') \
                    or len(desc) != 2:
                raise InvalidTask(
                    "Taskid '%s' - Invalid format for getargs of '%s'.\n"
                    "Should be tuple with 2 elements ('<taskid>', "
                    "'<key-name>') got '%s'\n" % (self.name, arg_name, desc))
            if desc[0] not in self.setup_tasks:
                sources[desc[0]] = True
        return [result_dep(dep, setup_dep=True) for dep in sources]

    # calc_dep results are merged with update_deps()
    _expand_map = {
        'task_dep': _expand_task_dep,
        'file_dep': _expand_file_dep,
        'calc_dep': _expand_calc_dep,
        'uptodate': _extend_uptodate,
    }

    def update_deps(self, deps):
        """merge the dependencies returned by a calc_dep task"""
        for key, value in deps.items():
            if key in self._expand_map:
                self._expand_map[key](self, value)

    # --- attributes ------------------------------------------------------
    @property
    def actions(self):
        """action objects, created on first use. As in doit an invalid
        action is an error only when the task is about to run: the list is
        then [InvalidActions], whose execute() raises the InvalidTask."""
        if self._action_instances is None:
            try:
                self._action_instances = [
                    create_action(a, self, 'actions') for a in self._actions]
            except InvalidTask as exc:
                self._action_instances = [InvalidActions(exc, self)]
        return self._action_instances

    @property
    def actions_error(self):
        """None, or the InvalidTask message of an invalid action (doit
        reports it when the task is about to run: "Execution aborted.")"""
        actions = self.actions
        if len(actions) == 1 and isinstance(actions[0], InvalidActions):
            return str(actions[0].error)
        return None

    @property
    def action_count(self):
        """number of actions, without creating them"""
        return len(self._actions)

    @property
    def _remove_targets(self):
        return self.clean_targets

    def init_options(self, args=None):
        """set self.options to the parameters' defaults (config values and
        environment variables applied) unless already set; parse args when
        given and return what is left of them"""
        if self.options is not None:
            return args
        parser = TaskParse([CmdOption(opt) for opt in
                            list(self.params) + list(self.creator_params)])
        if self.cfg_values is not None:
            parser.overwrite_defaults(self.cfg_values)
        values, rest = parser.parse(list(args) if args else [])
        self.options = dict(values)
        return rest

    def save_extra_values(self):
        """add the values of value_savers (set by uptodate objects)"""
        for saver in self.value_savers:
            self.values.update(saver())

    def overwrite_verbosity(self, stream):
        self.verbosity = stream.effective_verbosity(self.verbosity)

    def title(self):
        """the task's name as shown by the reporter"""
        if self.custom_title:
            return self.custom_title(self)
        return self.name

    # --- in-process execution (doit's API) --------------------------------
    def execute(self, stream):
        """run all actions in-process; return None or the failure"""
        self.executed = True
        self.init_options()
        out, err = stream._get_out_err(self.verbosity)
        for action in self.actions:
            failure = action.execute(out, err)
            if isinstance(failure, BaseFail):
                return failure
            self.result = action.result
            self.values.update(action.values)
        return None

    def execute_teardown(self, stream):
        """run the teardown actions; return None or the failure"""
        out, err = stream._get_out_err(self.verbosity)
        for action in self.teardown:
            failure = action.execute(out, err)
            if isinstance(failure, BaseFail):
                return failure
        return None

    def clean(self, outstream, dryrun):
        """remove targets (clean True) or run the clean actions, writing
        doit's messages to outstream; with dryrun only Python clean actions
        taking a `dryrun` argument run"""
        self.init_options()
        if self.clean_targets:
            clean_targets(self, dryrun, outstream)
            return
        for action in self.clean_actions:
            outstream.write("%s - executing '%s'\n" % (self.name, action))
            run_anyway = False
            if isinstance(action, PythonAction):
                try:
                    takes = inspect.signature(action.py_callable).parameters
                except (TypeError, ValueError):
                    takes = ()
                if 'dryrun' in takes:
                    run_anyway = True
                    action.kwargs['dryrun'] = dryrun
            if not dryrun or run_anyway:
                failure = action.execute(out=outstream)
                if isinstance(failure, BaseFail):
                    sys.stderr.write(str(failure))

    def __repr__(self):
        return "<Task: %s>" % self.name

    def __eq__(self, other):
        return isinstance(other, Task) and self.name == other.name

    def __hash__(self):
        return hash(self.name)

    def __lt__(self, other):
        return self.name < other.name


# attribute -> exact types accepted without a closer look (speed)
_FAST_TYPES = {attr: frozenset(types_ok) | (
    frozenset([type(None)]) if None in values_ok else frozenset())
    for attr, (types_ok, values_ok) in Task.valid_attr.items()}


def dict_to_task(task_dict):
    """return the Task for a task dict (with 'name' set), checking that
    'actions' is present and that every key is a task key"""
    if 'actions' not in task_dict:
        raise InvalidTask("Task %s must contain 'actions' field. %s"
                          % (task_dict['name'], task_dict))
    for key in list(task_dict):
        if key not in Task.valid_attr:
            raise InvalidTask("Task %s contains invalid field: '%s'"
                              % (task_dict['name'], key))
    return Task(**task_dict)


def clean_targets(task, dryrun, outstream=None):
    """remove a task's target files, then its (empty) target folders"""
    out = outstream if outstream is not None else sys.stdout
    files = [path for path in task.targets if os.path.isfile(path)]
    dirs = [path for path in task.targets if os.path.isdir(path)]
    for path in files:
        out.write("%s - removing file '%s'\n" % (task.name, path))
        if not dryrun:
            os.remove(path)
    for path in dirs:
        if os.listdir(path):
            out.write("%s - cannot remove (it is not empty) '%s'\n"
                      % (task.name, path))
        else:
            out.write("%s - removing dir '%s'\n" % (task.name, path))
            if not dryrun:
                os.rmdir(path)


class result_dep(UptodateCalculator):
    """uptodate: true while the result of task dep_task_name is unchanged
    (for a group task: the results of all its sub-tasks)."""

    def __init__(self, dep_task_name, setup_dep=False):
        super().__init__()
        self.dep_name = dep_task_name
        self.setup_dep = setup_dep
        self.result_name = '_result:%s' % self.dep_name

    def configure_task(self, task):
        """the task depends on dep_task_name (as a setup task for getargs)"""
        if self.setup_dep:
            task.setup_tasks.append(self.dep_name)
        else:
            task.task_dep.append(self.dep_name)

    def _result_single(self):
        return self.get_val(self.dep_name, 'result:')

    def _result_group(self, dep_task):
        prefix = dep_task.name + ":"
        return {sub: self.get_val(sub, 'result:')
                for sub in dep_task.task_dep if sub.startswith(prefix)}

    def _dep_result(self, dep_task):
        if dep_task.has_subtask:
            return self._result_group(dep_task)
        return self._result_single()

    def __call__(self, task, values):
        dep_task = self.tasks_dict[self.dep_name]
        dep_result = self._dep_result(dep_task)

        def saver():
            # the result once the task ran: a setup task runs after this
            # check (doit 0.32)
            return {self.result_name: self._dep_result(dep_task)}
        task.value_savers.append(saver)
        last_success = values.get(self.result_name)
        if last_success is None:
            return False
        return last_success == dep_result
