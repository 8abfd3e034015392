"""The static audit never imports or executes anything in the submission folder.

Every file Python could be tricked into running plants a marker file when it runs: the training
script, ``sitecustomize.py``/``usercustomize.py``, ``conftest.py``, ``__init__.py``, a ``.pth`` file,
and modules named like the auditor's own imports (``click.py``, ``rich.py``, ``json.py``). The
audit runs from inside the folder (its worst case: the folder is the current directory) and from
outside; afterwards no marker exists and the folder is unchanged (no ``__pycache__``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.conftest import golf_audit
from tests.hostile.test_hostile_folders import snapshot

TRAPS = ["train_gpt.py", "sitecustomize.py", "usercustomize.py", "conftest.py", "__init__.py", "click.py",
         "rich.py", "json.py", "fastjsonschema.py", "numpy.py", "brotli.py", "sub/__init__.py", "sub/train.py",
         "__main__.py"]


def plant(folder: Path, markers: Path) -> None:
    for name in TRAPS:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        marker = markers / name.replace("/", "_")
        path.write_text(f"open({str(marker)!r}, 'w').write('executed')\n")
    (folder / "evil.pth").write_text(f"import os; open({str(markers / 'pth')!r}, 'w').write('executed')\n")


@pytest.mark.parametrize("from_inside, safe_path", [(True, True), (False, True), (True, False)])
def test_static_audit_executes_nothing_from_the_folder(record, tmp_path, from_inside, safe_path):
    """``safe_path=False`` is ``python -m auditor`` run inside the folder: ``auditor/__main__.py``
    must drop the folder from sys.path before importing click."""
    markers = tmp_path / "markers"
    markers.mkdir()
    plant(record, markers)
    before = snapshot(record)
    for fmt in ("text", "json"):
        run = golf_audit("audit", record, "--format", fmt, cwd=record if from_inside else None,
                         safe_path=safe_path)
        assert run.rc in (0, 1), run.err
    assert os.listdir(markers) == []
    assert snapshot(record) == before


def test_the_traps_do_run_when_imported(record, tmp_path):
    """The traps are live: importing one from the folder does write its marker (the test above
    could not pass by accident)."""
    import subprocess
    import sys

    markers = tmp_path / "markers"
    markers.mkdir()
    plant(record, markers)
    subprocess.run([sys.executable, "-c", "import click"], cwd=record, check=True, capture_output=True)
    assert os.listdir(markers) == ["click.py"]


def test_the_test_suite_never_collects_fixture_code():
    """pytest imports every conftest.py on its way to the tests it collects, and Python runs
    sitecustomize/usercustomize and .pth files on its path: fixture folders (submissions, some of
    them hostile) hold none, and pytest collects only ``tests/``."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    repo = Path(__file__).resolve().parents[2]
    risky = [p for pattern in ("conftest.py", "sitecustomize.py", "usercustomize.py", "*.pth")
             for p in (repo / "fixtures").rglob(pattern)]
    assert risky == []
    config = tomllib.loads((repo / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert config["testpaths"] == ["tests"]
