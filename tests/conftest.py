import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


@pytest.fixture
def repo_cwd(monkeypatch):
    """Run from the repository root, so reports show short relative paths."""
    monkeypatch.chdir(REPO)
    return REPO


@pytest.fixture
def run_cli(repo_cwd):
    """Invoke the CLI in-process, colour off, and return (exit_code, stdout, stderr)."""
    from click.testing import CliRunner

    from auditor.cli import cli

    def run(*args):
        runner = CliRunner()
        res = runner.invoke(cli, [str(a) for a in args], env={"NO_COLOR": "1"}, catch_exceptions=False)
        return res.exit_code, res.stdout, res.stderr

    return run
