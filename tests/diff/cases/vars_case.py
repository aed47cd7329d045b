# Command-line variables (`x=1`) read with doit.get_var; defaults; with task names and options.
# scenario run:
#   run
#   run x=1
#   run x=1 y=two
#   run show x=3
#   run -v 0 x=4 show
#   run x=
#   run x=a=b
#   run x=1 x=2
import doit

X = doit.get_var('x', 'default-x')
Y = doit.get_var('y')


def task_show():
    return {'actions': ['echo "x=%s y=%s"' % (X, Y)], 'verbosity': 2}
