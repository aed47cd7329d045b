"""Every sample task file shipped with doit's documentation loads through
_dodo.load with the task names `doit list --all -q` prints, and the same
tasks as doit's own loader."""

import json
import os
import subprocess

import pytest

import _dodo
from pysupport import (HERE, ORACLE_PYTHON, SAMPLES, describe, oracle,
                      oracle_env, oracle_load_batch)

# delayed.py has an invalid escape sequence
pytestmark = pytest.mark.filterwarnings('ignore::DeprecationWarning')

# samples that are not compared, and why
SKIPPED = {
    'sample.py': 'not a task file: it prints "hello" when imported, which '
                 'doit list mixes into its output',
}


def sample_files():
    if not os.path.isdir(SAMPLES):
        return []
    return sorted(name for name in os.listdir(SAMPLES)
                  if name.endswith('.py') and name not in SKIPPED)


def listed_names(output):
    return sorted(line.strip() for line in output.splitlines()
                  if line.strip())


@pytest.fixture(scope='module')
def doit_listed(samples_dir):
    """`doit list --all -q` of every sample: doit's command line, run
    in-process by oracle_list.py (one interpreter start for all)"""
    proc = subprocess.run(
        [ORACLE_PYTHON, os.path.join(HERE, 'oracle_list.py')] +
        sample_files(), cwd=str(samples_dir), env=oracle_env(), text=True,
        capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    listed = json.loads(proc.stdout)
    for name, (code, output) in listed.items():
        assert code == 0, (name, output)
    return {name: listed_names(output) for name, (_, output) in
            listed.items()}


@pytest.mark.skipif(not os.path.isdir(SAMPLES), reason='no doit samples')
def test_list_in_process_matches_cli(samples_dir, doit_listed):
    """oracle_list.py prints what `doit list` prints"""
    for name in ('group.py', 'subtasks.py'):
        proc = oracle(samples_dir, 'list', '--all', '-q', '-f', name)
        assert listed_names(proc.stdout) == doit_listed[name]


@pytest.mark.skipif(not os.path.isdir(SAMPLES), reason='no doit samples')
@pytest.mark.parametrize('name', sample_files())
def test_sample_names(samples_dir, doit_listed, engine, monkeypatch, name):
    monkeypatch.chdir(samples_dir)
    expected = doit_listed[name]
    # list (like every command but run) runs create_after creators
    _, tasks = _dodo.load(str(samples_dir / name), {}, delayed=False)
    names = sorted(t.name for t in tasks if not t.name.startswith('_'))
    assert names == expected


@pytest.fixture(scope='module')
def doit_loaded(samples_dir):
    """what doit's own loader makes of every sample"""
    return oracle_load_batch(samples_dir, sample_files())


@pytest.mark.skipif(not os.path.isdir(SAMPLES), reason='no doit samples')
@pytest.mark.parametrize('name', sample_files())
@pytest.mark.parametrize('delayed', [False, True])
def test_sample_tasks(samples_dir, doit_loaded, engine, monkeypatch, name,
                      delayed):
    monkeypatch.chdir(samples_dir)
    expected = doit_loaded[name][int(delayed)]
    _, tasks = _dodo.load(str(samples_dir / name), {}, delayed=delayed)
    assert [describe(t) for t in tasks] == expected


def test_skipped_samples_are_listed():
    for name in SKIPPED:
        assert os.path.exists(os.path.join(SAMPLES, name)) or \
            not os.path.isdir(SAMPLES)
