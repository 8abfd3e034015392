"""S003 config-differs-across-seeds."""

import re

from auditor.findings import Severity
from auditor.registry import Rule, Skip

# Keys that legitimately differ between seeds of one configuration: the seed, identities, paths,
# ranks and timestamps.
IGNORED = re.compile(r"seed|run_id|runid|logfile|log_file|path|_dir$|^dir|files?$|rank|is_main|"
                     r"timestamp|time_?stamp|hostname|output|artifact|wandb|date", re.IGNORECASE)


class ConfigDiffersAcrossSeeds(Rule):
    """The runs the claim rests on do not share one configuration.

    Checks:
    The hyperparameters each run log dumps, across the runs the claim rests on: every key other
    than the seed, identities, file paths and ranks must have the same value in every run that
    dumps it. The first differing keys are reported with each run's value.

    Why:
    README: the seeds show the variance of one configuration. The maintainers rejected #2124
    because "the headline uses a third seed from a different/reference config".

    Fails:
    ``matrix_lr: 0.02`` in two seed logs and ``matrix_lr: 0.025`` in the third.

    Passes:
    Three dumps that differ only in ``seed`` and ``run_id``.
    """

    id = "S003"
    name = "config-differs-across-seeds"
    severity = Severity.ERROR
    ruling = "SEEDS-EVIDENCE"
    tracks = ("record",)

    def check(self, ctx):
        runs = [r for r in ctx.evidence.claimed_runs if r.run.hyperparameters]
        if len(runs) < 2:
            raise Skip("fewer than two claimed runs dump their hyperparameters")
        keys = sorted({k for r in runs for k in r.run.hyperparameters
                       if not IGNORED.search(k) and not _is_seed(k, runs)})
        differing = [k for k in keys if len({_norm(r.run.hyperparameters.get(k)) for r in runs
                                              if k in r.run.hyperparameters}) > 1]
        if not differing:
            yield self.evidence(f"{len(runs)} runs share {len(keys)} configuration values")
            return
        first = differing[0]
        odd = _odd_one(runs, first)
        yield self.finding(f"{len(differing)} configuration value(s) differ across the seeds: "
                           f"{', '.join(differing[:6])}" + (" …" if len(differing) > 6 else ""),
                           path=odd.rel, line=odd.run.hyperparameters[first].line,
                           evidence=[f"{k}: " + ", ".join(f"{r.rel}={_norm(r.run.hyperparameters.get(k))}"
                                                          for r in runs) for k in differing[:6]])


def _is_seed(key, runs) -> bool:
    """A key whose value is each run's own seed (``s:42`` in a summary line) is the seed."""
    values = [(_norm(r.run.hyperparameters.get(key)), r.seed) for r in runs if key in r.run.hyperparameters]
    return all(r_seed is not None and v == str(r_seed) for v, r_seed in values)


def _norm(text) -> str | None:
    return None if text is None else text.value.strip()


def _odd_one(runs, key):
    """The run holding the rarest value of ``key`` among the runs that dump it."""
    having = [r for r in runs if key in r.run.hyperparameters]
    values = [_norm(r.run.hyperparameters[key]) for r in having]
    rare = min(dict.fromkeys(values), key=values.count)
    return next(r for r, v in zip(having, values) if v == rare)
