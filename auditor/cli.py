"""The ``golf-audit`` command line.

Exit codes (DESIGN.md): 0 clean, 1 findings at or above ``--fail-on``, 2 usage error,
3 could not be verified (internal error, unreadable input). The report goes to stdout (or
``--output``), progress and errors to stderr; no traceback ever reaches the user.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
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


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="golf-audit")
def cli() -> None:
    """Audit Parameter Golf record submissions: legality, and whether their numbers are true."""


@cli.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@format_option
@output_option
@fail_on_option
@click.option("--ruleset", help="Ruleset id (default: the one in force on the submission's date).")
@click.option("--track", type=click.Choice(("record", "non_record")),
              help="Track (default: from records/<track>/ in the path, else the JSON's 'track').")
@click.option("--against", help="Baseline to beat: comma-separated per-seed BPB values, or a record folder.")
@click.option("--leaderboard", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Leaderboard data file: the frontier to beat is taken from it.")
@click.option("--date", "date_", help="Audit as of this date (YYYY-MM-DD) instead of the submission's.")
@click.option("--only", help="Run only these rule ids (comma-separated).")
@click.option("--verbose", "-v", is_flag=True, help="Show reasons for skipped rules and PASS evidence.")
@color_option
@width_option
def audit(folder, fmt, output, fail_on, ruleset, track, against, leaderboard, date_, only, verbose, color, width):
    """Audit one record FOLDER statically (files, claims, caps, seeds, statistics, data, code)."""
    from auditor.context import AuditOptions, Context
    from auditor.engine import audit as run_audit
    from auditor.render import RenderOptions, get_renderer
    from auditor.rulesets import RulesetError, get_ruleset
    from auditor.safefs import InputError

    day = _parse_day(date_)
    try:
        if ruleset:
            get_ruleset(ruleset)
        options = AuditOptions(ruleset=ruleset, track=track, against=against, leaderboard=leaderboard, date=day)
        ctx = Context.load(folder, options)
        result = run_audit(ctx, only=only.split(",") if only else None)
    except RulesetError as exc:
        raise UsageProblem(str(exc)) from None
    except InputError as exc:
        raise AuditorError(str(exc)) from None
    render_opts = RenderOptions(fail_on=_fail_on(fail_on), color=_color(color) and output is None,
                                width=width, verbose=verbose)
    write_output(get_renderer(fmt)(result, render_opts), output)
    sys.exit(result.exit_code(render_opts.fail_on))


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
