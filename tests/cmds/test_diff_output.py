"""Differential tests of outputs that need their own comparison: the json
reporter (compared as parsed JSON, times aside), `help COMMAND` and
tabcompletion scripts (compared line by line but for dodo's deliberate
additions), and doit's samples under the commands."""

import gzip
import json
import os
import re
import shutil
import textwrap

import pytest

from cmdsupport import scenario

SAMPLES = os.environ.get("DOIT_SAMPLES", "/usr/share/doc/python-doit-doc/examples/samples")


def both(make_project, files, *args, steps=()):
    """Run args under doit and dodo in twin folders (after running each of
    steps, a list of argument lists, there). Returns ((doit cp, work), (dodo cp, work))."""
    out = []
    for tool in ("doit", "dodo"):
        proj = make_project(tool + "/proj")
        for name, text in files.items():
            proj.write(name, text)
        run = proj.run_doit if tool == "doit" else proj.run
        for s in steps:
            run(*s)
        out.append((run(*args), str(proj.path)))
    return out


# ------------------------------------------------------------------ json

JSON_DODO = """\
    import sys

    def hello():
        print("py out")
        sys.stderr.write("py err\\n")

    def task_a():
        return {'actions': ['echo hi', 'echo there >&2', hello], 'verbosity': 2}

    def task_b():
        return {'actions': ['echo b; exit 1'], 'file_dep': ['dodo.py']}

    def task_c():
        return {'actions': ['echo c \\u00e9\\t"q"'], 'file_dep': ['dodo.py']}

    def task_d():
        return {'actions': ['echo d'], 'task_dep': ['b']}

    def task_grp():
        yield {'name': 'x', 'actions': ['echo x'], 'uptodate': [True]}
    """


def _json(cp, work):
    data = json.loads(cp.stdout)
    for t in data["tasks"]:
        for k in ("started", "elapsed"):
            if t[k] is not None:
                t[k] = "<%s>" % k
    return json.loads(json.dumps(data).replace(work, "<WORK>"))


@pytest.mark.parametrize("args,steps", [
    (["-r", "json", "c"], []),
    (["-r", "json", "c"], [["c"]]),
    (["-r", "json", "-c"], []),
    (["--reporter=json", "a", "b", "d"], []),
    (["-r", "json", "grp"], [["ignore", "grp:x"]]),
    (["run", "-r", "json", "-v", "0", "a"], []),
], ids=["one", "uptodate", "continue", "failure", "ignored", "verbosity0"])
def test_json_reporter(make_project, args, steps):
    (d, dw), (o, ow) = both(make_project, {"dodo.py": textwrap.dedent(JSON_DODO)},
                            *args, steps=steps)
    assert o.returncode == d.returncode
    assert _json(o, ow) == _json(d, dw)
    assert o.stderr == d.stderr


def test_json_reporter_output_file(make_project):
    (d, dw), (o, ow) = both(make_project, {"dodo.py": textwrap.dedent(JSON_DODO)},
                            "-r", "json", "-o", "rep.json", "-c")
    assert o.returncode == d.returncode == 1
    assert o.stdout == d.stdout == ""
    dj = json.loads((open(os.path.join(dw, "rep.json")).read()).replace(dw, "<WORK>"))
    oj = json.loads((open(os.path.join(ow, "rep.json")).read()).replace(ow, "<WORK>"))
    for data in (dj, oj):
        for t in data["tasks"]:
            t["started"] = t["elapsed"] = None
    assert oj == dj


# ------------------------------------------------------------------ help

COMMANDS = ["auto", "clean", "dumpdb", "forget", "help", "ignore", "info", "list", "reset-dep",
            "run", "strace", "tabcompletion"]

# dodo's deliberate additions to doit 0.31's option help (docs/commands.md)
_BACKEND = re.compile(r"(Select dependency file backend\. \[default: )\w+\]"
                      r"(\n\s*\(accepted for doit compatibility[^)]*\))? ?\n")
_NEW_OPTIONS = ("--sort=ARG", "--disable-default", "--enable-default", "-a, --all  ",
                "--reporter=ARG", "--debounce=ARG", "--grace=ARG", "--poll",
                "error-only: output only errors", "definition: list tasks",
                "name: sort by task name")


_DOIT_FILE = ", environ: DOIT_FILE)"     # -f's variable (doit 0.32)


def _help(text):
    text = _BACKEND.sub(r"\1X]\n", text).replace(_DOIT_FILE, ")")
    lines = text.split("\n")
    out, skip = [], False
    for line in lines:
        if any(line.strip().startswith(n.strip()) for n in _NEW_OPTIONS):
            if line.startswith("  -"):       # an option: its continuation lines follow
                skip = True
            continue
        if skip and line.startswith(" " * 28):
            continue
        skip = False
        out.append(line)
    return out


@pytest.mark.parametrize("cmd", COMMANDS)
def test_help_command(make_project, cmd):
    (d, dw), (o, ow) = both(make_project, {"dodo.py": "def task_t():\n    return "
                                           "{'actions': ['true']}\n"}, "help", cmd)
    assert o.returncode == d.returncode == 0
    ours = "\n".join(scenario.normalise_text(o.stdout, ow))
    if cmd == "auto":   # dodo's auto describes its own additions
        ours = ours.split("\n\nDescription:\n")[0] + "\n"
    assert _help(ours) == _help("\n".join(scenario.normalise_text(d.stdout, dw)))


