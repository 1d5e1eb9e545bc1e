"""Exact linear regions of a CNN trained with PyTorch, imported with ``regions.from_torch``.

The script trains a small convolutional network on the 8x8 handwritten digits bundled with
scikit-learn (``sklearn.datasets.load_digits``, 1797 images, 1 channel, pixels scaled to
[0, 1]; 1297 for training, 500 for testing): conv3x3-batchnorm-ReLU (8 channels), a residual
block (conv-bn-ReLU-conv-bn plus the skip, then ReLU), 2x2 max pooling, conv3x3-bn-ReLU (16
channels), flatten and a dense layer to the 10 classes. It is trained in float32 with Adam
(12 epochs, seeded, one thread: a few seconds), then

1. reports the test accuracy;
2. imports the trained model with ``regions.from_torch(model.double().eval(), example)``
   (a float64 copy of the float32 weights, so the graph holds exactly the trained values)
   and prints the largest relative difference between the graph's forward pass and torch's
   on the test images (round-off only, ~1e-15);
3. traces segments between pairs of test images of different digits: the whole segment in
   float mode (``exact=False``), and a stretch of it around its middle holding about ten
   knots both exactly (``exact=True``, rational arithmetic) and in float mode, printing the
   number of linear pieces and the neuron transitions of each piecewise-linear layer, named
   by module path (``relu1``, ``block.relu1``, ``block.relu2``, ``pool``, ``relu2``, and the
   output ``fc``). The exact trace covers a stretch only because exact arithmetic through the
   convolutions costs about 0.3 s per piece (Fractions, entry by entry), and a whole segment
   has ~1000 pieces;
4. partitions the plane through three test images a, b, c of different digits
   (``regions.Plane.through(a, b, c, polygon=...)``: a, b and c sit at plane coordinates
   (0, 0), (1, 0) and (0, 1)) into the activation regions of the same model (max pooling
   included), in float mode, in the window [-r, r]^2 around a (``--radius``, default 0.05;
   b and c lie outside it, arrows point to them). The whole triangle's window
   [-0.25, 1.25]^2 holds hundreds of thousands of regions (over a minute in float mode, far
   too many to draw), hence the zoom. An exact partition of the largest window around a
   (halving the radius) that holds at most 400 regions (5 with ``--quick``) checks the float
   count there and measures the exact rate (about 15 regions a second for this network:
   Fraction arithmetic through the later convolutions; the plane's lift through the first
   convolution is one exact 2-column map); the whole window is partitioned exactly too only
   when that rate says it takes under 20 s, and the output says which mode the figure
   shows. The
   figure (``regions.plot.plot_partition``: boundaries coloured by the layer that creates
   them, the legend naming the layers by module path) is saved to ``--out``.

Run::

    python examples/trained_torch_model.py                 # ~30 s on 2 cores
    python examples/trained_torch_model.py --quick         # fewer epochs, one pair, < 20 s
    python examples/trained_torch_model.py --out fig.png --seed 1 --radius 0.1

Requires torch, scikit-learn and matplotlib.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time

import numpy as np

if importlib.util.find_spec("regions") is None:  # a checkout, not installed: use its package
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402
from torch import nn  # noqa: E402

from regions import Plane, Segment, from_torch, partition, trace  # noqa: E402

EXACT_BUDGET = 20.0  # seconds: an exact partition of the whole window is run below this


# -- the model ---------------------------------------------------------------------------------


class Residual(nn.Module):
    """relu2(bn2(conv2(relu1(bn1(conv1(x))))) + x)."""

    def __init__(self, c: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(c)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(c)
        self.relu2 = nn.ReLU()

    def forward(self, x):
        h = self.relu1(self.bn1(self.conv1(x)))
        return self.relu2(self.bn2(self.conv2(h)) + x)


class DigitsCNN(nn.Module):
    """8x8 digits -> 10 logits: conv-bn-relu, residual block, 2x2 pooling, conv-bn-relu,
    flatten, dense."""

    def __init__(self, channels: int = 8) -> None:
        super().__init__()
        c = channels
        self.conv1 = nn.Conv2d(1, c, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(c)
        self.relu1 = nn.ReLU()
        self.block = Residual(c)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(c, 2 * c, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(2 * c)
        self.relu2 = nn.ReLU()
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(2 * c * 4 * 4, 10)

    def forward(self, x):
        h = self.relu1(self.bn1(self.conv1(x)))
        h = self.pool(self.block(h))
        h = self.relu2(self.bn2(self.conv2(h)))
        return self.fc(self.flatten(h))


# -- data and training -------------------------------------------------------------------------


def load_data(seed: int, n_test: int = 500):
    """The digits as (N, 1, 8, 8) float32 arrays in [0, 1], split at random into train and
    test sets."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


