"""The differential engine: run one scenario step by step under doit (the
oracle) and under dodo, each in its own fresh folder, and compare what they
print, their exit codes and the files they leave.

A scenario is a list of steps, one string each:

  run [ARGS] [=> CODE] [~ TEXT]   run the tool with ARGS (shlex-split); CODE is
                                  the exit code expected from both tools
                                  (default 0, `*` for any: machine-dependent);
                                  TEXT must occur in stdout or stderr
  run@DIR [ARGS] ...              the same, from sub-folder DIR
  write PATH [TEXT]               write TEXT (\\n, \\t escapes) and bump mtime
  append PATH TEXT                append TEXT and bump mtime
  touch PATH                      create, or move mtime forward (no content change)
  rm PATH | mkdir PATH | chmod MODE PATH | mv SRC DST | cp SRC DST
  sub PATH OLD NEW                replace OLD by NEW in PATH (shlex-split args)
  env NAME=VALUE | unenv NAME     environment of the following runs

DIFF_SHOW=1 (with pytest -s) prints every run's output as it happens.
DIFF_ORACLE_CACHE=DIR keeps the oracle's results in DIR, keyed by a hash of
the scenario, its files, this file and doit's version (CI sets it so the
sanitizer pass does not rerun doit).

Comparison, after each `run` step: exit code, stdout lines, stderr lines
(normalised: work-folder path, 0x addresses, traceback frames outside the
work folder, line numbers, program name, state file name, times and dates,
set reprs sorted, the deliberate differences listed in _DELIBERATE), then the
tree of files (ignoring __pycache__ and the state files, see STATE_SUFFIXES):
names, mode bits and contents. Where doit's own order depends on the hash seed, any order
is accepted (see Comparison).

DIFF_ORACLE_ONLY=1 runs the oracle side only and checks the declared exit
codes and texts: a test of the scenarios themselves that needs no dodo.
"""

import codecs
import dataclasses
import difflib
import fnmatch
import hashlib
import os
import pickle
import re
import shlex
import shutil
from dataclasses import dataclass, field

import pytest

# doit's commands (0.31): a scenario that uses any but `run` is marked `commands`.
COMMANDS = {"auto", "clean", "dumpdb", "forget", "help", "ignore", "info", "list",
            "reset-dep", "strace", "tabcompletion"}

ORACLE_ONLY = os.environ.get("DIFF_ORACLE_ONLY", "") not in ("", "0")
SHOW = os.environ.get("DIFF_SHOW", "") not in ("", "0")   # print every run (use -s)


@dataclass
class Step:
    verb: str
    args: list
    cwd: str = None
    code: object = 0          # int, or None for any
    text: str = None
    line: str = ""

    @property
    def is_run(self):
        return self.verb == "run"


def _unescape(s):
    return codecs.decode(s, "unicode_escape")


def parse_step(line):
    """One DSL line -> Step; raises ValueError on a malformed line."""
    line = line.strip()
    verb, _, rest = line.partition(" ")
    cwd = None
    if verb.startswith("run@"):
        verb, cwd = "run", verb[4:]
    if verb == "run":
        text = None
        if " ~ " in " " + rest:
            rest, _, text = (" " + rest).partition(" ~ ")
            text = text.strip()
        code = 0
        if " => " in " " + rest + " ":
            rest, _, c = (" " + rest + " ").partition(" => ")
            c = c.strip()
            code = None if c == "*" else int(c)
        return Step("run", shlex.split(rest), cwd, code, text, line)
    if verb in ("write", "append"):
        path, _, text = rest.partition(" ")
        return Step(verb, [path, _unescape(text)], line=line)
    args = shlex.split(rest)
    arity = {"touch": 1, "rm": 1, "mkdir": 1, "chmod": 2, "mv": 2, "cp": 2,
             "sub": 3, "env": 1, "unenv": 1}
    if verb not in arity or len(args) != arity[verb]:
        raise ValueError("bad scenario step: %r" % line)
    return Step(verb, args, line=line)



