# A reporter class in DOIT_CONFIG: every method is called as doit calls it.
# scenario run:
#   run => 1
#   run -c => 1
#   run ok
#   run -r console ok
#   run --reporter zero -c => 1
# scenario outfile:
#   run -o rep.log -c => 1

from doit.reporter import ConsoleReporter


class Rep(object):
    def __init__(self, outstream, options):
        self.out = outstream
        self.out.write('init %s\n' % sorted(options.items()))

    def initialize(self, tasks, selected):
        self.out.write('initialize %s %s\n' % (sorted(tasks), selected))

    def get_status(self, task):
        self.out.write('status %s\n' % task.name)

    def execute_task(self, task):
        self.out.write('execute %s\n' % task.title())

    def add_failure(self, task, exception):
        self.out.write('failure %s %s: %s\n' % (task.name, exception.get_name(),
                                              exception.get_msg().strip()))

    def add_success(self, task):
        self.out.write('success %s out=%r\n' % (task.name,
                                               [a.out for a in task.actions]))

    def skip_uptodate(self, task):
        self.out.write('uptodate %s\n' % task.name)

    def skip_ignore(self, task):
        self.out.write('ignore %s\n' % task.name)

    def cleanup_error(self, exception):
        self.out.write('cleanup %s\n' % exception.get_msg().strip())

    def runtime_error(self, msg):
        self.out.write('runtime %s\n' % msg)

    def teardown_task(self, task):
        self.out.write('teardown %s\n' % task.name)

    def complete_run(self):
        self.out.write('complete\n')


DOIT_CONFIG = {'reporter': Rep}


def task_ok():
    return {'actions': ['echo ok-out'], 'uptodate': [True], 'teardown': ['true']}


def task_bad():
    return {'actions': ['echo bad; exit 1'], 'task_dep': ['ok']}


def task_after():
    return {'actions': ['echo after'], 'task_dep': ['bad']}
