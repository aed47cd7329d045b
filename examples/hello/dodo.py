"""A small C project for dodo (it runs under doit too).

    ../../build/dodo            compile, link, run, report
    ../../build/dodo            again: everything is up to date
    ../../build/dodo list --all
    ../../build/dodo clean
"""
import json

DOIT_CONFIG = {'default_tasks': ['report']}

SOURCES = ['main', 'greet']
NAMES = ['dodo', 'doit']


def task_compile():
    """compile each C file"""
    for src in SOURCES:
        yield {
            'name': src,
            'actions': ['mkdir -p build', 'cc -c -o %(targets)s ' + src + '.c'],
            'file_dep': [src + '.c', 'greet.h'],
            'targets': ['build/%s.o' % src],
            'clean': True,
        }


def task_link():
    """link the program"""
    objects = ['build/%s.o' % src for src in SOURCES]
    return {
        'actions': ['cc -o %(targets)s ' + ' '.join(objects)],
        'file_dep': objects,
        'targets': ['build/hello'],
        'clean': True,
    }


def task_greet():
    """run the program once per name"""
    for name in NAMES:
        yield {
            'name': name,
            'actions': ['build/hello %s > %%(targets)s' % name],
            'file_dep': ['build/hello'],
            'targets': ['build/%s.txt' % name],
            'clean': True,
        }


def write_report(dependencies, targets):
    """a Python action: gather the greetings into one JSON file"""
    greetings = {}
    for path in sorted(dependencies):
        with open(path) as f:
            greetings[path] = f.read().strip()
    with open(targets[0], 'w') as f:
        json.dump(greetings, f, indent=2, sort_keys=True)
        f.write('\n')
    print('%d greetings in %s' % (len(greetings), targets[0]))


def task_report():
    """collect the greetings"""
    return {
        'actions': [write_report],
        'file_dep': ['build/%s.txt' % name for name in NAMES],
        'targets': ['build/report.json'],
        'clean': True,
        'verbosity': 2,
    }
