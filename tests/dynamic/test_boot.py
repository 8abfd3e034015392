"""The boot module's shims, in-process."""

import pytest

torch = pytest.importorskip("torch")

from auditor.dynamic.instrument.boot import _shim_compile  # noqa: E402


class FakeTracer:
    def __init__(self):
        self.marks = []

    def emit(self, kind, positions, attrs, *a, **k):
        self.marks.append((kind, attrs))


def test_torch_compile_runs_eagerly_and_is_named(monkeypatch):
    monkeypatch.setattr(torch, "compile", torch.compile)  # restored after the test
    tracer = FakeTracer()
    _shim_compile(torch, tracer)
    model = torch.nn.Linear(2, 2)

    def f(x):
        return x + 1

    assert torch.compile(model, dynamic=False) is model
    assert torch.compile(mode="max-autotune")(f) is f
    assert tracer.marks == [("mark", {"name": "shim", "what": "torch.compile ran eagerly under the tracer"})]
