# What loading dodo.py reads decides the tasks: globs, listings, files, env, imports, vars.
# A run that skips loading must notice every such change (doit reloads every time).
# copy: helper_mod.py
# setup:
#   mkdir src
#   write src/a.in a
#   write names.txt one
# scenario glob:
#   run
#   run
#   write src/b.in b
#   run
#   run
#   rm src/a.in
#   run
#   mkdir src/deeper
#   write src/deeper/c.in c
#   run
# scenario root_glob:
#   run
#   write x.top x
#   run
#   run
#   write y.top y
#   run
#   rm x.top
#   run
# scenario files:
#   run
#   write names.txt one two
#   run
#   run
#   rm names.txt
#   run
#   write names.txt three
#   run
# scenario env:
#   run
#   env LOAD_MODE=loud
#   run
#   run
#   unenv LOAD_MODE
#   run
# scenario import:
#   run
#   sub helper_mod.py "['alpha']" "['alpha', 'beta']"
#   run
#   run
# scenario vars:
#   run
#   run who=me
#   run who=me
#   run
# scenario exists:
#   run
#   write optional.cfg x
#   run
#   run
#   rm optional.cfg
#   run
import glob
import os

import doit
import helper_mod

NAMES = open('names.txt').read().split() if os.path.exists('names.txt') else ['none']
MODE = os.environ.get('LOAD_MODE', 'quiet')
WHO = doit.get_var('who', 'nobody')
OPTIONAL = os.path.exists('optional.cfg')


def task_inputs():
    for path in sorted(glob.glob('src/**/*.in', recursive=True)):
        yield {'name': path, 'actions': ['echo %s' % path], 'file_dep': [path],
               'verbosity': 2}


def task_top():
    for path in sorted(glob.glob('*.top')):
        yield {'name': path, 'actions': ['echo top %s' % path], 'verbosity': 2}


def task_listing():
    return {'actions': ['echo listing %s' % ' '.join(sorted(os.listdir('src')))],
            'verbosity': 2}


def task_names():
    for n in NAMES:
        yield {'name': n, 'actions': ['echo name %s' % n], 'verbosity': 2}


def task_mode():
    return {'actions': ['echo mode %s' % MODE], 'verbosity': 2}


def task_helper():
    for n in helper_mod.NAMES:
        yield {'name': n, 'actions': ['echo helper %s' % n], 'verbosity': 2}


def task_who():
    return {'actions': ['echo who %s' % WHO], 'verbosity': 2}


def task_optional():
    return {'actions': ['echo optional %s' % OPTIONAL], 'verbosity': 2}
