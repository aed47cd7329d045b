# A syntax error in dodo.py: exit 3 with Python's SyntaxError report.
# scenario run:
#   run => 3 ~ SyntaxError
#   run list => 3
#   run nosuch => 3


def task_ok():
    return {'actions': ['echo ok']}


def task_broken(:
    return {'actions': ['echo broken']}
