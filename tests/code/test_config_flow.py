"""Effective configuration (code defaults, logs, README) and the validation-data flow."""
from __future__ import annotations

import ast
import textwrap

import pytest

from auditor.code.config import Config, collect_settings, env_read
from auditor.code.flow import Flow
from auditor.code.index import build_index
from auditor.context import Context

SETTINGS = '''
import os
class Hyperparameters:
    ttt_enabled = bool(int(os.environ.get("TTT_ENABLED", "0")))
    ttt_epochs = int(os.environ.get("TTT_EPOCHS", 3))
    source = os.environ.get("CALIB_SOURCE", "val")
    wall = float(os.getenv("MAX_WALLCLOCK_SECONDS", 600.0))
LOCAL = os.environ["NEEDED"]
'''


def config(overrides=None) -> Config:
    cfg = collect_settings(build_index({"train_gpt.py": SETTINGS}).run_set)
    cfg.overrides.update(overrides or {})
    return cfg


def truth(cfg, text, resolve=None):
    return cfg.truth(ast.parse(text, mode="eval").body, resolve)


def test_env_reads_with_converters():
    assert env_read(ast.parse('bool(int(os.environ.get("A", "1")))', mode="eval").body) == ("A", "1", ("bool", "int"))
    assert env_read(ast.parse('os.environ["B"]', mode="eval").body) == ("B", None, ())
    assert env_read(ast.parse('os.environ.get(name, 1)', mode="eval").body) is None


def test_defaults_and_overrides():
    cfg = config()
    assert cfg.value("ttt_enabled").value is False and cfg.value("TTT_EPOCHS").value == 3
    assert cfg.value("wall").value == 600.0 and cfg.value("LOCAL") is None
    cfg = config({"TTT_ENABLED": ("1", "README run command", False), "TTT_EPOCHS": ("6", "log a.log", True)})
    assert cfg.value("ttt_enabled").value is True and cfg.value("ttt_enabled").source == "README run command"
    assert cfg.value("ttt_epochs").value == 6


@pytest.mark.parametrize("test, want", [
    ("args.ttt_enabled", False), ("not h.ttt_enabled", True), ("args.ttt_epochs > 0", True),
    ("args.ttt_enabled and args.ttt_epochs > 0", False), ("args.ttt_enabled or unknown", None),
    ("args.source == 'val'", True), ("unknown_flag", None), ("getattr(args, 'slot_enabled', False)", False),
    ('os.environ.get("TTT_ENABLED", "0") == "1"', False), ("args.ttt_epochs > 'x'", None),
])
def test_truth_of_if_tests(test, want):
    assert truth(config(), test) is want


def test_truth_follows_local_names():
    expr = ast.parse("args.ttt_enabled and args.ttt_epochs", mode="eval").body
    assert truth(config(), "use_ttt", lambda name: expr if name == "use_ttt" else None) is False


def test_logs_and_readme_override_code_defaults(tmp_path):
    (tmp_path / "train_gpt.py").write_text(SETTINGS)
    (tmp_path / "train.log").write_text("Hyperparameters:\n  ttt_epochs: 0\n  seed: 1\n")
    (tmp_path / "README.md").write_text("```bash\nTTT_ENABLED=1 torchrun --nproc_per_node=8 train_gpt.py\n```\n")
    cfg = Context.load(tmp_path).code.config
    assert cfg.value("ttt_enabled").value is True and cfg.value("ttt_enabled").source == "README run command"
    assert cfg.value("ttt_epochs").value == 0 and cfg.value("ttt_epochs").source == "log train.log"


def flow_of(src: str) -> Flow:
    return Flow(build_index({"train_gpt.py": textwrap.dedent(src)}))


def val_at(flow: Flow, func: str, text: str) -> bool:
    f = flow.index.functions[func][0]
    node = next(n for n in f.own_nodes() if isinstance(n, ast.expr) and ast.unparse(n) == text)
    return flow.is_val(f, node)


def test_rebinding_clears_validation_taint():
    flow = flow_of('''
        def main(loader, val_tokens):
            x = val_tokens[:10]
            a = model(x)
            x = loader.next_batch()
            b = model(x)
    ''')
    f = flow.index.functions["main"][0]
    calls = sorted((n for n in f.own_nodes() if isinstance(n, ast.Call) and ast.unparse(n) == "model(x)"),
                   key=lambda n: n.lineno)
    assert [flow.is_val(f, c) for c in calls] == [True, False]


def test_parameters_and_returns_carry_validation_data_only_where_they_flow():
    flow = flow_of('''
        def load_validation_tokens(pattern):
            return read(pattern)
        def build(model, data):
            return model
        def shard(tokens):
            return tokens[1:]
        def main(args):
            v = load_validation_tokens(args.val_files)
            m = build(Net(), v)
            s = shard(v)
            t = shard(train)
    ''')
    assert val_at(flow, "main", "build(Net(), v)") is False  # the model does not come from the data
    assert val_at(flow, "main", "shard(v)") is True and val_at(flow, "main", "shard(train)") is False
    assert "tokens" in flow.val_params["shard"]


def test_score_first_versus_adapt_first():
    flow = flow_of('''
        import torch
        def score_first(model, val_tokens, opt):
            loss_sum = 0
            for c in chunks(val_tokens):
                with torch.no_grad():
                    loss_sum += model(c)
                model(c).backward()
        def adapt_first(model, val_tokens, opt):
            loss_sum = 0
            for c in chunks(val_tokens):
                model(c).backward()
                with torch.no_grad():
                    loss_sum += model(c)
    ''')
    verdict = {u.func.name: flow.score_first(u) for u in flow.updates}
    assert verdict == {"score_first": True, "adapt_first": False}
