from __future__ import annotations

from pathlib import Path

import pytest

from auditor.context import Context
from auditor.rerun.plan import PlanError, make_plan, parse_env_pairs, vocab_from_tokenizer


def _folder(tmp_path: Path, readme: str | None, files=("train_gpt.py",)) -> Context:
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("print('hi')\n")
    if readme is not None:
        (tmp_path / "README.md").write_text(readme)
    return Context.load(tmp_path)


def test_readme_command_gives_script_args_and_env(tmp_path):
    readme = ("# x\n\n```bash\nexport NUM_LAYERS=11\n"
              "SEED=42 DATA_PATH=/data/x MATRIX_LR=0.02 RUN_ID=$NAME torchrun --standalone --nproc_per_node=8 \\\n"
              "  records/track_10min_16mb/2026-04-01_X/train_gpt.py --flag 3 2>&1 | tee log.txt\n```\n")
    plan = make_plan(_folder(tmp_path, readme), nproc=2, python="py")
    assert plan.script == "train_gpt.py" and plan.script_args == ("--flag", "3")
    assert plan.readme_env == {"NUM_LAYERS": "11", "MATRIX_LR": "0.02"}
    assert plan.source == "README.md:5"
    assert plan.argv() == ["py", "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", "train_gpt.py",
                           "--flag", "3"]
    assert any("RUN_ID=$NAME" in n for n in plan.notes) and any("8 processes per node" in n for n in plan.notes)


def test_controlled_variables_replace_the_readme_and_user_env_wins(tmp_path):
    readme = "```\nVOCAB_SIZE=8192 ITERATIONS=9000 torchrun --nproc_per_node=8 train_gpt.py\n```\n"
    plan = make_plan(_folder(tmp_path, readme), nproc=1)
    env = plan.env_for(314, "rid", Path("/d"), Path("/t.model"), None, {"ITERATIONS": "20"})
    assert env == {"VOCAB_SIZE": "8192", "ITERATIONS": "20", "DATA_PATH": "/d", "TOKENIZER_PATH": "/t.model",
                   "SEED": "314", "RUN_ID": "rid"}


def test_default_command_without_a_readme_command(tmp_path):
    plan = make_plan(_folder(tmp_path, "no commands here\n"), nproc=1, python="py")
    assert plan.source == "default" and plan.script == "train_gpt.py" and plan.readme_env == {}


def test_readme_naming_another_script_of_the_folder(tmp_path):
    readme = "```\npython -m torch.distributed.run --nproc_per_node=8 src/train_v2.py\n```\n"
    plan = make_plan(_folder(tmp_path, readme, files=("src/train_v2.py",)), nproc=1)
    assert plan.script == "src/train_v2.py"


def test_no_script_is_a_plan_error(tmp_path):
    with pytest.raises(PlanError, match="no train_gpt.py"):
        make_plan(_folder(tmp_path, None, files=("model.py",)), nproc=1)


def test_env_pairs_and_vocab_from_name():
    assert parse_env_pairs(["A=1", "B_2=x=y", "C="]) == {"A": "1", "B_2": "x=y", "C": ""}
    for bad in ("novalue", "1A=2", "=3"):
        with pytest.raises(ValueError, match="NAME=VALUE"):
            parse_env_pairs([bad])
    assert vocab_from_tokenizer("/x/fineweb_8192_bpe.model") == 8192 and vocab_from_tokenizer("tok.model") is None
