"""dodo auto: a page regenerated on every edit, a development server restarted.

    ../../build/dodo auto                 # http://127.0.0.1:8000/
    ../../build/dodo auto port=8080

Edit content/*.md: `page` runs again; the server keeps running and serves the
new page. Edit app.py: `serve` runs again; dodo stops the old server (SIGTERM
to its process group, SIGKILL after --grace ms), its port is free, the new one
starts. Edit render.py or this file: the task file is loaded again. Ctrl-C
stops everything.

server=pidfile uses what doit users write by hand instead of LongRunning
(doit's auto never stops a server): a PID file, the old server killed, the new
one started in the background. It runs under `python3 -m doit auto` too; the
benchmark (bench/auto_latency) compares both.
"""
import glob
import os
import signal
import socket
import subprocess
import sys
import time

from doit import get_var
from doit.tools import LongRunning

import render

PORT = int(get_var('port', '8000'))
SERVER = get_var('server', 'long')
PYTHON = sys.executable or '/usr/bin/python3'
PIDFILE = '.server.pid'


def make_page(dependencies, targets):
    text = ''.join(open(name).read() + '\n\n' for name in sorted(dependencies)
                   if name.endswith('.md'))
    os.makedirs('site', exist_ok=True)
    with open(targets[0], 'w') as f:
        f.write(render.render(text, 'dodo auto example'))


def task_page():
    """render content/*.md into site/index.html"""
    return {
        'actions': [make_page],
        'file_dep': sorted(glob.glob('content/*.md')) + ['render.py'],
        'targets': ['site/index.html'],
        'clean': True,
    }


def port_in_use():
    with socket.socket() as s:
        return s.connect_ex(('127.0.0.1', PORT)) == 0


def restart_by_pidfile():
    """the hand-made way: kill the server of the PID file, start a new one"""
    try:
        with open(PIDFILE) as f:
            os.killpg(int(f.read()), signal.SIGTERM)
    except (OSError, ValueError):
        pass
    deadline = time.monotonic() + 5
    while port_in_use() and time.monotonic() < deadline:
        time.sleep(0.005)
    proc = subprocess.Popen([PYTHON, 'app.py', str(PORT)], start_new_session=True)
    with open(PIDFILE, 'w') as f:
        f.write(str(proc.pid))


def task_serve():
    """the development server (restarted when app.py changes)"""
    if SERVER == 'pidfile':
        action = restart_by_pidfile
    else:
        action = LongRunning('%s app.py %d' % (PYTHON, PORT))
    return {
        'actions': [action],
        'file_dep': ['app.py'],
        'task_dep': ['page'],
    }
