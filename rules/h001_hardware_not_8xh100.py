"""H001 hardware-not-8xh100."""

import re

from auditor.findings import Severity
from auditor.registry import Rule, Skip
from rules._common import claim_note, run_severity


class HardwareNot8xH100(Rule):
    """A run did not use the required hardware (8×H100 SXM for the record track).

    Checks:
    Each log's world size (``world_size``, ``nproc_per_node``, the count of GPUs in an embedded
    ``nvidia-smi`` table) against the ruleset's GPU count, and every GPU name the log prints against
    the ruleset's pattern (``H100``). Runs the claim does not rest on are warnings.

    Why:
    README: record submissions must run in under 10 minutes on 8xH100s (SXM). Runs on other
    hardware were labelled non-record (#580 H100 NVL, #1353 PCIe, #2069 4×H100); a 2-GPU run of
    2,400 s is not evidence for the 8-GPU 600 s budget.

    Fails:
    ``world_size:2`` (or an nvidia-smi table listing ``NVIDIA A100-SXM4-80GB``).

    Passes:
    ``world_size:8`` with eight ``NVIDIA H100 80GB HBM3`` rows.
    """

    id = "H001"
    name = "hardware-not-8xh100"
    severity = Severity.ERROR
    ruling = "README-HARDWARE"
    tracks = ("record",)

    def check(self, ctx):
        hw = ctx.ruleset["hardware"]
        pattern = re.compile(hw["gpu_pattern"], re.IGNORECASE)
        runs = [r for r in ctx.evidence.runs if r.run.world_size or r.run.gpus]
        if not runs:
            raise Skip("no log states its world size or GPUs")
        for run in runs:
            size = run.run.world_size
            count = int(size.value) if size is not None else run.run.gpu_count
            bad_names = [n for n in run.run.gpu_names if not pattern.search(n)]
            if count is not None and count != hw["gpu_count"]:
                yield self.finding(f"ran on {count} GPU(s), not {hw['gpu_count']}{claim_note(ctx, run)}", path=run.rel,
                                   line=size.line if size is not None else run.run.gpus[0].line,
                                   value=count, limit=hw["gpu_count"], unit="GPUs", severity=run_severity(ctx, run))
            if bad_names:
                gpu = next(g for g in run.run.gpus if g.name == bad_names[0])
                yield self.finding(f"GPU {bad_names[0]!r} does not match {hw['gpu_pattern']!r}{claim_note(ctx, run)}",
                                   path=run.rel, line=gpu.line, severity=run_severity(ctx, run))
            if count == hw["gpu_count"] and not bad_names:
                yield self.evidence(f"{run.rel}: {count} × {', '.join(run.run.gpu_names) or 'GPU (name not printed)'}")
