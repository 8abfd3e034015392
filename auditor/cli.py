"""The ``golf-audit`` command line.

Exit codes (DESIGN.md): 0 clean, 1 findings at or above ``--fail-on``, 2 usage error,
3 could not be verified (internal error, unreadable input). The report goes to stdout (or
``--output``), progress and errors to stderr; no traceback ever reaches the user.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import click

from auditor import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_UNVERIFIED = 0, 1, 2, 3
FAIL_ON = ("error", "warning", "info", "never")


class AuditorError(click.ClickException):
    """A clear one-line error with exit code 3 (could not verify)."""

    exit_code = EXIT_UNVERIFIED

    def show(self, file=None) -> None:
        click.echo(f"golf-audit: error: {self.format_message()}", err=True)


class UsageProblem(click.UsageError):
    exit_code = EXIT_USAGE


def _fail_on(value: str):
    from auditor.findings import Severity

    return None if value == "never" else Severity.parse(value)


def _color(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def write_output(text: str, output: Path | None) -> None:
    """Print, or write ``output`` atomically (a failed run never leaves half a report)."""
    if output is None:
        click.echo(text, nl=False)
        return
    output = Path(output)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent or ".")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, output)
    except OSError as exc:
        raise AuditorError(f"cannot write {output}: {exc.strerror or exc}") from None


format_option = click.option("--format", "fmt", type=click.Choice(("text", "json", "markdown", "sarif")),
                             default="text", show_default=True, help="Report format.")
output_option = click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
                             help="Write the report to this file instead of stdout.")
color_option = click.option("--color/--no-color", default=None, help="Colour the text report (default: when a tty).")
width_option = click.option("--width", type=click.IntRange(40, 400), default=100, show_default=True,
                            help="Width of the text report.")
fail_on_option = click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True,
                              help="Lowest severity that makes the exit code 1.")
verbose_option = click.option("--verbose", "-v", is_flag=True, help="Show reasons for skipped rules and PASS evidence.")
ruleset_option = click.option("--ruleset", help="Ruleset id (default: the one in force on the submission's date).")
report_option = click.option("--report", "reports", multiple=True, metavar="FORMAT:FILE",
                             help="Also write the report in FORMAT to FILE (repeatable), e.g. markdown:report.md.")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="golf-audit")
def cli() -> None:
    """Audit Parameter Golf record submissions: legality, and whether their numbers are true."""


@cli.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@format_option
@output_option
@fail_on_option
@ruleset_option
@click.option("--track", type=click.Choice(("record", "non_record")),
              help="Track (default: from records/<track>/ in the path, else the JSON's 'track').")
@click.option("--against", help="Baseline to beat: comma-separated per-seed BPB values, or a record folder.")
@click.option("--leaderboard", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Leaderboard data file: the frontier to beat is taken from it.")
@click.option("--date", "date_", help="Audit as of this date (YYYY-MM-DD) instead of the submission's.")
@click.option("--pr", type=click.IntRange(min=1), help="The submission's PR number (for the chronological frontier).")
@click.option("--corpus", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A records tree: logs byte-identical to another record's are reported.")
@click.option("--only", help="Run only these rule ids (comma-separated).")
@click.option("--waivers", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Waivers file (TOML or JSON): reviewed findings shown apart and not counted.")
@click.option("--sarif-root", default="", help="SARIF: the folder's path in its repository, so annotations land on "
              "the right files (default: paths relative to the folder).")
@verbose_option
@color_option
@width_option
def audit(folder, fmt, output, fail_on, ruleset, track, against, leaderboard, date_, pr, corpus, only, waivers,
          sarif_root, verbose, color, width):
    """Audit one record FOLDER statically (files, claims, caps, seeds, statistics, data, code)."""
    from auditor.context import AuditOptions, Context
    from auditor.engine import audit as run_audit
    from auditor.render import RenderOptions, get_renderer
    from auditor.rulesets import RulesetError, get_ruleset
    from auditor.safefs import InputError

    day = _parse_day(date_)
    waiver_list = _load_waivers(waivers)
    try:
        if ruleset:
            get_ruleset(ruleset)
        options = AuditOptions(ruleset=ruleset, track=track, against=against, leaderboard=leaderboard, date=day, pr=pr,
                               corpus=corpus)
        _check_baseline(against, leaderboard)
        ctx = Context.load(folder, options)
        result = run_audit(ctx, only=only.split(",") if only else None)
    except RulesetError as exc:
        raise UsageProblem(str(exc)) from None
    except InputError as exc:
        raise AuditorError(str(exc)) from None
    if waiver_list:
        from auditor.waivers import apply

        apply(result, waiver_list, str(folder))
    render_opts = RenderOptions(fail_on=_fail_on(fail_on), color=_color(color) and output is None,
                                width=width, verbose=verbose, sarif_root=sarif_root)
    write_output(get_renderer(fmt)(result, render_opts), output)
    sys.exit(result.exit_code(render_opts.fail_on))


def _check_baseline(against: str | None, leaderboard: Path | None) -> None:
    """A bad ``--against`` or leaderboard file is a usage error before anything runs."""
    from auditor.leaderboard import BaselineError, folder_baseline, load_rows, parse_values

    try:
        if against:
            folder_baseline(Path(against)) if Path(against).is_dir() else parse_values(against)
        if leaderboard:
            load_rows(leaderboard)
    except BaselineError as exc:
        raise UsageProblem(str(exc)) from None


def _parse_day(text: str | None):
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageProblem(f"--date {text!r} is not a date like 2026-04-28") from None


@cli.command("rules")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
def list_rules(fmt):
    """List every rule: id, name, severity, scope and the ruling it enforces."""
    from auditor.registry import all_rules

    rows = [{"id": r.id, "name": r.name, "severity": str(r.severity), "scope": r.scope,
             "tracks": list(r.tracks), "ruling": r.ruling, "summary": r.doc_sections()[""].splitlines()[0]}
            for r in all_rules()]
    if fmt == "json":
        import json

        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        click.echo(f"{r['id']:5} {r['name']:38} {r['severity']:8} {r['scope']:8} {r['summary']}")


@cli.command()
@click.argument("rule_id")
def explain(rule_id):
    """Print a rule's documentation and the ruling it rests on."""
    from auditor.engine import rulings
    from auditor.registry import get_rule

    rule = get_rule(rule_id)
    if rule is None:
        raise UsageProblem(f"no rule {rule_id!r} (see 'golf-audit rules')")
    ruling = rulings().get(rule.ruling, {})
    click.echo(f"{rule.id} {rule.name} ({rule.severity}, {rule.scope}, tracks: {', '.join(rule.tracks)})\n")
    click.echo(rule.doc())
    click.echo(f"\nRuling {rule.ruling}: {ruling.get('title', '?')}")
    click.echo(f"  status {ruling.get('status', '?')}, {ruling.get('date', '?')}, source {ruling.get('source', '?')}")
    click.echo(f"  {ruling.get('url', '')}")


