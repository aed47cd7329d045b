# What the task file prints while it loads is printed on every run, before the task
# lines, including the runs that answer from the stored graph without loading it.
# scenario every_run:
#   run
#   run
#   run -v 2
#   write src.txt changed
#   run
#   run
# scenario other_reporters:
#   run
#   run --reporter executed-only
#   run --reporter json
#   run -o report.txt
import os
import sys

print("loading the task file")
sys.stderr.write("a note on stderr\n")
sys.stdout.write("no newline at the end;")
os.write(1, b" a raw write\n")
if not os.path.exists("src.txt"):
    with open("src.txt", "w") as f:
        f.write("x\n")


def task_copy():
    return {'actions': ['cp src.txt out.txt'], 'file_dep': ['src.txt'],
            'targets': ['out.txt']}
