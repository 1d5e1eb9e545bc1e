"""regions.tracking: exact counts recorded during a torch training loop."""

import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from regions import Box, Plane, Segment, from_torch, partition, trace  # noqa: E402
from regions.tracking import RegionTracker, plot_counts  # noqa: E402

from .torch_models import _one_thread  # noqa: E402, F401  (autouse fixture)


def _model(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(3, 12), torch.nn.BatchNorm1d(12),
                               torch.nn.ReLU(), torch.nn.Linear(12, 8), torch.nn.Hardtanh(),
                               torch.nn.Linear(8, 1))


def test_recorded_counts_equal_trace_and_partition_of_the_model_at_those_steps():
    model = _model()
    example = torch.zeros(2, 3)
    seg = Segment([-2.0, -1.0, 0.5], [2.0, 1.5, -0.5])
    plane = Plane([0.0, 0.0, 0.0], [[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    box = Box([-1, -1, -1], [1, 1, 1])
    tracker = RegionTracker(example, trajectories={"seg": seg},
                            domains={"plane": plane, "box": box})
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    gen = torch.Generator().manual_seed(1)
    snapshots = {}
    for step in range(6):
        x = torch.randn(32, 3, generator=gen)
        loss = (model(x) - x.sum(dim=1, keepdim=True).abs()).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 2 == 0:
            tracker.record(model, step)
            snapshots[step] = copy.deepcopy(model).eval()
    assert model.training  # the tracker restored the mode
    assert [r["step"] for r in tracker.records] == [0, 0, 0, 2, 2, 2, 4, 4, 4]
    for r in tracker.records:
        g = from_torch(snapshots[r["step"]], example)
        if r["name"] == "seg":
            tr = trace(g, seg, exact=True)
            assert (r["count"], r["transitions"]) == (tr.num_pieces, tr.transitions)
        else:
            want = partition(g, plane if r["name"] == "plane" else box, exact=True)
            assert r["count"] == want.num_regions


def test_dataframe_and_plot(tmp_path):
    pytest.importorskip("pandas")
    import matplotlib

    matplotlib.use("Agg")
    model = _model(1)
    tracker = RegionTracker(torch.zeros(2, 3), trajectories={"a": Segment([-1.0] * 3, [1.0] * 3)},
                            domains={"whole": None})
    for step in (0, 10):
        tracker.record(model, step)
    df = tracker.to_dataframe()
    assert df.shape == (4, 5) and df["step"].tolist() == [0, 0, 10, 10]
    ax = tracker.plot()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["a (pieces)", "whole (regions)"]
    assert ax.get_xlabel() == "training step"
    ax.figure.savefig(tmp_path / "counts.png")


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="at least one trajectory or domain"):
        RegionTracker(torch.zeros(1, 3))
    with pytest.raises(TypeError, match="trajectories must be a mapping"):
        RegionTracker(torch.zeros(1, 3), trajectories=[Segment([0, 0, 0], [1, 1, 1])])
    with pytest.raises(ValueError, match="names must be unique"):
        RegionTracker(torch.zeros(1, 3), trajectories={"x": Segment([0, 0, 0], [1, 1, 1])},
                      domains={"x": None})
    tracker = RegionTracker(torch.zeros(1, 3), domains={"whole": None})
    with pytest.raises(TypeError, match="step must be an int"):
        tracker.record(_model(), 1.5)
    with pytest.raises(ValueError, match="no records yet"):
        plot_counts(tracker)