def parse_case_header(path):
    """The comment block that opens a case file: -> (setup steps,
    {scenario name: steps}, [(key, value)] of its other "# key: value"
    lines). "# setup:" and "# scenario NAME:" start a list of steps (lines
    indented by three spaces)."""
    setup, scenarios, current, keys = [], {}, None, []
    with open(path) as f:
        for line in f:
            if not line.startswith("#"):
                if line.strip():
                    break
                continue
            body = line[1:].rstrip("\n")
            m = re.match(r" scenario ([\w-]+):\s*$", body)
            if m:
                current = scenarios.setdefault(m.group(1), [])
            elif re.match(r" setup:\s*$", body):
                current = setup
            elif body.startswith("   ") and body.strip() and current is not None:
                current.append(parse_step(body.strip()))
            else:
                current = None
                key, _, val = body.strip().partition(": ")
                keys.append((key, val))
    if not scenarios:
        raise ValueError("%s: no scenario" % path)
    return setup, scenarios, keys

def uses_commands(steps):
    """True if a step runs a doit command other than `run`."""
    return any(s.is_run and s.args and s.args[0] in COMMANDS for s in steps)


@dataclass
class Options:
    """Per-sample/case comparison options."""
    unordered: list = field(default_factory=list)   # files compared as sorted words
    opaque: list = field(default_factory=list)      # files compared by presence only
    ignore: list = field(default_factory=list)      # fnmatch patterns left out
    state: list = field(default_factory=list)       # state file names given (state_names)
    deliberate: list = field(default_factory=list)  # names in DELIBERATE_BY_NAME


# The state files are no part of the comparison. Besides the default ones
# (.doit.db*, .dodo.db*), a step's --db-file/--dep-file or a dep_file setting
# names one, and either tool makes files of its own from that name: doit's
# dbm writes NAME (dbm.gnu, with python3-gdbm), NAME.db (dbm.ndbm) or
# NAME.dat/.dir/.bak (dbm.dumb), whichever is installed; SQLite adds -wal,
# -shm and -journal.
STATE_DEFAULTS = (".doit.db", ".dodo.db")
STATE_SUFFIXES = ("", ".db", ".dat", ".dir", ".bak", "-wal", "-shm", "-journal")
_STATE_OPTIONS = ("--db-file", "--dep-file")
# dep_file in DOIT_CONFIG ('dep_file': 'x'), doit.cfg (dep_file = x) or
# pyproject.toml (dep_file = "x")
_DEP_FILE_SETTING = re.compile(r"""\bdep_file['"]?[ \t]*[:=][ \t]*['"]?([^'"\s,}]+)""")


def _option_values(args):
    """The names given to the state file options in a run step's arguments."""
    for i, a in enumerate(args):
        for opt in _STATE_OPTIONS:
            if a == opt and i + 1 < len(args):
                yield args[i + 1]
            elif a.startswith(opt + "="):
                yield a[len(opt) + 1:]


def state_names(steps, texts=()):
    """Base names of the state files that the steps' options and the dep_file
    settings in texts (the files set up) and in the steps' written text name."""
    names = set()
    texts = list(texts)
    for s in steps:
        if s.is_run:
            names.update(_option_values(s.args))
        elif s.verb in ("write", "append", "sub"):
            texts.append(s.args[-1])
    for t in texts:
        names.update(_DEP_FILE_SETTING.findall(t))
    return {os.path.basename(n) for n in names if os.path.basename(n)}


def _file_texts(root):
    """The contents of every file below root, as text."""
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            with open(os.path.join(dirpath, name), "rb") as f:
                yield f.read().decode("utf-8", "replace")


def with_state_names(options, root, steps):
    """options with the state files named by steps and the files below root."""
    names = set(options.state) | state_names(steps, _file_texts(root))
    return dataclasses.replace(options, state=sorted(names))


# ---------------------------------------------------------------- normalising

_TB_FRAME = re.compile(r'^(\s*)File "([^"]*)", line (\d+)(.*)$')
_ADDR = re.compile(r"0x[0-9a-fA-F]+")
_DB = re.compile(r"\.(doit|dodo)\.db")
_PROG = re.compile(r'(?<![\w./-])(-m|doit|dodo)(?= (?:help|list|run|info|clean|forget|'
                   r'ignore|reset-dep|dumpdb|strace|tabcompletion|auto|\[options\])\b)')
