# A reporter class (DOIT_CONFIG) sees what doit's own process knows of a task
# with -n: under -P process a failed task comes back from the worker without
# its actions' output (None) and not executed; a success, even one whose
# saving fails, comes back with it.
# scenario serial:
#   run -c bad => 1
#   run use => 2
#   run good
# scenario process:
#   run -n 2 -c bad => 1
#   run -n 2 -v 0 -c bad => 1
#   run -n 2 use => 2
#   run -n 2 good
# scenario thread:
#   run -n 2 -P thread -c bad => 1
#   run -n 2 -P thread use => 2
#   run -n 2 -P thread good
from doit.reporter import ConsoleReporter


class Shown(ConsoleReporter):
    def _show(self, what, task):
        self.write('%s %s executed=%s out=%r err=%r\n' % (
            what, task.name, task.executed, [a.out for a in task.actions],
            [a.err for a in task.actions]))

    def add_failure(self, task, exception):
        self._show('failed', task)
        super().add_failure(task, exception)

    def add_success(self, task):
        self._show('ok', task)


DOIT_CONFIG = {'reporter': Shown}


def talk():
    print('py-out')


def task_gen():
    return {'actions': ['true'], 'targets': ['gen.txt']}


def task_use():
    return {'actions': [talk, 'echo use-out'], 'file_dep': ['gen.txt'],
            'targets': ['use.out']}


def task_bad():
    return {'actions': [talk, 'echo bad-out; exit 1']}


def task_good():
    return {'actions': [talk, 'echo good-out']}
