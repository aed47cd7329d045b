"""pytest set-up for the Python side of dodo (src/py).

- src/py goes first on sys.path and any already imported `doit` is
  evicted, so `import doit` is dodo's package, never Debian's.
- `_dodo_engine`, the C engine's built-in module, is replaced by
  pysupport.ENGINE (a FakeEngine).
- helpers (oracle runs of doit 0.31.1, ...) live in pysupport.py.
"""

import os
import shutil
import sys
import textwrap

import pytest

from pysupport import ENGINE, SAMPLES, SRC_PY

if sys.path[:1] != [SRC_PY]:
    sys.path.insert(0, SRC_PY)
for _name in list(sys.modules):
    if _name == 'doit' or _name.startswith('doit.') or _name == '_dodo':
        del sys.modules[_name]
sys.modules['_dodo_engine'] = ENGINE


@pytest.fixture
def engine():
    ENGINE.reset()
    yield ENGINE
    ENGINE.reset()


@pytest.fixture
def dodo(tmp_path, monkeypatch, engine):
    """write a dodo.py (dedented) in a temp folder, chdir there, return a
    loader: dodo(source, **load_kwargs) -> (config, {name: Task})"""
    import _dodo
    monkeypatch.chdir(tmp_path)
    engine.workdir = str(tmp_path)

    def write_and_load(source, name='dodo.py', cmd_vars=None, **kwargs):
        path = tmp_path / name
        path.write_text(textwrap.dedent(source))
        config, tasks = _dodo.load(str(path), cmd_vars or {}, **kwargs)
        return config, {t.name: t for t in tasks}
    write_and_load.path = tmp_path
    return write_and_load


@pytest.fixture(scope='session')
def samples_dir(tmp_path_factory):
    """a private copy of doit's sample task files"""
    if not os.path.isdir(SAMPLES):
        pytest.skip('python-doit-doc samples are not installed')
    dest = tmp_path_factory.mktemp('samples')
    for name in os.listdir(SAMPLES):
        src = os.path.join(SAMPLES, name)
        if os.path.isfile(src):
            shutil.copy(src, dest / name)
    return dest



def pytest_plugin_registered(plugin, manager):
    """Importing this file made the module name `conftest` ours; hand it
    back to the other suites' conftest.py (registered before or after us:
    this hook is replayed for earlier plugins), some of which import their
    helpers with `from conftest import ...`. Ours are in pysupport.py."""
    path = getattr(plugin, '__file__', None) or ''
    if os.path.basename(path) == 'conftest.py' and \
            os.path.abspath(path) != os.path.abspath(__file__):
        sys.modules['conftest'] = plugin