_PROG_TITLE = re.compile(r"^(doit|dodo) -- ", re.M)
# usage lines and the help listing, where plugin commands appear too
_PROG_USAGE = re.compile(r"^(Usage: +|  )(-m|doit|dodo)(?= [\w<])", re.M)
# Deliberate differences: dodo has features of newer doit on top of 0.31's.
_DELIBERATE = [
    (re.compile(r"(available choices are: 'console', 'executed-only', 'json', 'zero'),"
                r" 'error-only'"), r"\1"),    # the error-only reporter (doit 0.36)
]
_ISO_TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?")
_ELAPSED = re.compile(r'"elapsed": [0-9.e-]+|"elapsed": null')
_DATE = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|"
                   r"Sep|Oct|Nov|Dec) +\d+ \d\d:\d\d:\d\d (\w+ )?\d{4}\b")
_SET = re.compile(r"\{'[^'{}]*'(?:, '[^'{}]*')+\}")
_STR_COLLECTION = re.compile(r"[\[{]('[^'\[\]{}]*'(?:, '[^'\[\]{}]*')*)[\]}]")


def _as_sorted_list(m):
    return "[" + ", ".join(sorted(m.group(1).split(", "))) + "]"


# Deliberate differences a sample or case asks for by name (Options.deliberate).
DELIBERATE_BY_NAME = {
    # doit 0.32 passes an action's `dependencies` as a list (0.31: a set): a set or
    # list of strings reads as a sorted list
    "dependencies-list": (_STR_COLLECTION, _as_sorted_list),
}


def _sort_set(m):
    items = sorted(m.group(0)[1:-1].split(", "))
    return "{" + ", ".join(items) + "}"


def _drop_foreign_frames(lines):
    """In tracebacks, drop frames whose file is outside the work folder (the
    tool's own internals, importlib, ...) with their source/caret lines; keep
    the user's frames with the line number replaced."""
    out = []
    i = 0
    while i < len(lines):
        m = _TB_FRAME.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        indent, path = m.group(1), m.group(2)
        j = i + 1
        while j < len(lines) and lines[j].startswith(indent + "  ") \
                and not _TB_FRAME.match(lines[j]):
            j += 1
        if path.startswith("<WORK>"):
            out.append('%sFile "%s", line N%s' % (indent, path, m.group(4)))
            out.extend(lines[i + 1:j])
        i = j
    return out


def normalise_text(text, work, deliberate=()):
    """Normalise one tool's stdout or stderr; returns a list of lines.
    deliberate: names of DELIBERATE_BY_NAME to apply too."""
    for w in {work, os.path.realpath(work)}:
        text = text.replace(w, "<WORK>")
    text = _ADDR.sub("0x?", text)
    text = _DB.sub(".DB.db", text)
    text = _PROG.sub("PROG", text)
    text = _PROG_TITLE.sub("PROG -- ", text)
    text = _PROG_USAGE.sub(r"\1PROG", text)
    for rx, repl in _DELIBERATE + [DELIBERATE_BY_NAME[n] for n in deliberate]:
        text = rx.sub(repl, text)
    text = _ISO_TIME.sub("<TIME>", text)
    text = _ELAPSED.sub('"elapsed": <T>', text)
    text = _DATE.sub("<DATE>", text)
    text = _SET.sub(_sort_set, text)
    return _drop_foreign_frames(text.split("\n"))


def _is_state(name, options):
    return name.startswith(STATE_DEFAULTS) or any(
        name == s + suffix for s in options.state for suffix in STATE_SUFFIXES)


def _ignored(name, options):
    return (_is_state(name, options) or name == "__pycache__"
            or any(fnmatch.fnmatch(name, p) for p in options.ignore))


def snapshot(root, options):
    """{relpath: description} of every file, folder and link below root."""
    tree = {}
    work = os.path.realpath(root).encode()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not _ignored(d, options))
        rel_dir = os.path.relpath(dirpath, root)
        for name in dirnames + sorted(f for f in filenames if not _ignored(f, options)):
            full = os.path.join(dirpath, name)
            rel = os.path.normpath(os.path.join(rel_dir, name))
            st = os.lstat(full)
            if os.path.islink(full):
                tree[rel] = ("link", os.readlink(full).replace(work.decode(), "<WORK>"))
            elif os.path.isdir(full):
                tree[rel] = ("dir", oct(st.st_mode & 0o777))
            elif rel in options.opaque:
                tree[rel] = ("file", oct(st.st_mode & 0o777), "<opaque>")
            else:
                with open(full, "rb") as f:
                    data = f.read().replace(work, b"<WORK>")
                if rel in options.unordered:
                    data = b" ".join(sorted(data.split()))
                tree[rel] = ("file", oct(st.st_mode & 0o777), data)
    return tree


