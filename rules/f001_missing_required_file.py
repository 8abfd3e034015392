"""F001 missing-required-file."""

from auditor.findings import Severity
from auditor.registry import Rule


class MissingRequiredFile(Rule):
    """A record folder lacks a file the submission process requires.

    Checks:
    The folder holds every kind of file the ruleset's ``required_files`` lists: a README.md, a
    submission JSON (``submission*.json``), the ``train_gpt.py`` that produced the run, and the
    automatically produced train logs (``*.log`` / ``*.txt``, also under ``logs/``).

    Why:
    The README's submission process: a PR adds one folder with README.md, submission.json, train
    logs and a train_gpt.py that compiles and runs inside the folder. Without them no claim can be
    checked or reproduced.

    Fails:
    A folder with README.md, submission.json and train_gpt.py but no log file.

    Passes:
    README.md, submission.json, train_gpt.py and train_seed42.log side by side.
    """

    id = "F001"
    name = "missing-required-file"
    severity = Severity.ERROR
    ruling = "README-SUBMISSION"

    def check(self, ctx):
        for req in ctx.ruleset["required_files"]:
            found = sorted({e.rel for p in req["patterns"] for e in _matches(ctx, p)})
            need = req.get("min_count", 1)
            if len(found) < need:
                yield self.finding(
                    f"no {req['what']} found (looked for {', '.join(req['patterns'])})",
                    path=".", value=len(found), limit=need, unit="files")
            else:
                yield self.evidence(f"{req['what']}: {', '.join(found[:4])}" + (" …" if len(found) > 4 else ""))


def _matches(ctx, pattern):
    if pattern.endswith((".log", ".txt")):
        return [e for e in ctx.tree.glob(pattern) if e in ctx.log_entries]
    return ctx.tree.glob(pattern)
