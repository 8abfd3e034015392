"""S002 seed-mismatch."""

from collections import defaultdict

from auditor.findings import Severity
from auditor.registry import Rule
from rules._common import need_runs


class SeedMismatch(Rule):
    """A log's printed seed contradicts the seed its file name states, or logs presented as
    different seeds are the same seed.

    Checks:
    For every run log whose file name states a seed (``train_seed42.log``), the seed the log prints
    must be that seed. When another log of the folder prints the same seed, so that logs presented
    as different seeds are one seed, the seeds are not distinct: an error. A lone name mismatch
    (the seeds stay distinct) is a warning; a log printing several different seeds is noted.

    Why:
    README: significance comes from independent seeds; maintainers rejected mixed evidence
    (#2124). #2058's three logs, named for seeds 1337, 2026 and 42, all print ``seed:1337``.

    Fails:
    ``train_seed_2026.txt`` and ``train_seed_42.txt`` both printing ``seed:1337``.

    Passes:
    ``train_seed42.log`` printing ``seed:42``.
    """

    id = "S002"
    name = "seed-mismatch"
    severity = Severity.ERROR
    ruling = "SEEDS-EVIDENCE"

    def check(self, ctx):
        runs = need_runs(ctx)
        by_seed = defaultdict(list)
        for r in runs:
            if r.seed is not None:
                by_seed[r.seed].append(r)
        for r in runs:
            if r.named_seed is None or r.seed is None or r.named_seed == r.seed:
                continue
            clash = [o.rel for o in by_seed[r.seed] if o.rel != r.rel]
            msg = f"the file name says seed {r.named_seed} but the log prints seed {r.seed}"
            if clash:
                msg += f", the same seed as {', '.join(clash)}: the seeds are not distinct"
            yield self.finding(msg, path=r.rel, line=r.run.seed.line,
                               severity=Severity.ERROR if clash else Severity.WARNING)
        for r in runs:
            if len(r.run.seeds) > 1:
                yield self.finding(f"the log prints several seeds ({', '.join(s.raw for s in r.run.seeds)})",
                                   path=r.rel, line=r.run.seeds[1].line, severity=Severity.INFO)
        yield self.evidence(f"{len(runs)} log(s) checked")
