# Names and targets on the command line: a task named like a file, a target in a folder,
# a task name that is also another task's target (the task name wins).
# scenario run:
#   run report.txt
#   run report.txt
#   run build/out.bin
#   run build/out.bin
#   run summary
#   run data.csv
#   run list


def task_report():
    return {'basename': 'report.txt', 'actions': ['echo report > report.txt'],
            'targets': ['report.txt']}


def task_bin():
    return {'actions': ['mkdir -p build && echo bin > build/out.bin'],
            'targets': ['build/out.bin'], 'file_dep': ['dodo.py']}


def task_summary():
    return {'actions': ['echo summary'], 'targets': ['data.csv'], 'verbosity': 2}


def task_data_csv():
    return {'basename': 'data.csv', 'actions': ['echo the-task-named-data.csv'],
            'verbosity': 2}