def train(data, epochs: int, seed: int) -> tuple[nn.Module, float, float]:
    """Train a float32 DigitsCNN with Adam; returns (model in eval mode, test accuracy,
    seconds)."""
    x_tr, y_tr, x_te, y_te = data
    torch.manual_seed(seed)
    model = DigitsCNN()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    xt, yt = torch.from_numpy(x_tr), torch.from_numpy(y_tr)
    gen = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for idx in torch.randperm(len(yt), generator=gen).split(32):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        acc = float((model(torch.from_numpy(x_te)).argmax(1).numpy() == y_te).mean())
    return model, acc, time.perf_counter() - start


def import_model(model: nn.Module, x_te: np.ndarray):
    """``from_torch`` on a float64 copy; returns (graph, float64 module, max rel. diff of
    the graph's forward pass against torch's on the test images)."""
    model64 = model.double().eval()
    graph = from_torch(model64, torch.zeros(1, 1, 8, 8, dtype=torch.float64))
    x = x_te.astype(np.float64)
    with torch.no_grad():
        ref = model64(torch.from_numpy(x)).numpy()
    got = graph(x.reshape(len(x), -1))
    diff = float(np.abs(got - ref).max() / np.abs(ref).max())
    return graph, model64, diff


# -- regions -------------------------------------------------------------------------------------


def per_layer(tr) -> str:
    return ", ".join(f"{name} {int(v)}" for name, v in
                     zip(tr.layer_names, tr.transitions_per_layer))


