"""A development web server for the example: serves site/ and /version.

    python3 app.py [PORT]

wsgiref from the standard library; one request at a time, as a dev server.
Edit VERSION (or anything here) while `dodo auto` runs: the server is
restarted and answers with the new text.
"""
import mimetypes
import os
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

VERSION = 'app 1'
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'site')


def app(environ, start_response):
    path = environ.get('PATH_INFO', '/')
    if path == '/version':
        body = VERSION.encode()
        start_response('200 OK', [('Content-Type', 'text/plain'),
                                  ('Content-Length', str(len(body)))])
        return [body]
    name = os.path.normpath(os.path.join(ROOT, path.lstrip('/') or 'index.html'))
    if not name.startswith(ROOT) or not os.path.isfile(name):
        start_response('404 Not Found', [('Content-Type', 'text/plain')])
        return [b'not found\n']
    with open(name, 'rb') as f:
        body = f.read()
    kind = mimetypes.guess_type(name)[0] or 'application/octet-stream'
    start_response('200 OK', [('Content-Type', kind), ('Content-Length', str(len(body)))])
    return [body]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    with make_server('127.0.0.1', port, app, handler_class=QuietHandler) as server:
        print('serving http://127.0.0.1:%d/ (%s)' % (port, VERSION), flush=True)
        server.serve_forever()


if __name__ == '__main__':
    main()
