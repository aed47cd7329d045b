# Targets: a missing target forces a run; targets alone always run; folders as targets;
# a file_dep equal to another task's target orders the two; `changed` and formatting.
# setup:
#   write src.txt hello
# scenario run:
#   run
#   run
#   rm out/copy.txt
#   run
#   run
#   write src.txt bye
#   run
#   run -v 2 report
# scenario by_target:
#   run out/copy.txt
#   run out/copy.txt
#   run upper.txt
#   run out => 3
# scenario list:
#   run list --all --status
#   run
#   run list --all --status
#   run info copy
#   run clean --dry-run
#   run clean
#   run clean


def task_copy():
    return {'actions': ['mkdir -p out', 'cp src.txt out/copy.txt'],
            'file_dep': ['src.txt'], 'targets': ['out/copy.txt'], 'clean': True}


def task_upper():
    return {'actions': ['tr a-z A-Z < out/copy.txt > upper.txt'],
            'file_dep': ['out/copy.txt'], 'targets': ['upper.txt'], 'clean': True}


def task_only_targets():
    # no file_dep: always runs even though its target exists
    return {'actions': ['echo x > only.txt'], 'targets': ['only.txt']}


def task_report():
    return {'actions': ['echo "deps=%(dependencies)s changed=%(changed)s '
                        'targets=%(targets)s"'],
            'file_dep': ['src.txt', 'upper.txt'], 'targets': ['nonexistent-report']}


def task_folder():
    return {'actions': ['mkdir -p outdir && touch outdir/f'], 'targets': ['outdir'],
            'uptodate': [True], 'clean': True}
