"""The command a re-run runs for each seed, taken from the README's launch command where it has one.

The README's command contributes its script, the script's own arguments and its environment
assignments (``NUM_LAYERS=11 SEED=42 torchrun ... train_gpt.py``); the launcher is always
``python -m torch.distributed.run --standalone --nproc_per_node N`` with the current interpreter (a
scrubbed environment has no ``torchrun`` on its PATH, and the node count is the re-runner's
choice). Variables the re-run controls (data, tokenizer, seed, run id) replace the README's, and
``--env K=V`` replaces both. Assignments that refer to other variables (``SEED=$SEED``) cannot be
resolved outside the author's shell and are dropped, with a note.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

DEFAULT_SCRIPT = "train_gpt.py"
CONTROLLED = ("DATA_PATH", "TOKENIZER_PATH", "SEED", "RUN_ID")


class PlanError(ValueError):
    """The folder has no script the re-run could run."""


@dataclass(frozen=True)
class RunPlan:
    script: str  # path relative to the folder
    script_args: tuple[str, ...] = ()
    nproc: int = 1
    readme_env: dict[str, str] = field(default_factory=dict)
    source: str = "default"  # "README.md:12" when taken from the README
    text: str = ""  # the README command as written, or the default command
    python: str = sys.executable
    notes: tuple[str, ...] = ()

    def argv(self) -> list[str]:
        return [self.python, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={self.nproc}",
                self.script, *self.script_args]

    def env_for(self, seed: int, run_id: str, data_path: Path, tokenizer_path: Path,
                vocab_size: int | None = None, user_env: dict[str, str] | None = None) -> dict[str, str]:
        """The variables a seed's run gets on top of the scrubbed base environment."""
        env = dict(self.readme_env)
        env.update(DATA_PATH=str(data_path), TOKENIZER_PATH=str(tokenizer_path), SEED=str(seed), RUN_ID=run_id)
        if vocab_size is not None:
            env["VOCAB_SIZE"] = str(vocab_size)
        env.update(user_env or {})
        return env

    def to_dict(self) -> dict:
        return {"source": self.source, "text": self.text, "script": self.script,
                "script_args": list(self.script_args), "readme_env": dict(self.readme_env),
                "nproc": self.nproc, "argv": self.argv(), "notes": list(self.notes)}


def make_plan(ctx, nproc: int, python: str | None = None) -> RunPlan:
    """The plan for the folder of ``ctx``: from the README's launch command, else the default."""
    files = {e.rel for e in ctx.tree.entries}
    python = python or sys.executable
    readme = ctx.readme_doc
    for cmd in (readme.launches() if readme is not None else ()):
        script = _script_in(cmd, files)
        if script is not None:
            return _from_readme(cmd, script, nproc, python, readme.name)
    if DEFAULT_SCRIPT not in files:
        raise PlanError(f"{ctx.root}: no {DEFAULT_SCRIPT} and no README run command naming a script of the folder")
    note = () if readme is None or not readme.launches() else \
        ("the README's run commands name no script of the folder; ran the default command",)
    default = f"torchrun --standalone --nproc_per_node={nproc} {DEFAULT_SCRIPT}"
    return RunPlan(DEFAULT_SCRIPT, (), nproc, {}, "default", default, python, note)


def _script_in(cmd, files: set[str]) -> str | None:
    """The command's script as a path of the folder (README paths are often repo-relative)."""
    if cmd.script is None:
        return None
    path = PurePosixPath(cmd.script)
    for n in range(len(path.parts)):
        candidate = PurePosixPath(*path.parts[n:]).as_posix()
        if candidate in files:
            return candidate
    return None


def _from_readme(cmd, script: str, nproc: int, python: str, readme_name: str) -> RunPlan:
    env, notes = {}, []
    for key, text in cmd.env.items():
        if "$" in text.value or "`" in text.value:
            notes.append(f"README sets {key}={text.value}, which refers to the author's shell; not passed")
        elif key not in CONTROLLED:
            env[key] = text.value
    script_args = _after_script(cmd.args, cmd.script)
    if cmd.nproc_per_node not in (None, nproc):
        notes.append(f"the README runs {cmd.nproc_per_node} processes per node; this re-run runs {nproc}")
    return RunPlan(script, script_args, nproc, env, f"{readme_name}:{cmd.line}", cmd.text, python, tuple(notes))


def _after_script(args: tuple[str, ...], script: str) -> tuple[str, ...]:
    """The script's own arguments (everything after it on the command line)."""
    return tuple(args[args.index(script) + 1:]) if script in args else ()


def parse_env_pairs(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``--env K=V`` values as a dict; raises ValueError naming a malformed one."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise ValueError(f"--env {pair!r}: expected NAME=VALUE")
        out[key] = value
    return out


def vocab_from_tokenizer(path: str | os.PathLike) -> int | None:
    """The vocabulary size in a challenge tokenizer name (``fineweb_1024_bpe.model`` -> 1024)."""
    m = re.search(r"_(\d{2,6})_bpe\b", Path(path).name)
    return int(m[1]) if m else None
