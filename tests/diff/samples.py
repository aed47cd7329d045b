"""doit's own samples (Debian package python-doit-doc) and their scenarios.

Every file in SAMPLES_DIR is in exactly one of SAMPLES (a task file, run
differentially), HELPERS (a file another sample needs) or EXCLUDED (with the
reason; mirrored in EXCLUDED.md). test_diffsuite_samples.py checks that.

A sample is copied as `dodo.py` (unless `as_name` says otherwise) with its
helper files into a fresh folder per tool; each scenario (see scenario.py for
the step language) then runs step by step under doit and dodo.
"""

import os
from dataclasses import dataclass, field

SAMPLES_DIR = os.environ.get("DOIT_SAMPLES",
                             "/usr/share/doc/python-doit-doc/examples/samples")

C_FILES = ["main.c", "kbd.c", "command.c", "command.h", "defs.h"]


@dataclass
class Sample:
    scenarios: dict
    files: list = field(default_factory=list)   # helper files copied as they are
    as_name: str = "dodo.py"
    unordered: list = field(default_factory=list)
    opaque: list = field(default_factory=list)


LIST = ["run list", "run list --all", "run list --all --status --private"]

SAMPLES = {
    "calc_dep.py": Sample({
        "run": ["write a a", "write b b", "write c c", "write f f", "write g g",
                "run", "run", "write g gg", "run", "touch c", "run"],
        "task": ["write a a", "write b b", "write c c", "write f f", "write g g",
                 "run mod_deps:a", "run get_dep", "run mod_deps"],
        "missing": ["write a a", "write b b", "run => 2 ~ does not exist"],
        "list": ["write a a", "write b b", "write c c", "write f f", "write g g"]
                + LIST + ["run info mod_deps:a => 1", "run", "run info mod_deps:a => 1"],
    }),
    "check_timestamp_unchanged.py": Sample({
        "run": ["run", "run", "chmod 700 foo", "run", "run", "rm foo", "run"],
        "task": ["run on_foo_changed", "run create_foo", "run on_foo_changed"],
        "list": LIST + ["run", "run info on_foo_changed", "run info create_foo"],
    }),
    "checker.py": Sample({
        # `pyflakes` may or may not be on PATH: the exit code is the machine's.
        "run": ["run => *", "run => *"],
    }, files=["sample.py"]),
    "clean_mix.py": Sample({
        "run": ["run", "run", "rm poo", "run"],
        "clean": ["run", "run clean", "run clean", "run", "run clean -n",
                  "run clean --dry-run poo", "run clean poo"],
    }),
    "cmd_actions.py": Sample({
        "run": ["run", "run", "run -v 2", "run -v 0 hello",
                "run hello -v 0 => 3 ~ option -v not recognized"],
        "list": LIST + ["run help hello"],
    }),
    "cmd_actions_list.py": Sample({
        # `python` may not exist on a clean machine: then both tools fail alike.
        "run": ["run => *", "run -v 2 => *"],
    }),
    "cmd_from_callable.py": Sample({
        "run": ["run", "run", "run -v 0"],
    }),
    "compile.py": Sample({
        "run": ["run", "run", "touch defs.h", "run", "append main.c /* x */\\n", "run",
                "rm main.o", "run", "run -a"],
        "missing": ["rm defs.h", "run => 2 ~ Dependent file 'defs.h' does not exist"],
        "timestamp": ["run --check_file_uptodate timestamp",
                      "run --check_file_uptodate timestamp", "touch defs.h",
                      "run --check_file_uptodate timestamp", "run"],
        "list": LIST + ["run info compile => 1", "run", "run info compile",
                        "run clean", "run clean"],
    }, files=C_FILES),
    "compile_pathlib.py": Sample({
        "run": ["run", "run", "append command.h /* y */\\n", "run",
                "run compile:main.o", "rm kbd.o", "run"],
        "list": LIST,
    }, files=C_FILES),
    "config_params.py": Sample({
        "run": ["run", "run", "sub dodo.py '\"AB\"' '\"ABC\"'", "run", "run"],
    }),
    "cproject.py": Sample({
        "run": ["run", "run", "append command.h /* z */\\n", "run", "run install",
                "run install", "rm edit", "run", "run compile", "run compile:kbd"],
        "target": ["run edit", "run main.o", "run kbd.o edit"],
        "list": LIST + ["run list --deps", "run list -q", "run list compile",
                        "run info link => 1", "run", "run info link", "run clean",
                        "run clean --all => 3", "run clean --clean-all", "run",
                        "run clean -a", "run", "run clean --forget", "run"],
        "forget": ["run", "run forget link", "run", "run forget", "run",
                   "run ignore compile:main", "run", "touch main.c",
                   "append main.c /* w */\\n", "run", "run forget compile:main", "run"],
    }, files=C_FILES, opaque=["edit"]),
    "custom_clean.py": Sample({
        "run": ["run", "run sample"],
        "clean": ["run clean", "run clean -n", "run clean sample"],
    }),
    "custom_cmd.py": Sample({
        # a plugin command, registered by doit.cfg's [COMMAND] section
        "plugin": ["write dodo.py # no tasks\\n",
                   "write doit.cfg [COMMAND]\\ninit = custom_cmd:Init\\n",
                   "run init", "run help init", "run list"],
    }, as_name="custom_cmd.py"),
    "custom_reporter.py": Sample({
        "run": ["run", "run sample:1"],
    }),
    "custom_task_def.py": Sample({
        "run": ["run", "run sample"],
        "list": LIST,
    }),
    "delayed.py": Sample({
        "run": ["run", "run", "write a.in new\\n", "run", "run build"],
        "target": ["run c.out", "run b.out"],
        "list": LIST + ["run", "run list --all", "run clean", "run list --all"],
    }),
    "delayed_creates.py": Sample({
        "run": ["run", "run b", "run a", "run -s b", "run b -s => 3"],
        "list": LIST,
    }),
    "doit_config.py": Sample({
        "run": ["run => 3", "run my_task_1 => 3"],
        "list": ["run list", "run list --all"],
    }),
    "empty_subtasks.py": Sample({
        "run": ["run", "run do_x", "write x.xyz x", "write y.xyz y", "run",
                "run do_x:x.xyz"],
        "list": LIST + ["write z.xyz z", "run list --all"],
    }),
    "executable.py": Sample({
        "run": ["run", "run echo"],
    }),
    "folder.py": Sample({
        "run": ["run", "run", "rm _build", "run"],
        "clean": ["run", "run clean", "run forget", "run"],
    }),
    "get_var.py": Sample({
        "run": ["run", "run abc=xyz", "run echo abc=1", "run abc= echo"],
    }),
    "getargs.py": Sample({
        "run": ["run", "run", "run compute", "run use_python", "run -v 0 use_cmd",
                "run use_cmd -v 0 => 3"],
        "list": LIST + ["run info use_cmd => 1"],
    }),
    "getargs_dict.py": Sample({
        "run": ["run", "run args_dict"],
    }),
    "getargs_group.py": Sample({
        "run": ["run", "run args_dict", "run compute:5"],
    }),
    "group.py": Sample({
        "run": ["run", "run mygroup", "run foo"],
        "list": LIST,
    }),
    "hello.py": Sample({
        "run": ["run", "run", "rm hello.txt", "run hello"],
        "clean": ["run", "run clean", "run clean --clean-dep"],
    }),
    "import_tasks.py": Sample({
        "run": ["run", "run hello", "run echo abc=4"],
        "list": LIST,
    }, files=["get_var.py", "custom_task_def.py"]),
    "initial_workdir.py": Sample({
        "run": ["mkdir sub1", "run", "run@sub1 -k", "run -k", "run@sub1 --seek-file sub1",
                "run@sub1 => 3 ~ dodo.py"],
    }),
    "meta.py": Sample({
        "run": ["run", "run"],
    }),
    "my_dodo.py": Sample({
        "run": ["run", "run", "run do:process", "rm my_input.txt", "run do:process"],
        "list": LIST + ["run list --deps"],
    }, files=["my_tasks.py"]),
    "my_module_with_tasks.py": Sample({
        "run": ["run", "run sample"],
    }),
    "parameters.py": Sample({
        "run": ["run", "run py_params -p xx --param2 3", "run py_params --param2=4",
                "run py_params_list -l a -l b --list c",
                "run py_params_choice -c that", "run py_params_choice --choice this",
                "run py_params_choice -c other => 3",
                "run py_params --param2 x => 3",
                "run cmd_params -f blah", "run cmd_params --flag=\"a b\" py_params -p q"],
        "list": LIST + ["run help py_params", "run help cmd_params",
                        "run help py_params_choice"],
    }),
    "parameters_inverse.py": Sample({
        "run": ["run", "run with_flag --flagoff", "run with_flag -f",
                "run with_flag --flagon"],
        "list": ["run help with_flag"],
    }),
    "pos.py": Sample({
        "run": ["run => 2", "run pos_args -p 4 foo bar", "run pos_args foo -p 4 bar",
                "run pos_args -- -p x"],
        "list": ["run help pos_args", "run list"],
    }),
    "report_deps.py": Sample({
        "run": ["write req.in a", "write req-dev.in b", "run", "run",
                "write req.in aa", "run", "touch req-dev.in", "run", "rm report.txt",
                "run"],
        "missing": ["write req.in a", "run => 2"],
    }, unordered=["report.txt"]),
    "run_once.py": Sample({
        "run": ["run", "run list"],
    }),
    "sample.py": Sample({
        "run": ["run", "run list"],
    }),
    "save_out.py": Sample({
        "run": ["run", "run", "run -v 2"],
    }),
    "selecttasks.py": Sample({
        "run": ["run", "run", "rm task1", "run", "run t2", "run t1 t2", "run task1",
                "run -a t3", "run t3 -a => 3"],
        "list": LIST + ["run list --deps", "run info t3 => 1"],
    }),
    "subtasks.py": Sample({
        "run": ["run", "run create_file:file1.txt", "run create_file",
                "run file2.txt => 3 ~ Invalid parameter"],
        "list": LIST + ["run list create_file"],
    }),
    "tar.py": Sample({
        # `hg` is not installed on a clean machine: version fails, tar never runs
        "run": ["run => *", "run version => *", "run -c => *"],
    }, opaque=["foo.tar"]),
    "task_kwargs.py": Sample({
        "run": ["run", "run call_func"],
    }),
    "task_name.py": Sample({
        "run": ["run", "run hello2", "run hello"],
        "list": LIST,
    }),
    "task_reusable.py": Sample({
        "run": ["run", "run t2"],
        "list": LIST,
    }),
    "taskorder.py": Sample({
        # `modify` rewrites its own file_dep: doit saves the signature found
        # after the run (up to date next time), dodo the one from before the
        # actions, so it runs again (docs/commands.md; tests/e2e/test_e2e_state.py)
        "run": ["run", "run create"],
        "list": LIST,
    }),
    "taskresult.py": Sample({
        "run": ["run => *", "run => *"],
    }),
    "timeout.py": Sample({
        "run": ["run", "run", "run -a"],
    }),
    "title.py": Sample({
        "run": ["run", "run -v 2"],
    }),
    "titlewithactions.py": Sample({
        "run": ["run", "run -v 2"],
    }),
    "touch.py": Sample({
        "run": ["run", "run", "rm foo.txt", "run", "run foo.txt"],
        "list": LIST + ["run", "run list --status"],
    }),
    "tsetup.py": Sample({
        "run": ["run", "run", "run withenvY", "run withenvX:b", "run setup_sample"],
        "list": LIST,
    }),
    "tutorial_02.py": Sample({
        "run": ["run", "run"],
    }),
    "uptodate_callable.py": Sample({
        "run": ["run", "run"],
    }),
    "verbosity.py": Sample({
        "run": ["run", "run -v 0", "run -v 1"],
    }),
}

# Files other samples need (copied with them), not task files of their own.
HELPERS = set(C_FILES) | {"my_tasks.py"}

# Not run, with the reason (keep EXCLUDED.md in step).
EXCLUDED = {
    "download.py": "needs the network (wget of python.org)",
    "longrunning.py": "runs `top`, an interactive program that needs a terminal",
    "settrace.py": "drops into pdb (doit.tools.set_trace): interactive",
    "module_loader.py": "a Python script embedding doit's API (DoitMain + "
                        "ModuleTaskLoader), not a task file; its task module "
                        "my_module_with_tasks.py is run as a sample",
    "custom_loader.py": "a Python script embedding doit's API (DoitMain + a "
                        "TaskLoader subclass), not a task file",
}