# ------------------------------------------------------------------ running

@dataclass
class Result:
    step: Step
    code: int
    out: list
    err: list
    raw_out: str
    raw_err: str
    tree: dict


def apply_step(proj, step, env):
    """Perform a non-run step on a Project; updates env in place."""
    a = step.args
    p = lambda rel: proj.path / rel  # noqa: E731
    if step.verb == "write":
        proj.write(a[0], a[1], dedent=False)
    elif step.verb == "append":
        old = p(a[0]).read_text() if p(a[0]).exists() else ""
        proj.write(a[0], old + a[1], dedent=False)
    elif step.verb == "touch":
        proj.touch(a[0])
    elif step.verb == "rm":
        proj.remove(a[0])
    elif step.verb == "mkdir":
        proj.mkdir(a[0])
    elif step.verb == "chmod":
        os.chmod(p(a[1]), int(a[0], 8))
    elif step.verb == "mv":
        os.rename(p(a[0]), p(a[1]))
    elif step.verb == "cp":
        shutil.copy2(p(a[0]), p(a[1]))
    elif step.verb == "sub":
        text = p(a[0]).read_text()
        assert a[1] in text, "scenario error: %r not in %s" % (a[1], a[0])
        proj.write(a[0], text.replace(a[1], a[2]), dedent=False)
    elif step.verb == "env":
        k, _, v = a[0].partition("=")
        env[k] = v
    elif step.verb == "unenv":
        env[a[0]] = None
    else:
        raise AssertionError(step.verb)


def play(proj, steps, tool, options, seed="0", timeout=60):
    """Run all steps on proj with tool ('doit' or 'dodo') and PYTHONHASHSEED
    seed; returns a list of Results, one per run step."""
    env = {}
    results = []
    for step in steps:
        if not step.is_run:
            apply_step(proj, step, env)
            continue
        runner = proj.run_doit if tool == "doit" else proj.run
        cp = runner(*step.args, env=dict(env, PYTHONHASHSEED=seed), cwd=step.cwd,
                    timeout=timeout)
        work = str(proj.path)
        if SHOW:
            print("\n$ %s %s%s  [exit %s]\n%s%s" % (
                tool, shlex.join(step.args), " (in %s)" % step.cwd if step.cwd else "",
                cp.returncode, cp.stdout, "".join("2> " + l + "\n"
                                                  for l in cp.stderr.splitlines())))
        results.append(Result(step, cp.returncode,
                              normalise_text(cp.stdout, work, options.deliberate),
                              normalise_text(cp.stderr, work, options.deliberate),
                              cp.stdout, cp.stderr, snapshot(proj.path, options)))
    return results


def _show(r, tool):
    return ("%s: exit %s\n--- stdout\n%s--- stderr\n%s"
            % (tool, r.code, r.raw_out, r.raw_err))


def check_expectations(results, tool):
    """The declared exit codes and texts hold for tool's results."""
    for n, r in enumerate(results, 1):
        s = r.step
        if s.code is not None and r.code != s.code:
            pytest.fail("run step %d `%s`: expected exit %s\n%s"
                        % (n, s.line, s.code, _show(r, tool)))
        if s.text and s.text not in r.raw_out and s.text not in r.raw_err:
            pytest.fail("run step %d `%s`: %r not printed\n%s"
                        % (n, s.line, s.text, _show(r, tool)))


def _diff(a, b, what):
    return "\n".join(difflib.unified_diff(a, b, "doit " + what, "dodo " + what,
                                          lineterm="", n=2))


def _short(v):
    r = repr(v)
    return r if len(r) < 300 else r[:300] + "..."


def _words(entry):
    """A tree entry with its content reduced to sorted words."""
    if entry and entry[0] == "file" and isinstance(entry[2], bytes):
        return entry[:2] + (sorted(entry[2].split()),)
    return entry


# Seeds of the extra oracle runs made when dodo differs only by an order:
# where doit's own order changes with the hash seed (it iterates a set, e.g.
# file_dep), any order is right, and lines (or a file's words) compare as
# sorted. Replays are made one at a time, only for such permutations.
OTHER_SEEDS = ("1", "2", "3", "4", "5", "6", "7", "8")


