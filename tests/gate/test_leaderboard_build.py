"""``golf-audit leaderboard build``: rows from submission JSONs, PR numbers from merge history."""

from __future__ import annotations

import json
import shutil

from auditor.leaderboard import frontier, load_rows
from auditor.schemas import schema_errors

from gitrepo import TRACK, legal_files


def build(run_cli, *args):
    code, out, err = run_cli("leaderboard", "build", *map(str, args))
    return code, (json.loads(out) if code == 0 and out else None), err


def test_build_from_a_records_tree_with_merge_history(run_cli, repo, tmp_path):
    repo.git("checkout", "-q", "-b", "squash", "main")
    repo.add_folder(f"{TRACK}/2026-03-25_Squashed", {**legal_files("2026-03-25"),
                    "submission.json": json.dumps({"name": "s", "github_id": "g", "val_bpb": 1.19,
                                                   "seed_results": [{"seed": 7, "val_bpb": 1.19}]})})
    repo.commit("Squashed record (#130)")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "squash")
    repo.add_folder(f"{TRACK}/2026-03-26_NoJson", {"README.md": "x\n"})
    repo.commit("Direct push without a PR number")
    out = tmp_path / "lb.json"
    code, _, err = build(run_cli, "--records", repo.root / TRACK, "-o", out)
    assert code == 0
    assert "skipped 2026-03-26_NoJson: no submission JSON" in err
    data = json.loads(out.read_text())
    assert schema_errors(data, "leaderboard") == []
    assert data["track"] == "track_10min_16mb"
    assert [(r["folder"], r.get("pr"), r["val_bpb"]) for r in data["rows"]] == [
        ("2026-03-17_NaiveBaseline", 101, 1.219), ("2026-03-20_Better", 120, 1.2), ("2026-03-25_Squashed", 130, 1.19)]
    base = data["rows"][0]
    assert base["date"] == "2026-03-17" and base["status"] == "accepted"
    assert [s["seed"] for s in base["seeds"]] == [1337, 42, 2025] and base["seeds"][0]["val_loss"] == 2.0566
    assert data["rows"][2]["seeds"] == [{"seed": 7, "val_bpb": 1.19, "val_loss": None}]
    _, rows = load_rows(out)
    assert frontier(rows, pr=125, date=None, exclude=None).folder == "2026-03-20_Better"
    assert frontier(rows, pr=131, date=None, exclude=None).folder == "2026-03-25_Squashed"


def test_pr_map_and_revision(run_cli, repo, tmp_path):
    pr_map = tmp_path / "prs.json"
    pr_map.write_text(json.dumps({"2026-03-17_NaiveBaseline": 5}))
    code, data, _ = build(run_cli, "--records", repo.root / TRACK, "--pr-map", pr_map)
    assert code == 0 and [r.get("pr") for r in data["rows"]] == [5, None]
    first = repo.git("rev-list", "--max-parents=1", "--first-parent", "main").splitlines()[-1]  # initial commit
    after_101 = repo.git("rev-parse", "main~1")
    code, data, _ = build(run_cli, "--records", repo.root / TRACK, "--rev", after_101)
    assert code == 0 and [(r["folder"], r["pr"]) for r in data["rows"]] == [("2026-03-17_NaiveBaseline", 101)]
    code, data, _ = build(run_cli, "--records", repo.root / TRACK, "--rev", first)
    assert code == 0 and data["rows"] == []


def test_outside_git_without_pr_map(run_cli, repo, tmp_path):
    plain = tmp_path / "plain" / "track_non_record_16mb"
    shutil.copytree(repo.root / TRACK, plain)
    code, data, err = build(run_cli, "--records", plain)
    assert code == 0 and "no PR number" in err
    assert {r["status"] for r in data["rows"]} == {"non_record"} and all("pr" not in r for r in data["rows"])
    code, _, err = build(run_cli, "--records", plain, "--rev", "HEAD")
    assert code == 2 and "not inside a git repository" in err


def test_bad_pr_map_is_a_usage_error(run_cli, repo, tmp_path):
    bad = tmp_path / "prs.json"
    bad.write_text('{"x": "12"}')
    code, _, err = build(run_cli, "--records", repo.root / TRACK, "--pr-map", bad)
    assert code == 2 and "expected a JSON object" in err
