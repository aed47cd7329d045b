# At exit the task file's objects are finalized as by Python's own exit: a
# file left open and unflushed in a global or in a reference cycle is
# written out, atexit functions run.
# scenario run:
#   run
#   run -n 2
import atexit

LOG = open('global.txt', 'a')
LOG.write('unflushed global file\n')


class Cycle:
    def __init__(self):
        self.me = self
        self.f = open('cycle.txt', 'a')
        self.f.write('file in a reference cycle\n')


Cycle()
atexit.register(lambda: open('atexit.txt', 'a').write('atexit ran\n'))


def task_a():
    return {'actions': ['echo a > a.txt'], 'targets': ['a.txt']}
