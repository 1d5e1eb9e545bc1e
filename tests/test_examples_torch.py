"""Smoke tests of the PyTorch example and benchmark: they run at their --quick sizes."""

import os
import subprocess
import sys

import pytest

from .scripts import ROOT
from .scripts import load as _load


def test_trained_torch_model_example(tmp_path):
    """Trains the digits CNN, imports it, traces and partitions; the PNG is written. Run in
    a subprocess: it selects matplotlib's Agg backend and torch's thread count."""
    pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    out = tmp_path / "trained.png"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "trained_torch_model.py"), "--quick", "--out",
         str(out)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert out.exists() and out.stat().st_size > 1000
    text = proc.stdout
    assert "test accuracy" in text and "max relative difference" in text
    assert "exact transitions per layer: relu1" in text
    assert "figure saved to" in text


def test_trace_graph_benchmark_quick():
    """The CNN benchmark at its smoke size: one row with positive timings and a graph that
    matches the hand-built one."""
    rows = _load("benchmarks/trace_graph_vs_forward.py").main(["--quick", "--repeats", "1"])
    assert len(rows) == 1
    row = rows[0]
    assert row["pieces"] > 1 and row["trace_s"] > 0 and row["numpy_s"] > 0
    if row["torch_s"] is not None:
        assert row["ratio_torch"] > 0