# -- prove (auditor.dynamic) -------------------------------------------------------------------------------------
@cli.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--device", type=click.Choice(("cpu", "cuda")), default="cpu", show_default=True,
              help="Where the script runs (cpu hides the GPUs from it).")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Draw the ledger (position against event order, violations marked) to this PNG (needs matplotlib).")
@format_option
@output_option
@fail_on_option
@click.option("--timeout", type=click.FloatRange(min=1), default=600, show_default=True,
              help="Wall-clock limit of each run of the script, in seconds.")
@click.option("--keep-work", type=click.Path(file_okay=False, path_type=Path),
              help="Keep the probe data, run copies, logs and event files here (its proof/ can be --replay'ed).")
@click.option("--replay", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Check a saved proof (a --keep-work DIR or its proof/ folder) instead of running the script.")
@click.option("--c1/--no-c1", default=True, show_default=True,
              help="Run the script a second time on a stream with a flipped future (the C1 check).")
@click.option("--noise-run/--no-noise-run", "noise", default=None,
              help="A third run on the same stream measures the C1 noise floor (default: on with --device cuda).")
@click.option("--nproc", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Ranks: more than one runs the script under torchrun (gloo on CPU).")
@click.option("--env", "env_pairs", multiple=True, metavar="KEY=VALUE",
              help="Extra environment for the script (repeatable), e.g. ITERATIONS=50.")
@verbose_option
@color_option
@width_option
def prove(folder, device, plot_path, fmt, output, fail_on, timeout, keep_work, replay, c1, noise, nproc, env_pairs,
          verbose, color, width):
    """Run FOLDER's train_gpt.py, unmodified, on probe data under instrumentation and prove from the
    token ledger that its reported score is causal (C1), normalized (C2), scored before any
    adaptation on its tokens (C3) and a single pass (C4). Exit 3 when it cannot be verified."""
    from auditor.dynamic.plot import PlotUnavailable, require_matplotlib
    from auditor.dynamic.sandbox import SandboxUnavailable
    from auditor.render import RenderOptions, get_renderer

    env = _env_pairs(env_pairs)
    if plot_path is not None:
        try:
            require_matplotlib()
        except PlotUnavailable as exc:
            raise UsageProblem(str(exc)) from None
    try:
        proof = _load_or_run_proof(folder, replay, keep_work, device, timeout, c1, noise, nproc, env)
    except SandboxUnavailable as exc:
        raise AuditorError(f"could not verify: {exc}") from None
    except (OSError, ValueError) as exc:
        raise AuditorError(f"could not verify: {exc}") from None
    from auditor.dynamic.prove import prove_result

    result = prove_result(folder, proof)
    if plot_path is not None and proof.runs and proof.runs[0].ledger is not None:
        _plot(proof, result, plot_path)
    render_opts = RenderOptions(fail_on=_fail_on(fail_on), color=_color(color) and output is None,
                                width=width, verbose=verbose)
    write_output(get_renderer(fmt)(result, render_opts), output)
    sys.exit(result.exit_code(render_opts.fail_on))


def _env_pairs(pairs) -> dict:
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.isidentifier():
            raise UsageProblem(f"--env {pair!r}: expected KEY=VALUE")
        env[key] = value
    return env


def _load_or_run_proof(folder, replay, keep_work, device, timeout, c1, noise, nproc, env):
    from auditor.dynamic.harness import Proof
    from auditor.dynamic.harness import prove as run_proof

    if replay is not None:
        saved = replay / "proof" if (replay / "proof" / "proof.json").is_file() else replay
        if not (saved / "proof.json").is_file():
            raise UsageProblem(f"--replay {replay}: no proof.json there")
        return Proof.load(saved)
    progress = lambda msg: click.echo(f"golf-audit prove: {msg}", err=True)  # noqa: E731
    if keep_work is not None:
        return run_proof(folder, work=keep_work, device=device, timeout=timeout, c1=c1, noise=noise, nproc=nproc,
                         env=env, progress=progress)
    with tempfile.TemporaryDirectory(prefix="golf-prove-") as work:
        return run_proof(folder, work=Path(work), device=device, timeout=timeout, c1=c1, noise=noise, nproc=nproc,
                         env=env, progress=progress)


def _plot(proof, result, path: Path) -> None:
    from auditor.dynamic.ledger import Violation
    from auditor.dynamic.plot import plot_ledger

    run = proof.runs[0]
    marks = [Violation(f.rule_id, _position(f), f.message, "")
             for f in result.active() if _position(f) is not None]
    plot_ledger(run.ledger, path, violations=marks, title=f"token ledger of {Path(str(proof.folder)).name}")
    click.echo(f"golf-audit prove: ledger drawn to {path}", err=True)


def _position(finding) -> int | None:
    import re

    m = re.search(r"position (\d+)", finding.message)
    return int(m[1]) if m else None


# -- CI gate and leaderboard (auditor.gate, auditor.leaderboard_build) ----------------------------------------
def _load_waivers(path: Path | None) -> list:
    if path is None:
        return []
    from auditor.waivers import WaiverError, load

    try:
        return load(path)
    except WaiverError as exc:
        raise UsageProblem(str(exc)) from None


def _reports(specs: tuple[str, ...]) -> list[tuple[str, Path]]:
    from auditor.render import FORMATS

    out = []
    for spec in specs:
        fmt, sep, path = spec.partition(":")
        if not sep or fmt not in FORMATS or not path:
            raise UsageProblem(f"--report {spec!r}: expected FORMAT:FILE with FORMAT one of {', '.join(FORMATS)}")
        out.append((fmt, Path(path)))
    return out


@cli.command()
@click.option("--repo", type=click.Path(exists=True, file_okay=False, path_type=Path), default=".",
              show_default=True, help="The repository: a checkout holding the PR head.")
@click.option("--base", required=True, help="The PR's base revision (e.g. origin/main, or the base commit id).")
@click.option("--head", default="HEAD", show_default=True, help="The PR head revision.")
@click.option("--pr", type=click.IntRange(min=1), help="The PR number (default: from $GITHUB_EVENT_PATH).")
@click.option("--leaderboard", help="Leaderboard data file for the frontier to beat, or 'auto' to build it from "
              "the base revision's records and merge history.")
@click.option("--waivers", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Waivers file (default: golf-audit-waivers.toml or .json of the base revision, never the PR's).")
@click.option("--dynamic", is_flag=True, help="Also run the dynamic rules (needs torch and a CUDA GPU; otherwise "
              "they are reported as skipped, with the reason).")
@ruleset_option
@click.option("--date", "date_", help="Audit as of this date (YYYY-MM-DD) instead of the submission's.")
@click.option("--only", help="Run only these static/dynamic rule ids (comma-separated); gate rules always run.")
@format_option
@output_option
@report_option
@fail_on_option
@verbose_option
@color_option
@width_option
def gate(repo, base, head, pr, leaderboard, waivers, dynamic, ruleset, date_, only, fmt, output, reports, fail_on,
         verbose, color, width):
    """Gate a record PR: it may only add one folder under records/<track>/; audit that folder.

    The change set is the diff from the merge base of BASE and HEAD to HEAD. Anything but one new
    record folder is a gate finding (G001...); the folder is read from HEAD and audited with every
    static rule (and the dynamic ones with --dynamic). Paths in the report are relative to the
    repository root. Exit codes as for 'audit'.
    """
    from auditor.gate.extract import ExtractError
    from auditor.gate.git import GitError, UnknownRevision
    from auditor.gate.run import GateOptions, pr_from_event, run_gate
    from auditor.render import RenderOptions, get_renderer
    from auditor.rulesets import RulesetError, get_ruleset
    from auditor.safefs import InputError
    from auditor.waivers import WaiverError

    extra_reports = _reports(reports)
    if leaderboard not in (None, "auto") and not Path(leaderboard).is_file():
        raise UsageProblem(f"--leaderboard {leaderboard!r}: no such file (or use 'auto')")
    opts = GateOptions(repo=repo, base=base, head=head, pr=pr or pr_from_event(), leaderboard=leaderboard,
                       waivers=waivers, dynamic=dynamic, ruleset=ruleset, date=_parse_day(date_),
                       only=only.split(",") if only else None)
    try:
        if ruleset:
            get_ruleset(ruleset)
        result = run_gate(opts)
    except (UnknownRevision, RulesetError, WaiverError) as exc:
        raise UsageProblem(str(exc)) from None
    except (GitError, ExtractError, InputError, OSError) as exc:
        raise AuditorError(f"could not verify: {exc}") from None
    render_opts = RenderOptions(fail_on=_fail_on(fail_on), color=_color(color) and output is None,
                                width=width, verbose=verbose)
    for extra_fmt, path in extra_reports:
        write_output(get_renderer(extra_fmt)(result, replace(render_opts, color=False)), path)
    write_output(get_renderer(fmt)(result, render_opts), output)
    sys.exit(result.exit_code(render_opts.fail_on))


@cli.group()
def leaderboard():
    """Leaderboard data files: the accepted rows a new record must beat, in PR order."""


@leaderboard.command("build")
@click.option("--records", "records_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A track folder of records, e.g. records/track_10min_16mb.")
@click.option("--track", help="Track name written in the file (default: the folder's name).")
@click.option("--pr-map", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSON {"folder": PR number} (default: from the git history of the records).')
@click.option("--rev", help="Read the records as this git revision has them (default: the files on disk).")
@click.option("--status", type=click.Choice(("accepted", "non_record")),
              help="Status of every row (default: non_record for a non-record track, else accepted).")
@output_option
def leaderboard_build(records_dir, track, pr_map, rev, status, output):
    """Build a leaderboard data file from a records tree: val_bpb and per-seed values from each
    folder's submission JSON, PR numbers from merge commits ("Merge pull request #N") or --pr-map."""
    import json

    from auditor.gate.git import GitError
    from auditor.leaderboard_build import BuildError, build, folders_in_dir, folders_in_git, load_pr_map, \
        pr_numbers_from_git

    track = track or records_dir.resolve().name
    status = status or ("non_record" if "non_record" in track else "accepted")
    git, rel = _git_for(records_dir)
    if rev and git is None:
        raise UsageProblem(f"--rev {rev}: {records_dir} is not inside a git repository")
    try:
        rev_id = git.resolve(rev) if rev else None
        folders = folders_in_git(git, rev_id, rel) if rev_id else folders_in_dir(records_dir)
        prs = load_pr_map(pr_map) if pr_map else (pr_numbers_from_git(git, rev_id or "HEAD", rel) if git else {})
    except BuildError as exc:
        raise UsageProblem(str(exc)) from None
    except GitError as exc:
        raise AuditorError(str(exc)) from None
    if git is None and pr_map is None:
        click.echo(f"golf-audit: {records_dir} is not in a git repository and no --pr-map: rows have no PR number",
                   err=True)
    data, skipped = build(track, folders, prs, status=status, source=f"{rev + ':' if rev else ''}{rel or records_dir}")
    for line in skipped:
        click.echo(f"golf-audit: skipped {line}", err=True)
    write_output(json.dumps(data, indent=2, ensure_ascii=False) + "\n", output)


# -- re-runs (auditor.rerun) ------------------------------------------------------------------------------------
@cli.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--seeds", required=True, help="Seeds to re-run, comma-separated (e.g. 42,314,999), or 'claimed' for "
              "the seeds the submission reports.")
@click.option("--nproc", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes per node for torchrun (GPUs; on a CPU, gloo processes).")
@click.option("--data-path", required=True, type=click.Path(path_type=Path),
              help="Folder with fineweb_train_*.bin and fineweb_val_*.bin (DATA_PATH of the runs).")
@click.option("--tokenizer-path", required=True, type=click.Path(path_type=Path),
              help="The sentencepiece model (TOKENIZER_PATH of the runs).")
@click.option("--vocab-size", type=click.IntRange(min=2), help="VOCAB_SIZE of the runs (default: the README's, "
              "else the number in the tokenizer's name).")
@click.option("--env", "env_pairs", multiple=True, metavar="NAME=VALUE",
              help="Another variable for every run (repeatable); it wins over the README's.")
@click.option("--work-dir", type=click.Path(path_type=Path), help="Where the runs happen and stay (default: a new "
              "temporary folder, kept). Must be new or empty.")
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=1), default=1800, show_default=True,
              help="Hard wall-clock limit per seed, in seconds; the run's whole process group is killed.")
@click.option("--receipt", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the receipt here (it is always written as receipt.json in the work folder).")
@click.option("--instrument", is_flag=True, help="Run under the eval-loop instrumentation (the token ledger) and "
              "report its findings too.")
@click.option("--python", "python", help="Interpreter of the runs (default: this one).")
@click.option("--allow-no-isolation", is_flag=True, help="Run even where the network cannot be turned off.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@ruleset_option
@click.option("--track", type=click.Choice(("record", "non_record")), help="Track (default: as for 'audit').")
@format_option
@output_option
@report_option
@fail_on_option
@verbose_option
@color_option
@width_option
def rerun(folder, seeds, nproc, data_path, tokenizer_path, vocab_size, env_pairs, work_dir, timeout_s, receipt,
          instrument, python, allow_no_isolation, quiet, ruleset, track, fmt, output, reports, fail_on, verbose, color,
          width):
    """Re-run FOLDER's training once per seed (torchrun, sandboxed, network off) and confirm or refute its
    val_bpb, artifact bytes and times; write a receipt binding code, log and artifact hashes.

    The command is the README's launch command where it has one (its script, arguments and variables),
    else 'torchrun --standalone --nproc_per_node N train_gpt.py'. Exit codes as for 'audit'.
    """
    from auditor.rerun.command import RerunRequest, RerunUnavailable, RerunUsageError, parse_seeds, run
    from auditor.rerun.plan import parse_env_pairs
    from auditor.rerun.progress import make_reporter
    from auditor.rerun.receipt import build_receipt, write_receipt
    from auditor.render import RenderOptions, get_renderer
    from auditor.rulesets import RulesetError, get_ruleset
    from auditor.safefs import InputError

    extra_reports = _reports(reports)
    try:
        if ruleset:
            get_ruleset(ruleset)
        req = RerunRequest(folder, parse_seeds(seeds), nproc, data_path, tokenizer_path, vocab_size,
                           parse_env_pairs(env_pairs), work_dir, timeout_s, python, ruleset, track, allow_no_isolation,
                           instrument=instrument)
        ctx, outcome, result = run(req, make_reporter(quiet))
    except (RerunUsageError, RulesetError, ValueError) as exc:
        raise UsageProblem(str(exc)) from None
    except (RerunUnavailable, InputError, OSError) as exc:
        raise AuditorError(f"could not verify: {exc}") from None
    data = build_receipt(ctx, outcome, result)
    write_receipt(outcome.root / "receipt.json", data)
    if receipt is not None:
        write_output(json.dumps(data, indent=2) + "\n", receipt)
    render_opts = RenderOptions(fail_on=_fail_on(fail_on), color=_color(color) and output is None,
                                width=width, verbose=verbose)
    for extra_fmt, path in extra_reports:
        write_output(get_renderer(extra_fmt)(result, replace(render_opts, color=False)), path)
    write_output(get_renderer(fmt)(result, render_opts), output)
    sys.exit(result.exit_code(render_opts.fail_on))


@cli.command("verify-receipt")
@click.argument("receipt", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path),
              help="The re-run's work folder (default: the one the receipt names).")
def verify_receipt_cmd(receipt, folder, work_dir):
    """Re-check a re-run RECEIPT: its digest, the hashes of FOLDER's files (default: the folder it names),
    and the logs and artifacts in the work folder, with the numbers re-read from each log.

    Exit codes: 0 everything matches, 1 a mismatch, 2 not a receipt, 3 something could not be checked.
    """
    from auditor.rerun.receipt import ReceiptError, verify_receipt

    try:
        report = verify_receipt(receipt, folder, work_dir)
    except ReceiptError as exc:
        raise UsageProblem(str(exc)) from None
    for c in report.checks:
        click.echo(f"{c.status:8} {c.what}" + (f": {c.detail}" if c.detail else ""))
    counts = {s: sum(c.status == s for c in report.checks) for s in ("ok", "mismatch", "missing")}
    click.echo(f"{counts['ok']} ok, {counts['mismatch']} mismatched, {counts['missing']} not checked")
    sys.exit(report.exit_code)


def _git_for(folder: Path):
    """(Git, folder path relative to the repository root) when ``folder`` is in a git work tree."""
    from auditor.gate.git import Git, GitError

    probe = Git(folder)
    try:
        top = Path(probe.run("rev-parse", "--show-toplevel").decode().strip())
    except GitError:
        return None, ""
    return Git(top), folder.resolve().relative_to(top.resolve()).as_posix()


def main() -> None:
    """Console-script entry: run the CLI; an unexpected error exits 3 with one line, no traceback."""
    try:
        cli.main(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("golf-audit: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # last resort: never a traceback, never a PASS
        click.echo(f"golf-audit: could not verify: internal error {type(exc).__name__}: {exc}", err=True)
        if os.environ.get("GOLF_AUDIT_DEBUG"):
            raise
        sys.exit(EXIT_UNVERIFIED)


if __name__ == "__main__":
    main()