class Comparison:
    def __init__(self, oracle, dodo, replay):
        self.oracle, self.dodo, self.replay = oracle, dodo, replay
        self.variants = []

    def _seed_dependent(self, n, get):
        """Does doit's own answer at run step n change with the hash seed?"""
        a = get(self.oracle[n])
        for i in range(len(OTHER_SEEDS)):
            if i == len(self.variants):
                self.variants.append(self.replay(OTHER_SEEDS[i]))
            v = self.variants[i]
            if len(v) > n and v[n].code == self.oracle[n].code and get(v[n]) != a:
                return True
        return False

    def stream_problem(self, n, stream):
        a, b = getattr(self.oracle[n], stream), getattr(self.dodo[n], stream)
        if a == b:
            return None
        if sorted(a) == sorted(b) and self._seed_dependent(n, lambda r: getattr(r, stream)):
            return None
        return _diff(a, b, "std" + stream)

    def tree_problem(self, n):
        ta, tb = self.oracle[n].tree, self.dodo[n].tree
        lines = []
        for k in sorted(set(ta) | set(tb)):
            x, y = ta.get(k), tb.get(k)
            if x == y:
                continue
            if _words(x) == _words(y) and self._seed_dependent(n, lambda r: r.tree.get(k)):
                continue
            lines.append("  %s: doit %s\n  %s  dodo %s"
                         % (k, _short(x), " " * len(k), _short(y)))
        return "files differ:\n" + "\n".join(lines) if lines else None

    def check(self):
        """Fail with a readable report at the first step where dodo differs."""
        for n, (a, b) in enumerate(zip(self.oracle, self.dodo)):
            problems = []
            if a.code != b.code:
                problems.append("exit code: doit %s, dodo %s" % (a.code, b.code))
            problems += [self.stream_problem(n, "out"), self.stream_problem(n, "err"),
                         self.tree_problem(n)]
            problems = [p for p in problems if p]
            if problems:
                done = "".join("  %d. %s\n" % (i, r.step.line)
                               for i, r in enumerate(self.oracle[:n], 1))
                pytest.fail("run step %d `%s` differs (earlier run steps matched:\n%s)\n%s"
                            "\n\n==== doit\n%s\n==== dodo\n%s"
                            % (n + 1, a.step.line, done or "  none\n",
                               "\n".join(problems), _show(a, "doit"), _show(b, "dodo")))
        assert len(self.oracle) == len(self.dodo)


_ORACLE_CACHE = os.environ.get("DIFF_ORACLE_CACHE")
_ENGINE_FILES = (__file__, "/usr/lib/python3/dist-packages/doit/version.py")


def _cache_key(proj, steps, options):
    """Hash of everything the oracle's answer depends on: the files set up,
    the steps, the options, this engine and doit's version."""
    h = hashlib.sha256()
    for path in _ENGINE_FILES:
        with open(path, "rb") as f:
            h.update(f.read())
    h.update(repr(sorted(snapshot(proj.path, options).items())).encode())
    h.update(repr([s.line for s in steps]).encode())
    h.update(repr(options).encode())
    return h.hexdigest()


def oracle_results(proj, steps, options):
    """The oracle's results, from DIFF_ORACLE_CACHE (a folder) when set and
    filled: `make check` and `make SAN=1 check` in one CI run ask the same."""
    if not _ORACLE_CACHE:
        return play(proj, steps, "doit", options)
    path = os.path.join(_ORACLE_CACHE, _cache_key(proj, steps, options) + ".pickle")
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError):
        pass
    results = play(proj, steps, "doit", options)
    os.makedirs(_ORACLE_CACHE, exist_ok=True)
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "wb") as f:
        pickle.dump(results, f)
    os.replace(tmp, path)
    return results


def run_scenario(make_project, setup_files, steps, options):
    """setup_files(project) fills a fresh folder; then play the steps under
    doit, then (unless DIFF_ORACLE_ONLY) under dodo, and compare."""
    oracle_proj = make_project("doit/proj")
    setup_files(oracle_proj)
    options = with_state_names(options, oracle_proj.path, steps)
    oracle = oracle_results(oracle_proj, steps, options)
    check_expectations(oracle, "doit")
    if ORACLE_ONLY:
        return
    dodo_proj = make_project("dodo/proj")
    setup_files(dodo_proj)
    dodo = play(dodo_proj, steps, "dodo", options)

    def replay(seed):
        proj = make_project("doit-seed%s/proj" % seed)
        setup_files(proj)
        return play(proj, steps, "doit", options, seed=seed)

    Comparison(oracle, dodo, replay).check()
