# Invalid task definitions are reported before anything runs, exit 3 (CASE picks one).
# scenario filedep:
#   env CASE=filedep
#   run => 3 ~ invalid field: 'filedep'
#   run list => 3
# scenario name_in_plain:
#   env CASE=name
#   run => 3 ~ Only subtasks use field name
# scenario duplicate:
#   env CASE=duplicate
#   run => 3 ~ Task names must be unique
# scenario common_target:
#   env CASE=common_target
#   run => 3 ~ Two different tasks can't have a common target
# scenario bad_action:
#   env CASE=bad_action
#   run => 2 ~ invalid 'actions' type
# scenario file_dep_str:
#   env CASE=file_dep_str
#   run => 3
# scenario unknown_task_dep:
#   env CASE=unknown_task_dep
#   run => 3 ~ Task dependency 'nowhere' does not exist
# scenario unknown_setup:
#   env CASE=unknown_setup
#   run => 3
# scenario creator_raises:
#   env CASE=creator_raises
#   run => 3 ~ creator blew up
# scenario yields_junk:
#   env CASE=yields_junk
#   run => 3
# scenario returns_junk:
#   env CASE=returns_junk
#   run => 3
# scenario no_actions:
#   env CASE=no_actions
#   run => 3
# scenario bad_verbosity:
#   env CASE=bad_verbosity
#   run => 3
# scenario sub_no_name:
#   env CASE=sub_no_name
#   run => 3
# scenario none_is_fine:
#   env CASE=none
#   run
#   run list
import os

CASE = os.environ.get('CASE', '')


def task_good():
    return {'actions': ['echo good']}


def task_x():
    if CASE == 'filedep':
        return {'actions': ['echo x'], 'filedep': ['a']}
    if CASE == 'name':
        return {'actions': ['echo x'], 'name': 'y'}
    if CASE == 'common_target':
        return {'actions': ['echo x'], 'targets': ['same.txt']}
    if CASE == 'bad_action':
        return {'actions': [42]}
    if CASE == 'file_dep_str':
        return {'actions': ['echo x'], 'file_dep': 'dodo.py'}
    if CASE == 'unknown_task_dep':
        return {'actions': ['echo x'], 'task_dep': ['nowhere']}
    if CASE == 'unknown_setup':
        return {'actions': ['echo x'], 'setup': ['nowhere']}
    if CASE == 'creator_raises':
        raise RuntimeError('creator blew up')
    if CASE == 'yields_junk':
        return (x for x in ['not a dict'])
    if CASE == 'returns_junk':
        return 'not a dict'
    if CASE == 'no_actions':
        return {'file_dep': ['dodo.py']}
    if CASE == 'bad_verbosity':
        return {'actions': ['echo x'], 'verbosity': 3}
    if CASE == 'sub_no_name':
        return ({'actions': ['echo x']} for _ in range(1))
    if CASE == 'none':
        return None
    return {'actions': ['echo x']}


if CASE == 'duplicate':
    def task_dup():
        return {'actions': ['echo dup'], 'basename': 'good'}

if CASE == 'common_target':
    def task_y():
        return {'actions': ['echo y'], 'targets': ['same.txt']}
