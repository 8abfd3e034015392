"""L008 duplicate-log."""

import os
import re

from auditor.evidence import PR_IN_NAME
from auditor.findings import Severity
from auditor.registry import Rule
from auditor.safefs import sha256_file

SOURCE_PR = re.compile(r"(?:PR|pull request)\s*#?(\d{1,6})", re.IGNORECASE)
MAX_CORPUS_FILES = 20000


class DuplicateLog(Rule):
    """A log is a copy of another log, in this folder or in another record.

    Checks:
    Byte-identical logs inside the folder (counted once, noted); logs whose file name or the JSON's
    per-seed ``source`` attributes them to another PR (noted); and, when ``--corpus`` names a records
    tree, logs byte-identical to a log of another record (a warning: the run was not this
    submission's).

    Why:
    README: the logs are the automatically produced evidence of this submission's runs. #1868 ships
    PR #1851's seed-42 log byte for byte as one of its three seeds; reviewers must see that, even
    when it is disclosed.

    Fails:
    ``train.log`` and ``train_seed1337.log`` with the same bytes; ``train_seed42_pr1851_original.log``.

    Passes:
    Three logs with different content and no attribution to another PR.
    """

    id = "L008"
    name = "duplicate-log"
    severity = Severity.WARNING
    ruling = "README-CLAIMS"

    def check(self, ctx):
        for log in ctx.logs:
            if log.duplicate_of:
                yield self.finding(f"byte-identical to {log.duplicate_of} (counted once)", path=log.rel,
                                   severity=Severity.INFO)
            m = PR_IN_NAME.search(os.path.basename(log.rel))
            if m:
                yield self.finding(f"the file name attributes this log to PR #{m[1]}", path=log.rel,
                                   severity=Severity.INFO)
        yield from self._sources(ctx)
        if ctx.options.corpus:
            yield from self._corpus(ctx)

    def _sources(self, ctx):
        doc = ctx.submission
        for c in doc.seed_claims() if doc is not None and doc.data is not None else []:
            entry = _seed_entry(doc.data, c)
            m = SOURCE_PR.search(str(entry.get("source", ""))) if isinstance(entry, dict) else None
            if m:
                yield self.finding(f"seed {c.seed}'s result is attributed to PR #{m[1]} ({entry['source']})",
                                   path=doc.rel, line=c.line, severity=Severity.INFO)

    def _corpus(self, ctx):
        mine = {log.sha256: log.rel for log in ctx.logs}
        root = os.path.realpath(ctx.root)
        for path in _corpus_logs(ctx.options.corpus, root):
            digest = sha256_file(path)
            if digest in mine:
                yield self.finding(f"byte-identical to {os.path.relpath(path, ctx.options.corpus)} in another record",
                                   path=mine[digest], evidence=[f"sha256 {digest}"])


def _seed_entry(data, claim):
    node = data.get(claim.group, {}) if claim.group != "compliance_rerun" else \
        data.get("compliance_rerun", {}).get("seed_results", {})
    return node.get(str(claim.seed)) if isinstance(node, dict) else None


def _corpus_logs(corpus, skip_root):
    count = 0
    for folder, dirs, files in os.walk(corpus):
        if os.path.realpath(folder).startswith(skip_root):
            dirs[:] = []
            continue
        for name in files:
            path = os.path.join(folder, name)
            if name.endswith((".log", ".txt")) and not os.path.islink(path) and count < MAX_CORPUS_FILES:
                count += 1
                yield path

