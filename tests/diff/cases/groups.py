# Sub-tasks and groups: `name: None`, basename, nested generators, empty groups, docs.
# scenario run:
#   run
#   run
#   run gen
#   run gen:one
#   run other_base
#   run empty
#   run nested:inner2
# scenario list:
#   run list
#   run list --all
#   run list gen
#   run list --all --deps
#   run info gen => 1
#   run info gen:two => 1
# scenario doc:
#   run help gen
#   run help task


def task_gen():
    """creator docstring"""
    yield {'name': None, 'doc': 'group doc from name None', 'task_dep': ['first']}
    for n in ('one', 'two', 'three'):
        yield {'name': n, 'actions': ['echo %s' % n], 'doc': 'sub %s' % n,
               'verbosity': 2}


def task_first():
    return {'actions': ['echo first'], 'verbosity': 2}


def task_other():
    """renamed by basename"""
    return {'basename': 'other_base', 'actions': ['echo other'], 'verbosity': 2}


def task_empty():
    """yields nothing"""
    if False:
        yield


def inner_gen(prefix):
    for i in (1, 2):
        yield {'name': '%s%d' % (prefix, i), 'actions': ['echo %s%d' % (prefix, i)]}


def task_nested():
    yield inner_gen('inner')
    yield {'name': 'plain', 'actions': ['echo plain']}


def task_many_bases():
    """several basenames from one creator"""
    yield {'basename': 'mb_a', 'actions': ['echo mb_a']}
    yield {'basename': 'mb_b', 'name': 'x', 'actions': ['echo mb_b:x']}
    yield {'basename': 'mb_b', 'name': 'y', 'actions': ['echo mb_b:y']}
