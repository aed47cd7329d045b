# The sub-tasks of a task are the tasks its generator yielded (subtask_of), not the
# tasks whose names start with its name and ':': data:download:one is a sub-task of
# data:download, never of data, though data depends on it; data:cfg (a task returned
# with that basename) is a sub-task of nothing.
# scenario run:
#   run
#   run data
#   run -s data
#   run data:download
#   run data:download:two
#   run info data => 1
#   run info data:download => 1
#   run info data:download:one => 1
# scenario list:
#   run list
#   run list data
#   run list --all
#   run list --all data
#   run list --all data:download
#   run list --all -s data data:download
# scenario clean:
#   run
#   run clean -n data
#   run clean data
#   run clean data:download
#   run
#   run clean -n --forget data
# scenario forget:
#   run
#   run forget data
#   run
#   run forget data:download
#   run
#   run forget -s data
# scenario ignore:
#   run
#   run forget
#   run ignore data
#   run
#   run forget data
#   run ignore data:download
#   run
# scenario resetdep:
#   run
#   rm data.out
#   rm one.out
#   run reset-dep data
#   run
#   run forget
#   run reset-dep data:download
#   run


def task_data():
    return {'actions': ['touch data.out'], 'targets': ['data.out'], 'clean': True,
            'task_dep': ['data:download:one', 'data:cfg']}


def task_data_download():
    for n in ('one', 'two'):
        yield {'basename': 'data:download', 'name': n, 'actions': ['touch %s.out' % n],
               'targets': ['%s.out' % n], 'clean': True}


def task_data_cfg():
    return {'basename': 'data:cfg', 'actions': ['touch cfg.out'], 'targets': ['cfg.out'],
            'clean': True}
