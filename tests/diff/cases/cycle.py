# Dependency cycles: task_dep loops, a task depending on itself, a loop through targets.
# scenario task_dep:
#   env CASE=task_dep
#   run => 3 ~ Cyclic/recursive dependencies
#   run b => 3
# scenario self:
#   env CASE=self
#   run => 3 ~ Cyclic/recursive dependencies
# scenario targets:
#   env CASE=targets
#   run => 3 ~ Cyclic/recursive dependencies
# scenario setup:
#   env CASE=setup
#   run => 3
# scenario list:
#   env CASE=task_dep
#   run list
#   run list --deps
import os

CASE = os.environ.get('CASE')


def task_a():
    if CASE == 'task_dep':
        return {'actions': ['echo a'], 'task_dep': ['b']}
    if CASE == 'self':
        return {'actions': ['echo a'], 'task_dep': ['a']}
    if CASE == 'targets':
        return {'actions': ['touch x'], 'file_dep': ['y'], 'targets': ['x']}
    if CASE == 'setup':
        return {'actions': ['echo a'], 'setup': ['b']}
    return {'actions': ['echo a']}


def task_b():
    if CASE in ('task_dep', 'setup'):
        return {'actions': ['echo b'], 'task_dep': ['c']}
    if CASE == 'targets':
        return {'actions': ['touch y'], 'file_dep': ['x'], 'targets': ['y']}
    return {'actions': ['echo b']}


def task_c():
    if CASE == 'task_dep':
        return {'actions': ['echo c'], 'task_dep': ['a']}
    if CASE == 'setup':
        return {'actions': ['echo c'], 'task_dep': ['a']}
    return {'actions': ['echo c']}
