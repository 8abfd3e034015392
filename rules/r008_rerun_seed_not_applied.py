"""R008 rerun-seed-not-applied."""

from auditor.findings import Severity
from auditor.registry import Rule, Skip
from rules._rerun import scored


class RerunSeedNotApplied(Rule):
    """A re-run's log prints another seed than the one the re-run set.

    Checks:
    Each finished re-run ran with ``SEED=<seed>``; the seed its log prints (``seed:1337``,
    ``seed=42`` ...) must be that one. A script that ignores ``SEED`` runs the same seed every time,
    so its "seeds" are one run repeated and its re-runs confirm nothing about the others.

    Why:
    README: several seeds show that an improvement is significant; maintainers rejected seeds that
    came from another configuration (#2124). The re-run sets the seed the way the challenge's
    script reads it, from the environment.

    Fails:
    The re-run of seed 314 (``SEED=314``) logs ``seed:1337``.

    Passes:
    The re-run of seed 314 logs ``seed:314``.
    """

    id = "R008"
    name = "rerun-seed-not-applied"
    severity = Severity.WARNING
    ruling = "SEEDS-EVIDENCE"
    scope = "rerun"

    def check(self, ctx):
        printed = [(run, log.seed) for run, log, _ in scored(ctx) if log.seed is not None]
        if not printed:
            raise Skip("no re-run log prints its seed")
        for run, seed in printed:
            if int(seed.value) != run.seed:
                yield self.finding(f"the re-run of seed {run.seed} (SEED={run.seed}) logs seed {seed.raw}: "
                                   "the script does not take its seed from SEED", path=run.log, line=seed.line,
                                   value=int(seed.value), limit=run.seed)
            else:
                yield self.evidence(f"seed {run.seed}: logged as set", path=run.log, line=seed.line)
