"""Smoke tests: every example and benchmark script runs at a tiny size."""

import json

import pytest

from .scripts import load as _load


def test_trace_random_network_example(tmp_path, capsys):
    mod = _load("examples/trace_random_network.py")
    out = tmp_path / "counts.json"
    result = mod.main(["--width", "8", "--depth", "3", "--input-dim", "2", "--samples", "50",
                       "--out", str(out)])
    assert json.loads(out.read_text())["num_pieces"] == result["num_pieces"] >= 1
    assert "pieces" in capsys.readouterr().out
    exact = mod.main(["--width", "4", "--depth", "2", "--input-dim", "2", "--exact",
                      "--samples", "20"])
    assert exact["mode"] == "exact"


def test_benchmarks_run_quick():
    for path in ("benchmarks/arc_vs_segment.py", "benchmarks/trace_vs_forward.py"):
        rows = _load(path).main(["--quick", "--repeats", "1"])
        assert rows


def test_batch_benchmark_quick_agrees():
    rows = _load("benchmarks/batch_vs_loop.py").main(["--quick", "--repeats", "1"])
    assert rows and all(r["agree"] for r in rows)


def test_exact_vs_float_benchmark_quick():
    rows = _load("benchmarks/exact_vs_float.py").main(["--quick", "--repeats", "1"])
    assert rows
    for r in rows:  # float, certified and rational counts agree on these tiny cases
        counts = {label: m["count"] for label, m in r["modes"].items()}
        assert None not in counts.values() and len(set(counts.values())) == 1, counts


def test_deep_vs_shallow_example(tmp_path, capsys):
    mod = _load("examples/deep_vs_shallow.py")
    out = tmp_path / "t.md"
    rows = mod.main(["--quick", "--out", str(out)])
    text = out.read_text()
    assert text.startswith("| n0 |") and "serra net (exact)" in text
    one_input = [r for r in rows if r["n0"] == 1]
    assert one_input and all(r["serra_net"] == (r["n"] + 1) ** r["k"] for r in one_input)
    assert all(r["folding"] == r["montufar"] for r in one_input)
    assert any(r["n0"] == 2 and r["serra_net"] is None for r in rows)
    assert "Serra upper" in capsys.readouterr().out
    csv_rows = mod.main(["--quick", "--out", str(tmp_path / "t.csv")])
    assert (tmp_path / "t.csv").read_text().startswith("n0,n,k,")
    assert csv_rows == rows


def test_partition_vs_clipping_benchmark_quick(capsys):
    rows = _load("benchmarks/partition_vs_clipping.py").main(["--quick", "--repeats", "1"])
    assert rows and all(r["baseline_regions"] == r["regions_box"] for r in rows)
    assert "regions/s" in capsys.readouterr().out


def test_partition_nd_benchmark_quick(capsys):
    """The n-D benchmark at its quick size without peers; with affinitree when it is
    installed (it is never a dependency), whose counts must agree."""
    rows = _load("benchmarks/partition_nd.py").main(["--quick", "--repeats", "1",
                                                     "--peers", "none"])
    assert len(rows) == 6 and all(r["count"] >= 1 and r["agree"] == "-" for r in rows)
    assert "regions/s" in capsys.readouterr().out
    try:
        import affinitree  # noqa: F401
    except ImportError:
        return
    rows = _load("benchmarks/partition_nd.py").main(["--quick", "--repeats", "1",
                                                     "--peers", "affinitree"])
    assert all(r["agree"] == "yes" for r in rows)


def test_partition_figure_example(tmp_path, capsys):
    """Raghu et al.'s Figure 3 at a smaller size: the PNG is written and the printed counts
    are the partition's, within Serra's bound."""
    pytest.importorskip("matplotlib")
    out = tmp_path / "p.png"
    result = _load("examples/partition_figure.py").main(["--quick", "--out", str(out)])
    assert out.stat().st_size > 1000
    assert 1 <= result["in_window"] <= result["regions"] <= result["serra"]
    assert f"{result['regions']}" in capsys.readouterr().out
