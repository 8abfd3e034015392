"""S001 too-few-seeds."""

from auditor.evidence import Outcome
from auditor.findings import Severity
from auditor.registry import Rule
from rules._common import need_runs


class TooFewSeeds(Rule):
    """The claim rests on fewer distinct seeds than the ruleset requires.

    Checks:
    The distinct seeds (as each log prints them, else as its file name states them) among the runs
    the claim rests on, against the ruleset's ``seeds.min_distinct`` (3). Seeds the JSON lists
    without a log are named. The launch-day ruleset makes this a warning: the first records and
    the baseline predate the three-seed practice.

    Why:
    README: beat the SOTA "with enough logs to show" p < 0.01, usually three seeds; the maintainers'
    final audits excluded "single-seed tiny-margin rows" (#1902).

    Fails:
    One log, ``train.log``, while the JSON lists ``"seeds": [1337, 42, 123]``.

    Passes:
    ``train_seed1337.log``, ``train_seed42.log``, ``train_seed7.log`` printing seeds 1337, 42 and 7.
    """

    id = "S001"
    name = "too-few-seeds"
    severity = Severity.ERROR
    ruling = "SEEDS-EVIDENCE"
    tracks = ("record",)

    def check(self, ctx):
        need_runs(ctx)
        ev = ctx.evidence
        # A claim that is one run's score (L003) is judged on the folder's runs, not on that one run.
        runs = ev.claimed_runs if ev.match.outcome is Outcome.MEAN else ev.runs
        seeds = sorted({s for s in (r.seed if r.seed is not None else r.named_seed for r in runs) if s is not None})
        need = ctx.ruleset["seeds"]["min_distinct"]
        listed = _json_seeds(ctx)
        missing = [s for s in listed if s not in seeds]
        if len(seeds) < need:
            extra = f"; the JSON also lists seed(s) {', '.join(map(str, missing))} without a log" if missing else ""
            yield self.finding(f"{len(seeds)} distinct seed(s) ({', '.join(map(str, seeds)) or 'none printed'}) in "
                               f"{len(runs)} run log(s); {need} required{extra}", path=runs[0].rel if runs else ".",
                               value=len(seeds), limit=need, unit="seeds")
        else:
            yield self.evidence(f"{len(seeds)} distinct seeds: {', '.join(map(str, seeds))}")


def _json_seeds(ctx) -> list[int]:
    seeds = ctx.claims.get("seeds")
    if isinstance(seeds, list):
        return [s for s in seeds if isinstance(s, int) and not isinstance(s, bool)]
    doc = ctx.submission
    return [c.seed for c in doc.seed_claims() if c.seed is not None] if doc is not None and doc.data else []
