"""doit.Globals (doit 0.32): singletons a task file may reach."""


class Globals:
    """dep_manager: the saved state of the tasks (a
    doit.dependency.Dependency: get_values, get_value, get_result,
    remove). dodo sets it before the task creators run; the state file
    itself is opened after the task file is loaded, so during task
    creation it reads as empty (see docs/commands.md)."""
    dep_manager = None
