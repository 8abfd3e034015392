"""--instrument for real: the tiny submission re-run under the token-ledger tracer of
auditor.dynamic, on probe data (every validation 8-token window unique, so positions are located
without doubt). The unmodified script proves C2-C4; a copy that fine-tunes on the validation tokens
before scoring them is caught by R007 as C3, as an error."""

from __future__ import annotations

import shutil

import pytest

from auditor.rerun.command import RerunRequest, run
from auditor.rerun.progress import Reporter

pytestmark = pytest.mark.slow

ADAPT_ON_VAL = '''
    vx = torch.from_numpy(val[:-1].astype(np.int64)).to(device)
    vy = torch.from_numpy(val[1:].astype(np.int64)).to(device)
    for _ in range(2):  # "pre-quant TTT": trains on the validation tokens it will score
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(vx), vy).backward()
        opt.step()
'''
ANCHOR = "    q = quantize("


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    from auditor.dynamic.probe import make_probe

    return make_probe(tmp_path_factory.mktemp("probe"))


def _rerun(folder, probe, work):
    req = RerunRequest(folder, [3], 1, probe.data_path, probe.tokenizer_path, work_dir=work, timeout_s=300,
                       instrument=True, env={"ITERATIONS": "5", "TRAIN_BATCH_TOKENS": "1024"})
    _, outcome, result = run(req, Reporter())
    summary = outcome.instrument["seeds"]["3"]
    return summary, [f for f in result.active() if f.rule_id == "R007"]


def test_legal_eval_loop_proves_clean(tiny_submission, probe, tmp_path):
    summary, r007 = _rerun(tiny_submission, probe, tmp_path / "work")
    assert summary["error"] is None and summary["locating"]["unambiguous"], summary
    assert summary["checked"] == ["C2", "C3", "C4"] and summary["violations"] == [] and r007 == []


def test_training_on_validation_before_scoring_is_c3(tiny_submission, probe, tmp_path):
    folder = tmp_path / "prequant_ttt"
    shutil.copytree(tiny_submission, folder)
    code = (folder / "train_gpt.py").read_text()
    assert code.count(ANCHOR) == 1
    (folder / "train_gpt.py").write_text(code.replace(ANCHOR, ADAPT_ON_VAL + ANCHOR))
    summary, r007 = _rerun(folder, probe, tmp_path / "work")
    assert [v["condition"] for v in summary["violations"]][:1] == ["C3"], summary
    assert r007 and str(r007[0].severity) == "error" and "C3" in r007[0].message
    assert summary["violations"][0]["site"].startswith("train_gpt.py:")