@pytest.mark.parametrize("args,files", [
    (["help"], {"dodo.py": ""}),
    (["--help"], {"dodo.py": ""}),
    (["help", "nosuch"], {"dodo.py": "def task_t():\n    return {'actions': None}\n"}),
    (["help", "nosuch"], {}),
    (["help", "a", "b"], {"dodo.py": ""}),
    (["help", "init"], {"dodo.py": "", "doit.cfg": "[COMMAND]\ninit = cmd:Init\n",
                        "cmd.py": "from doit.cmd_base import Command\n"
                                  "class Init(Command):\n    doc_purpose = 'make it'\n"
                                  "    doc_description = 'Two\\nlines'\n"}),
    (["help"], {"dodo.py": "", "doit.cfg": "[COMMAND]\ninit = cmd:Init\n",
                "cmd.py": "from doit.cmd_base import Command\n"
                          "class Init(Command):\n    doc_purpose = 'make it'\n"}),
], ids=["help", "--help", "unknown-task", "no-dodo-file", "two-args", "plugin-help",
        "plugin-listed"])
def test_usage(make_project, args, files):
    """The usage text (help prints it for anything it does not know)."""
    (d, dw), (o, ow) = both(make_project, files, *args)
    assert o.returncode == d.returncode == 0
    assert scenario.normalise_text(o.stdout, ow) == scenario.normalise_text(d.stdout, dw)
    assert o.stderr == d.stderr


def test_help_task_fields_identical(make_project):
    (d, dw), (o, ow) = both(make_project, {}, "help", "task")
    assert o.stdout == d.stdout and o.returncode == d.returncode == 0


# ------------------------------------------------------------ tabcompletion

def _script(text, bin_name):
    lines = []
    if bin_name == "dodo":  # the program name, not "dodo file" / "dodof" / "dodo.py"
        text = re.sub(r"(?<![A-Za-z0-9.])dodo(?![\w.]| file| FILE)", "PROG", text)
    else:
        text = text.replace(bin_name, "PROG")
    for line in text.split("\n"):
        if "(accepted for doit compatibility" in line:
            line = re.sub(r" \(accepted for doit compatibility[^)]*\)", "", line)
        # options dodo adds: list --sort, forget --all/--disable-default, auto's
        # --reporter/--debounce/--grace/--poll (doit's auto has a reporter option
        # without a name: a line of blanks)
        if re.search(r"--disable-default\[|\(-a\|--all\)\"\{-a,--all\}\"\[forget all|"
                     r"--sort\[|\"--(reporter|debounce|grace|poll)\[", line) or \
                (line.strip() == "" and line):
            continue
        lines.append(line)
    return lines


@pytest.mark.parametrize("args", [[], ["--hardcode-tasks"], ["-s", "zsh"],
                                  ["--shell=zsh", "--hardcode-tasks"]],
                         ids=["bash", "bash-hardcode", "zsh", "zsh-hardcode"])
def test_tabcompletion(make_project, args):
    files = {"dodo.py": "def task_b():\n    '''b doc'''\n    return {'actions': ['true']}\n"
                        "def task_a():\n    yield {'name': 'x', 'actions': ['true']}\n"}
    (d, dw), (o, ow) = both(make_project, files, "tabcompletion", *args)
    assert o.returncode == d.returncode == 0
    doit_lines = _script(d.stdout, "__main__.py")
    dodo_lines = _script(o.stdout, "dodo")
    assert dodo_lines == doit_lines


def test_tabcompletion_bad_shell(make_project):
    (d, dw), (o, ow) = both(make_project, {"dodo.py": ""}, "tabcompletion", "-s", "fish")
    assert o.returncode == d.returncode == 3
    assert o.stderr == d.stderr


# --------------------------------------------------------------- samples

def _sample(proj, name, as_name="dodo.py", extra=()):
    for n, dst in [(name, as_name)] + [(e, e) for e in extra]:
        src = os.path.join(SAMPLES, n)
        if os.path.exists(src + ".gz") and not os.path.exists(src):
            with gzip.open(src + ".gz", "rb") as f:
                proj.write_bytes(dst, f.read())
        else:
            shutil.copyfile(src, proj.path / dst)


C_FILES = ["main.c", "kbd.c", "command.c", "command.h", "defs.h"]

SAMPLE_SCENARIOS = {
    "custom_reporter.py": ([], ["run", "run sample:1", "run -r console",
                                "run -o out.log", "run list"]),
    "cproject.py": (C_FILES, ["run", "run list -s --all",
                              "run help link", "run reset-dep", "run list -s",
                              "run forget -s link", "run list -s --all",
                              "run clean -n -c", "run clean -a",
                              "run strace compile:kbd", "run list --all -s"]),
    "parameters.py": ([], ["run help py_params", "run help cmd_params",
                           "run help py_params_list", "run list --deps",
                           "run info cmd_params => 1"]),
    "subtasks.py": ([], ["run list --all -q", "run forget create_file",
                         "run ignore create_file", "run", "run list -s --all"]),
    "tsetup.py": ([], ["run", "run clean -c withenvY", "run forget -s withenvX",
                       "run info withenvX => 1"]),
    "delayed.py": ([], ["run list --all", "run info early => 1", "run", "run info build => 1",
                        "run clean -a", "run list -s --all"]),
    "titlewithactions.py": ([], ["run", "run -r executed-only", "run -r zero",
                                 "run list"]),
}


@pytest.mark.parametrize("name", sorted(SAMPLE_SCENARIOS))
def test_sample_commands(make_project, name):
    extra, lines = SAMPLE_SCENARIOS[name]
    steps = [scenario.parse_step(s) for s in lines]

    def fill(proj):
        _sample(proj, name, extra=extra)

    scenario.run_scenario(make_project, fill, steps,
                          scenario.Options(opaque=["edit"], ignore=["strace.txt"]))
