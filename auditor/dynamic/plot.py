"""Draw a ledger: validation position against event order, reads, scores and adapts; the first
violation marked. Needs matplotlib (the ``plot`` extra)."""

from __future__ import annotations

from pathlib import Path


class PlotUnavailable(RuntimeError):
    pass


def require_matplotlib() -> None:
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:
        raise PlotUnavailable("--plot needs matplotlib: pip install 'golf-audit[plot]'")


def plot_ledger(ledger, path: Path, *, violations=(), title: str = "") -> Path:
    require_matplotlib()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 6), dpi=110)
    style = {"read": ("#9aa5b1", 2), "score": ("#1f77b4", 3), "adapt": ("#d62728", 3)}
    for i, e in enumerate(ledger.events):
        if e.kind in style and e.positions.size:
            color, size = style[e.kind]
            pos = e.positions if e.positions.size <= 2048 else e.positions[:: e.positions.size // 2048]
            ax.scatter([i] * pos.size, pos, s=size, c=color, marker="s", linewidths=0)
    for kind, (color, _) in style.items():
        ax.scatter([], [], c=color, marker="s", label=kind)
    left = ax.get_xlim()[0]
    for v in violations:
        ax.axhline(v.position, color="black", lw=0.8, ls="--")
        ax.annotate(f"{v.condition} at position {v.position}", (left, v.position), xytext=(4, 4),
                    textcoords="offset points", fontsize=9)
    ax.set_xlabel("event order")
    ax.set_ylabel("validation position")
    ax.set_title(title or "token ledger")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return Path(path)
