"""Compare tracebacks between doit (which shows its own frames) and dodo
(which starts at the user's code)."""

import re

_FRAME = re.compile(r'^  File "(?P<file>[^"]*)", line \d+')
_INTERNAL = ('/usr/lib/python3', '<frozen ')


def strip_internal_frames(text, extra_internal=()):
    """drop the frames of doit, importlib and the given path prefixes
    (with their source and caret lines)"""
    internal = _INTERNAL + tuple(extra_internal)
    out = []
    skipping = False
    for line in text.splitlines(keepends=True):
        frame = _FRAME.match(line)
        if frame:
            skipping = frame.group('file').startswith(internal)
            if skipping:
                continue
        elif skipping and line.startswith('    '):
            continue
        else:
            skipping = False
        out.append(line)
    return ''.join(out)
