"""Every sample task file shipped with doit's documentation loads through
_dodo.load with the task names `doit list --all -q` prints, and the same
tasks as doit's own loader."""

import os

import pytest

import _dodo
from conftest import SAMPLES, describe, oracle, oracle_load

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


def listed_names(folder, name):
    proc = oracle(folder, 'list', '--all', '-q', '-f', name)
    assert proc.returncode == 0, proc.stderr
    return sorted(line.strip() for line in proc.stdout.splitlines()
                  if line.strip())


@pytest.mark.skipif(not os.path.isdir(SAMPLES), reason='no doit samples')
@pytest.mark.parametrize('name', sample_files())
def test_sample_names(samples_dir, engine, monkeypatch, name):
    monkeypatch.chdir(samples_dir)
    expected = listed_names(samples_dir, name)
    # list (like every command but run) runs create_after creators
    _, tasks = _dodo.load(str(samples_dir / name), {}, delayed=False)
    names = sorted(t.name for t in tasks if not t.name.startswith('_'))
    assert names == expected


@pytest.mark.skipif(not os.path.isdir(SAMPLES), reason='no doit samples')
@pytest.mark.parametrize('name', sample_files())
@pytest.mark.parametrize('delayed', [False, True])
def test_sample_tasks(samples_dir, engine, monkeypatch, name, delayed):
    monkeypatch.chdir(samples_dir)
    expected = oracle_load(samples_dir, name, allow_delayed=delayed)
    _, tasks = _dodo.load(str(samples_dir / name), {}, delayed=delayed)
    assert [describe(t) for t in tasks] == expected


def test_skipped_samples_are_listed():
    for name in SKIPPED:
        assert os.path.exists(os.path.join(SAMPLES, name)) or \
            not os.path.isdir(SAMPLES)
