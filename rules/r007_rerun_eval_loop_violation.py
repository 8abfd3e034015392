"""R007 rerun-eval-loop-violation."""

from auditor.findings import Confidence, Severity
from auditor.registry import Rule, Skip
from rules._rerun import need_rerun

RULINGS = {"C1": "C1-CAUSAL", "C2": "C2-NORMALIZED", "C3": "C3-SCORE-BEFORE-ADAPT", "C4": "C4-SINGLE-PASS"}


class RerunEvalLoopViolation(Rule):
    """An instrumented re-run shows its eval loop breaking a scoring condition (C2, C3 or C4).

    Checks:
    With ``golf-audit rerun --instrument``, each seed ran under the token-ledger instrumentation;
    the ledger of its reported evaluation is checked for C2 (every counted score from a normalized
    distribution over the vocabulary), C3 (no position scored by a state that adapted on it) and C4
    (every position counted once; the BPB recomputed from the ledger equals the reported one).
    Each violation is a finding at the first offending position, with the events around it. The
    tracer locates tokens by content (8-token windows); on the re-run's real data a window repeated
    in the validation set or shared with the training data can misplace a read or an update, so a
    violation is an error only when neither happens in this data, and otherwise a low-confidence
    warning that names the counts (``golf-audit prove`` decides on probe data). A seed whose ledger
    could not be read is a low-confidence warning: not verified, never a pass.

    Why:
    Issue #1017's conditions, applied by the maintainers to every record (C3: pre-quant TTT, ruled
    out on #1376; C2: #886, #972/#978; C4: two-pass rescoring). A re-run under instrumentation
    proves them on the real data and hardware.

    Fails:
    The re-run of seed 42 fine-tunes on the validation tokens before scoring them: ``C3: position
    0 is scored (state version 3) by a state that adapted on it at train_gpt.py:212``.

    Passes:
    Every counted score of the reported pass is fixed before any adapt that saw its token, comes
    from a softmax over the vocabulary, and appears once.
    """

    id = "R007"
    name = "rerun-eval-loop-violation"
    severity = Severity.ERROR
    ruling = "C3-SCORE-BEFORE-ADAPT"
    scope = "rerun"

    def check(self, ctx):
        outcome = need_rerun(ctx)
        if not outcome.instrument:
            raise Skip("the re-run was not instrumented (--instrument)")
        for seed, summary in sorted(outcome.instrument.get("seeds", {}).items(), key=lambda kv: int(kv[0])):
            run = next((r for r in outcome.seeds if str(r.seed) == seed), None)
            where = run.log if run is not None else None
            if summary.get("error"):
                yield self.finding(f"seed {seed}: the eval loop could not be verified: {summary['error']}",
                                   path=where, severity=Severity.WARNING, confidence=Confidence.LOW)
                continue
            doubt = _doubt(summary.get("locating") or {})
            low = {"severity": Severity.WARNING, "confidence": Confidence.LOW} if doubt else {}
            for v in summary.get("violations", []):
                yield self.finding(f"seed {seed}: {v['condition']}: {v['message']} (at {v.get('site', '?')}){doubt}",
                                   path=where, value=v.get("position"), ruling=RULINGS.get(v["condition"]),
                                   evidence=v.get("context", []), **low)
            if not summary.get("violations"):
                yield self.evidence(f"seed {seed}: {', '.join(summary.get('checked', []))} hold on the ledger")


def _doubt(locating: dict) -> str:
    """'' when content locates every position unambiguously in the re-run's data, else why not."""
    if locating.get("unambiguous"):
        return ""
    if "error" in locating or not locating:
        return "; the data's 8-token windows were not checked for repeats: positions may be misplaced"
    shared = locating.get("shared_with_train")
    shared_text = "not scanned" if shared is None else f"{shared:,}"
    return (f"; located by content in data with {locating.get('repeated_in_val', 0):,} repeated validation "
            f"windows and {shared_text} shared with the training shards: positions may be misplaced "
            "(golf-audit prove decides on probe data)")