def middle_stretch(knots: np.ndarray, count: int) -> tuple[float, float]:
    """Parameters (s, e) of a stretch of the segment holding ``count`` consecutive knots
    around its middle, its ends half-way between knots (so no knot sits on an end)."""
    n = knots.shape[0]
    if n <= count:
        return 0.0, 1.0
    first = max(0, int(np.searchsorted(knots, 0.5)) - count // 2)
    first = min(first, n - count)
    last = first + count - 1
    s = 0.0 if first == 0 else (knots[first - 1] + knots[first]) / 2
    e = 1.0 if last == n - 1 else (knots[last] + knots[last + 1]) / 2
    return float(s), float(e)


def trace_pairs(graph, x_te, y_te, pairs, knots_exact: int):
    rows = []
    for i, j in pairs:
        a, b = (x_te[k].reshape(-1).astype(np.float64) for k in (i, j))
        start = time.perf_counter()
        whole = trace(graph, Segment(a, b), exact=False)
        t_whole = time.perf_counter() - start
        print(f"  test images {i} (digit {y_te[i]}) -> {j} (digit {y_te[j]}), "
              f"|b - a| = {np.linalg.norm(b - a):.2f}: float {whole.num_pieces} pieces "
              f"({t_whole:.2f} s)")
        print(f"    float transitions per layer: {per_layer(whole)}")
        s, e = middle_stretch(np.asarray(whole.knots, dtype=np.float64), knots_exact)
        sub = Segment(a + s * (b - a), a + e * (b - a))
        start = time.perf_counter()
        ex = trace(graph, sub, exact=True)
        t_exact = time.perf_counter() - start
        fl = trace(graph, sub, exact=False)
        agree = ("float agrees" if ex.num_pieces == fl.num_pieces and
                 list(map(int, ex.transitions_per_layer)) ==
                 list(map(int, fl.transitions_per_layer)) else
                 f"float: {fl.num_pieces} pieces, {per_layer(fl)}")
        print(f"    stretch t in [{s:.4f}, {e:.4f}]: exact {ex.num_pieces} pieces "
              f"({t_exact:.1f} s; {agree})")
        print(f"    exact transitions per layer: {per_layer(ex)}")
        rows.append({"i": i, "j": j, "float_pieces": whole.num_pieces, "stretch": (s, e),
                     "exact_pieces": ex.num_pieces, "stretch_float_pieces": fl.num_pieces,
                     "exact_transitions": dict(zip(ex.layer_names,
                                                   map(int, ex.transitions_per_layer)))})
    return rows


def square(r: float) -> list[list[float]]:
    return [[-r, -r], [r, -r], [r, r], [-r, r]]


def plane_partition(graph, a, b, c, radius: float, exact_target: int):
    """Float partition of the window [-radius, radius]^2 around ``a``; an exact one of the
    largest window radius / 2^k whose float partition has at most ``exact_target`` regions
    (and of the whole window if the rate measured there allows it within EXACT_BUDGET).
    Returns (partition to draw, its mode, numbers)."""
    start = time.perf_counter()
    part = partition(graph, Plane.through(a, b, c, polygon=square(radius)), exact=False)
    t_float = time.perf_counter() - start
    print(f"  float, window [-{radius:g}, {radius:g}]^2: {part.num_regions} regions "
          f"({part.num_linear_regions} linear regions) in {t_float:.2f} s")
    small, fl = radius, part
    while fl.num_regions > exact_target:
        small /= 2
        fl = partition(graph, Plane.through(a, b, c, polygon=square(small)), exact=False)
    start = time.perf_counter()
    ex = partition(graph, Plane.through(a, b, c, polygon=square(small)), exact=True)
    t_exact = time.perf_counter() - start
    rate = ex.num_regions / max(t_exact, 1e-9)
    agree = "float agrees" if fl.num_regions == ex.num_regions else (
        f"float: {fl.num_regions}")
    print(f"  exact, window [-{small:.3g}, {small:.3g}]^2: {ex.num_regions} regions in "
          f"{t_exact:.1f} s ({rate:.1f} regions/s; {agree})")
    info = {"float_regions": part.num_regions, "exact_small_regions": ex.num_regions,
            "float_small_regions": fl.num_regions, "exact_window": small}
    if small == radius:
        print("  the figure shows the exact partition")
        return ex, "exact", info
    estimate = part.num_regions / rate
    if estimate > EXACT_BUDGET:
        print(f"  exact, whole window: skipped (about {estimate:.0f} s at that rate, over the "
              f"{EXACT_BUDGET:g} s budget); the figure shows the float partition")
        return part, "float", info
    start = time.perf_counter()
    exact = partition(graph, Plane.through(a, b, c, polygon=square(radius)), exact=True)
    print(f"  exact, whole window: {exact.num_regions} regions in "
          f"{time.perf_counter() - start:.1f} s; the figure shows the exact partition")
    info["exact_regions"] = exact.num_regions
    return exact, "exact", info


def save_figure(path, part, images, labels, predicted, radius, title):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from regions.plot import plot_partition

    fig = plt.figure(figsize=(9.5, 6.8))
    grid = fig.add_gridspec(3, 2, width_ratios=[4, 1])
    ax = fig.add_subplot(grid[:, 0])
    plot_partition(part, ax, linewidth=0.6)  # the legend names the layers by module path
    ax.plot(0.0, 0.0, "o", ms=7, mfc="white", mec="black", zorder=5)
    ax.annotate(f"a (digit {labels[0]})", (0.0, 0.0), xytext=(6, 6), textcoords="offset points",
                fontsize=9, zorder=5,
                bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="0.5", alpha=0.85))
    for k, (dx, dy) in ((1, (1, 0)), (2, (0, 1))):  # b and c lie outside: arrows to them
        tip = (0.8 * radius * dx, 0.8 * radius * dy)
        ax.annotate("", tip, (0.55 * radius * dx, 0.55 * radius * dy),
                    arrowprops=dict(arrowstyle="->", lw=1.2), zorder=5)
        ax.annotate(f"to {'abc'[k]} (digit {labels[k]})", tip, xytext=(-60 * dy + 4, 6),
                    textcoords="offset points", fontsize=8, zorder=5,
                    bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="0.5", alpha=0.85))
    ax.set_xlabel("plane coordinate 1 (b at 1)")
    ax.set_ylabel("plane coordinate 2 (c at 1)")
    ax.set_title(title, fontsize=9)
    for k, (img, lab, pred) in enumerate(zip(images, labels, predicted)):
        sub = fig.add_subplot(grid[k, 1])
        sub.imshow(img.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        sub.set_title(f"{'abc'[k]}: digit {lab} (predicted {pred})", fontsize=8)
        sub.set_xticks([])
        sub.set_yticks([])
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


# -- main ------------------------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer epochs, one pair, a smaller window (under 20 s)")
    parser.add_argument("--out", default="trained_torch_model.png",
                        help="where to save the figure (default %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed (default %(default)s)")
    parser.add_argument("--radius", type=float, default=None,
                        help="half-width of the plane window around image a, in plane "
                             "coordinates (default 0.05; 0.03 with --quick)")
    args = parser.parse_args(argv)
    epochs, n_pairs, knots_exact, exact_target = (4, 1, 4, 5) if args.quick else (
        12, 3, 10, 400)
    radius = args.radius if args.radius is not None else (0.03 if args.quick else 0.05)
    if not radius > 0:
        parser.error("--radius must be positive")
    torch.set_num_threads(1)  # tiny batches: one thread is fastest, and robust on a busy box
    run_start = time.perf_counter()

    data = load_data(args.seed)
    x_tr, y_tr, x_te, y_te = data
    print(f"digits: {len(y_tr)} training and {len(y_te)} test images, 1x8x8, pixels in [0, 1]")
    model, acc, secs = train(data, epochs, args.seed)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"trained DigitsCNN (max pooling, {n_params:,} parameters) in float32 for {epochs} "
          f"epochs ({secs:.1f} s): test accuracy {acc:.1%}")

    graph, model64, diff = import_model(model, x_te)
    print(f"imported with regions.from_torch: {graph}")
    print(f"  piecewise-linear layers: {', '.join(graph.piecewise_linear_nodes)}")
    print(f"  max relative difference graph vs torch (float64) on the {len(y_te)} test images: "
          f"{diff:.1e}")

    rng = np.random.default_rng(args.seed)
    pairs = []
    while len(pairs) < n_pairs:
        i, j = (int(v) for v in rng.choice(len(y_te), 2, replace=False))
        if y_te[i] != y_te[j]:
            pairs.append((i, j))
    print()
    print(f"segments a -> b between {n_pairs} pair(s) of test images: the whole segment in "
          f"float mode, and a stretch around its middle with about {knots_exact} knots exactly "
          "(exact=True) and in float mode")
    traced = trace_pairs(graph, x_te, y_te, pairs, knots_exact)

    # the plane through three test images of different digits
    picks, seen = [], set()
    for k in rng.permutation(len(y_te)):
        if y_te[k] not in seen:
            picks.append(int(k))
            seen.add(y_te[k])
        if len(picks) == 3:
            break
    a, b, c = (x_te[k].reshape(-1).astype(np.float64) for k in picks)
    print()
    print(f"plane through test images a, b, c = {picks} (digits "
          f"{[int(y_te[k]) for k in picks]}) at plane coordinates (0,0), (1,0), (0,1); window "
          f"[-{radius:g}, {radius:g}]^2 around a (the whole triangle has far too many regions)")
    part, mode, info = plane_partition(graph, a, b, c, radius, exact_target)
    with torch.no_grad():
        pred = model64(torch.from_numpy(np.stack([a, b, c]).reshape(3, 1, 8, 8))).argmax(1)
    predicted = [int(v) for v in pred]
    print("  boundary edges by layer: " + ", ".join(
        f"{name} {int(np.count_nonzero(part.edge_layers == d))}"
        for d, name in enumerate(part.layer_names)))
    title = (f"{part.num_regions} regions ({mode} mode) of the trained CNN in the plane through "
             f"test images a, b, c,\nwindow [-{radius:g}, {radius:g}]$^2$ around a")
    save_figure(args.out, part, [a, b, c], [int(y_te[k]) for k in picks],
                predicted, radius, title)
    print(f"figure saved to {args.out}")
    print(f"total {time.perf_counter() - run_start:.1f} s")
    return {"accuracy": acc, "max_rel_diff": diff, "pairs": traced, "plane_mode": mode,
            "plane_regions": part.num_regions, **info}


if __name__ == "__main__":
    main()
