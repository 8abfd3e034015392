"""R001 rerun-did-not-finish."""

from auditor.findings import Severity
from auditor.registry import Rule
from rules._rerun import need_rerun


class RerunDidNotFinish(Rule):
    """A re-run of a seed did not finish with a final score.

    Checks:
    Each seed's re-run: the process group exited with code 0 within the time limit, and the log it
    left (the script's own log, else its standard output) prints a final val_bpb. A run killed at
    the limit, one that exited with an error, and one that ended without a final score are
    findings, with the last lines of its standard error as evidence.

    Why:
    README: a record ships "a train_gpt.py that compiles and runs inside the folder", and its
    numbers must be reproducible; a re-run that cannot finish confirms nothing.

    Fails:
    The re-run of seed 42 exits with code 1 (``ModuleNotFoundError: No module named
    'flash_attn_interface'``), or is killed after the time limit.

    Passes:
    The re-run of seed 42 exits with code 0 and its log ends with
    ``final_int8_zlib_roundtrip_exact val_loss:2.07 val_bpb:1.2244``.
    """

    id = "R001"
    name = "rerun-did-not-finish"
    severity = Severity.ERROR
    ruling = "README-REPRODUCIBLE"
    scope = "rerun"

    def check(self, ctx):
        outcome = need_rerun(ctx)
        for run in outcome.seeds:
            tail = [line for line in run.stderr_tail.splitlines() if line.strip()][-5:]
            log = outcome.log_of(run)
            if run.timed_out:
                yield self.finding(f"seed {run.seed}: killed after the {run.wall_s:,.0f} s time limit",
                                   path=run.stderr, value=run.wall_s, unit="s", evidence=tail)
            elif run.returncode != 0:
                yield self.finding(f"seed {run.seed}: exited with code {run.returncode} after {run.wall_s:,.1f} s",
                                   path=run.stderr, value=run.returncode, evidence=tail)
            elif log is None or log.reported is None:
                yield self.finding(f"seed {run.seed}: finished, but {run.log or run.stdout} prints no final val_bpb",
                                   path=run.log or run.stdout, evidence=tail)
            else:
                yield self.evidence(f"seed {run.seed}: finished in {run.wall_s:,.1f} s, "
                                    f"val_bpb {log.reported.val_bpb.raw}", path=run.log, line=log.reported.line)
