"""L006 readme-table-mismatch."""

from auditor.findings import Severity
from auditor.parsers.readme import ColumnKind
from auditor.registry import Rule, Skip
from rules._common import logs_of_seed, score_found


class ReadmeTableMismatch(Rule):
    """A row of the README's per-seed results table does not match that seed's log.

    Checks:
    For every results table in README.md with a seed column, each seed row's score (the table's
    headline BPB column, and its loss column when there is one) must equal, within the printed
    precision, a final score of a log of that seed; a row for a seed with no log is a finding.

    Why:
    README: every number in the README must be re-derivable from the logs; reviewers read the table
    first, and a table that disagrees with the logs misleads them.

    Fails:
    ``| 42 | 1.0795 |`` when ``train_seed42.log`` ends with ``val_bpb:1.08314800``.

    Passes:
    ``| 42 | 1.0831 |`` for the same log (1.08314800 rounds to 1.0831).
    """

    id = "L006"
    name = "readme-table-mismatch"
    severity = Severity.ERROR
    ruling = "README-CLAIMS"

    def check(self, ctx):
        doc = ctx.readme_doc
        tables = [t for t in doc.tables if t.rows] if doc is not None else []
        if not tables:
            raise Skip("no per-seed results table in README.md")
        rel = doc.name
        checked = 0
        for table in tables:
            columns = [c for c in (table.primary_bpb(), *table.columns_of(ColumnKind.LOSS)[:1]) if c is not None]
            for row in (r for r in table.rows if r.seed is not None):
                seed = int(row.seed.value)
                logs = logs_of_seed(ctx, seed)
                if not logs:
                    yield self.finding(f"README row for seed {seed} has no log in the folder", path=rel, line=row.line)
                    continue
                for col in columns:
                    num = table.value(row, col)
                    field = "val_loss" if col.kind is ColumnKind.LOSS else "val_bpb"
                    if num is not None and not score_found(logs, field, float(num.value), num.decimals):
                        yield self.finding(f"seed {seed}: '{col.header}' {num.raw} matches no final {field} "
                                           f"of its log ({', '.join(r.rel for r in logs)})", path=rel,
                                           line=row.line, value=float(num.value))
                    checked += num is not None
        yield self.evidence(f"{checked} README table value(s) checked against the logs")

