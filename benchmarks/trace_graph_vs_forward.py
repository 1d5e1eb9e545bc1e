"""How close is :func:`regions.trace` through a CNN graph to the cost of a forward pass?

For a small convolutional network (conv + batch norm + ReLU, max pooling, one residual block,
a strided conv, flatten and a dense layer to 10 outputs; random He-like weights, seeded) this
prints, from one run per size:

* the time of ``trace(graph, Segment(x0, x1), exact=False)`` between two random N(0, I)
  images ``x0``, ``x1``;
* the time of the graph's own NumPy float64 forward pass (the stage program every engine
  runs, ``regions._stages.lower(graph, False).forward``, lowered once outside the timing)
  over as many points evenly spaced along the segment as the trace has pieces: the floor for
  ``trace``, which evaluates every layer at the pieces' edges. The faster of one batch and
  blocks of 256 points is used. Target: trace / forward at most 2;
* the time of PyTorch's forward pass of the same module (float64, ``torch.no_grad()``, one
  thread) over the same points, as a second baseline.

The network is a ``torch.nn.Module`` imported with :func:`regions.from_torch`, so both
baselines use the same weights. Without torch the same network is built with
:class:`regions.GraphBuilder` from the same arrays (node names = the module paths) and the
torch column is skipped.

Sizes: input 1x28x28 with 8 and with 16 channels, and a 3x32x32 input with 8 channels
(``--quick``: 1x12x12 with 4 channels, for a smoke run of a few seconds).

Timings are the best of ``--repeats`` (default 5) repeats with :func:`time.perf_counter`;
the repeats of trace and of the two forward passes are interleaved, so that a slow spell of
the (shared) machine hits them alike. BLAS and torch run single-threaded (see below).

Run ``python benchmarks/trace_graph_vs_forward.py`` (about 13 minutes on a quiet 2-vCPU
machine, twice that on a busy one; most of it the 16-channel network, whose segment has
~12,000 pieces, so each forward pass is over ~12,000 images); ``--sizes 0`` runs the first
size only, ``--quick`` a smoke run, ``--profile`` adds a cProfile of ``trace`` on every size
whose ratio exceeds 2.
"""

from __future__ import annotations

import math
import os
import sys
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _bench import (  # noqa: E402  (first: one BLAS thread)
    arguments, best_times, fmt_time, parse, print_profile, threads_line,
)

import numpy as np  # noqa: E402

from regions import GraphBuilder, Segment, from_torch, trace  # noqa: E402
from regions._stages import lower  # noqa: E402

try:
    import torch  # noqa: E402
    from torch import nn  # noqa: E402
except ImportError:  # the torch baseline is skipped
    torch = None
    nn = None

TARGET_RATIO = 2.0
FORWARD_BLOCK = 256

Size = types.SimpleNamespace
FULL = [Size(name="1x28x28 c8", in_ch=1, side=28, ch=8),
        Size(name="1x28x28 c16", in_ch=1, side=28, ch=16),
        Size(name="3x32x32 c8", in_ch=3, side=32, ch=8)]
QUICK = [Size(name="1x12x12 c4", in_ch=1, side=12, ch=4)]
MIN_TIME = {"full": 0.2, "quick": 0.01}  # a timing repeat loops a fast call this long


# -- the network: arrays, a torch module and a GraphBuilder graph ------------------------------


def make_params(size, rng):
    """Seeded arrays of the network: He-like conv / dense weights N(0, 2 / fan_in), small
    biases, batch-norm statistics and affine parameters near the identity."""
    c, c2 = size.ch, 2 * size.ch
    out_side = size.side // 4  # max pool 2, then a stride-2 conv

    def conv(cout, cin):
        return {"weight": rng.standard_normal((cout, cin, 3, 3)) * math.sqrt(2.0 / (cin * 9)),
                "bias": 0.05 * rng.standard_normal(cout)}

    def bn(ch):
        return {"weight": 1.0 + 0.1 * rng.standard_normal(ch),
                "bias": 0.1 * rng.standard_normal(ch),
                "running_mean": 0.1 * rng.standard_normal(ch),
                "running_var": rng.uniform(0.5, 1.5, ch)}

    fan = c2 * out_side * out_side
    return {"conv1": conv(c, size.in_ch), "bn1": bn(c),
            "block.conv1": conv(c, c), "block.bn1": bn(c),
            "block.conv2": conv(c, c), "block.bn2": bn(c),
            "conv2": conv(c2, c), "bn2": bn(c2),
            "fc": {"weight": rng.standard_normal((10, fan)) * math.sqrt(2.0 / fan),
                   "bias": 0.05 * rng.standard_normal(10)}}


if nn is not None:
    class Residual(nn.Module):
        """relu(bn2(conv2(relu(bn1(conv1(x))))) + x)."""

        def __init__(self, c):
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

    class SmallCNN(nn.Module):
        """conv-bn-relu, max pool 2, a residual block, strided conv-bn-relu, flatten, dense."""

        def __init__(self, in_ch, side, c):
            super().__init__()
            self.conv1 = nn.Conv2d(in_ch, c, 3, padding=1)
            self.bn1 = nn.BatchNorm2d(c)
            self.relu1 = nn.ReLU()
            self.pool = nn.MaxPool2d(2)
            self.block = Residual(c)
            self.conv2 = nn.Conv2d(c, 2 * c, 3, stride=2, padding=1)
            self.bn2 = nn.BatchNorm2d(2 * c)
            self.relu2 = nn.ReLU()
            self.flatten = nn.Flatten()
            self.fc = nn.Linear(2 * c * (side // 4) ** 2, 10)

        def forward(self, x):
            h = self.pool(self.relu1(self.bn1(self.conv1(x))))
            h = self.block(h)
            h = self.relu2(self.bn2(self.conv2(h)))
            return self.fc(self.flatten(h))


def make_module(size, params):
    """The torch module (float64, eval mode) holding ``params``."""
    model = SmallCNN(size.in_ch, size.side, size.ch).double().eval()
    state = {f"{mod}.{key}": torch.from_numpy(np.asarray(v, dtype=np.float64))
             for mod, entries in params.items() for key, v in entries.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or any(not k.endswith("num_batches_tracked") for k in missing):
        raise AssertionError(f"state dict mismatch: {missing} {unexpected}")
    return model


def build_graph(size, params):
    """The same network with GraphBuilder (node names = the torch module paths)."""
    b = GraphBuilder((size.in_ch, size.side, size.side))

    def conv(x, name, **kw):
        return b.conv(x, params[name]["weight"], params[name]["bias"], padding=1, name=name,
                      **kw)

    def bn(x, name):
        p = params[name]
        return b.batch_norm(x, p["running_mean"], p["running_var"], p["weight"], p["bias"],
                            name=name)

    h = b.activation(bn(conv(b.input, "conv1"), "bn1"), "relu", name="relu1")
    skip = b.max_pool(h, 2, name="pool")
    h = b.activation(bn(conv(skip, "block.conv1"), "block.bn1"), "relu", name="block.relu1")
    h = b.add(bn(conv(h, "block.conv2"), "block.bn2"), skip, name="block.add")
    h = b.activation(h, "relu", name="block.relu2")
    h = b.activation(bn(conv(h, "conv2", stride=2), "bn2"), "relu", name="relu2")
    h = b.flatten(h, name="flatten")
    return b.build(b.dense(h, params["fc"]["weight"], params["fc"]["bias"], name="fc"))


def make_graph(size, params, model):
    """(graph, how it was made): the module through from_torch, or without torch the same
    arrays through GraphBuilder."""
    if model is not None:
        example = torch.zeros(1, size.in_ch, size.side, size.side, dtype=torch.float64)
        return from_torch(model, example), "regions.from_torch"
    return build_graph(size, params), "GraphBuilder (torch not installed)"


# -- the baselines -----------------------------------------------------------------------------


def segment_points(x0, x1, n):
    return x0 + np.linspace(0.0, 1.0, n)[:, None] * (x1 - x0)


def numpy_forward(lowered, x0, x1, n, block=None):
    """The graph's stage program over ``n`` points of the segment, in one batch or in blocks
    of ``block`` points; returns the output rows."""
    if block is None or n <= block:
        return lowered.forward(segment_points(x0, x1, n))[-1][1]
    t = np.linspace(0.0, 1.0, n)
    d = x1 - x0
    out = None
    for s in range(0, n, block):
        z = lowered.forward(x0 + t[s:s + block, None] * d)[-1][1]
        if out is None:
            out = np.empty((n, z.shape[1]))
        out[s:s + block] = z
    return out


def torch_forward(model, shape, x0, x1, n):
    with torch.no_grad():
        x = torch.from_numpy(segment_points(x0, x1, n)).view(n, *shape)
        return model(x).numpy()


# -- timing ------------------------------------------------------------------------------------


def rel_diff(a, b):
    return float(np.abs(a - b).max() / max(1e-300, float(np.abs(b).max())))


# -- the benchmark -----------------------------------------------------------------------------


def main(argv=None):
    """Run the benchmark, print the table; returns one dict of numbers per size."""
    parser = arguments(__doc__, 20240612, 5, "seed of the weights and the segment",
                       "one tiny network, for a smoke run of a few seconds")
    parser.add_argument("--sizes", type=int, nargs="+", default=None,
                        help="indices of the sizes to run (default: all)")
    parser.add_argument("--profile", action="store_true",
                        help="print a cProfile of trace for every size with ratio > 2")
    args = parse(parser, argv)
    sizes = QUICK if args.quick else FULL
    if args.sizes is not None:
        if any(not 0 <= k < len(sizes) for k in args.sizes):
            parser.error(f"--sizes must be indices below {len(sizes)}")
        sizes = [sizes[k] for k in args.sizes]
    min_time = MIN_TIME["quick" if args.quick else "full"]
    if torch is not None:
        torch.set_num_threads(1)
    run_start = time.perf_counter()

    print("trace through a CNN graph vs forward passes" + (" (--quick)" if args.quick else ""))
    print(f"  cpus: {os.cpu_count()}, numpy {np.__version__}, torch "
          f"{torch.__version__ if torch is not None else 'not installed (baseline skipped)'}, "
          f"python {sys.version.split()[0]}")
    print(f"  threads: {threads_line()}"
          + (f", torch {torch.get_num_threads()}" if torch is not None else ""))
    print(f"  seed {args.seed}, best of {args.repeats} interleaved repeats (time.perf_counter)")
    print("  network: conv3x3-bn-relu, maxpool 2, residual block (conv-bn-relu-conv-bn + skip, "
          "relu), conv3x3/2-bn-relu, flatten, dense to 10; He-like random weights")
    print("  segment between two N(0, I) images; trace in float mode (exact=False)")
    print(f"  numpy fwd = the graph's stage program (lowered once) over num_pieces points of "
          f"the segment, faster of one batch / blocks of {FORWARD_BLOCK}; torch fwd = the "
          f"module, float64, no_grad, same points; target trace/numpy <= {TARGET_RATIO:g}")
    print(flush=True)

    seeds = np.random.SeedSequence(args.seed).spawn(len(sizes))
    rows, results, slow = [], [], []
    for size, seed in zip(sizes, seeds):
        rng = np.random.default_rng(seed)
        params = make_params(size, rng)
        model = make_module(size, params) if torch is not None else None
        graph, how = make_graph(size, params, model)
        shape = (size.in_ch, size.side, size.side)
        dim = math.prod(shape)
        x0, x1 = rng.standard_normal(dim), rng.standard_normal(dim)
        seg = Segment(x0, x1)
        lowered = lower(graph, False)

        check = segment_points(x0, x1, 5)
        ref = lowered.forward(check)[-1][1]
        diffs = [f"graph() {rel_diff(graph(check), ref):.1e}"]
        if model is not None:
            diffs.append(f"torch {rel_diff(torch_forward(model, shape, x0, x1, 5), ref):.1e}")
            if how == "regions.from_torch":  # and the hand-built graph of the same arrays
                built = build_graph(size, params)
                diffs.append(f"GraphBuilder {rel_diff(built(check), ref):.1e}")

        tr = trace(graph, seg, exact=False)
        n = tr.num_pieces
        fns = [lambda: trace(graph, seg, exact=False),
               lambda: numpy_forward(lowered, x0, x1, n)]
        if n > FORWARD_BLOCK:
            fns.append(lambda: numpy_forward(lowered, x0, x1, n, FORWARD_BLOCK))
        if model is not None:
            fns.append(lambda: torch_forward(model, shape, x0, x1, n))
        times = best_times(fns, args.repeats, min_time)
        t_trace, t_batch = times[0], times[1]
        t_block = times[2] if n > FORWARD_BLOCK else None
        t_np = t_batch if t_block is None else min(t_batch, t_block)
        t_torch = times[-1] if model is not None else None
        r_np = t_trace / t_np
        r_torch = None if t_torch is None else t_trace / t_torch
        if r_np > TARGET_RATIO:
            slow.append((size, graph, seg))
        rows.append((size.name, f"{graph.input_size:,}", f"{n:,}", fmt_time(t_trace),
                     fmt_time(t_np), "-" if t_torch is None else fmt_time(t_torch),
                     f"{r_np:.2f}", "-" if r_torch is None else f"{r_torch:.2f}"))
        per_layer = ", ".join(f"{name} {int(v):,}" for name, v in
                              zip(tr.layer_names, tr.transitions_per_layer))
        results.append({"size": size.name, "graph": how, "pieces": n, "trace_s": t_trace,
                        "numpy_s": t_np, "numpy_batch_s": t_batch, "numpy_blocks_s": t_block,
                        "torch_s": t_torch, "ratio_numpy": r_np, "ratio_torch": r_torch,
                        "transitions": per_layer, "check": ", ".join(diffs)})
        print(f"  done: {size.name} ({how}; {time.perf_counter() - run_start:.0f} s so far)",
              flush=True)

    header = ("network", "inputs", "pieces", "trace", "numpy fwd", "torch fwd",
              "trace/numpy", "trace/torch")
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print()
    for r in results:
        torch_part = ("torch baseline skipped" if r["ratio_torch"] is None else
                      f"{r['ratio_torch']:.2f}x torch forward ({fmt_time(r['torch_s'])})")
        verdict = "met" if r["ratio_numpy"] <= TARGET_RATIO else "NOT met"
        print(f"{r['size']}: {r['pieces']:,} pieces, trace {fmt_time(r['trace_s'])} = "
              f"{r['ratio_numpy']:.2f}x numpy forward ({fmt_time(r['numpy_s'])}; target <= "
              f"{TARGET_RATIO:g} {verdict}), {torch_part}")
    print()
    print("details:")
    for r in results:
        blocks = "-" if r["numpy_blocks_s"] is None else fmt_time(r["numpy_blocks_s"])
        print(f"  {r['size']}: graph by {r['graph']}; numpy batch / blocks "
              f"{fmt_time(r['numpy_batch_s'])} / {blocks}; max rel. diff of outputs vs the "
              f"stage program: {r['check']}")
        print(f"    transitions per layer: {r['transitions']}")
    print(f"total run time {time.perf_counter() - run_start:.1f} s")

    if args.profile:
        for size, graph, seg in slow:
            print_profile(f"cProfile of trace on {size.name} (ratio > {TARGET_RATIO:g}):",
                          lambda: trace(graph, seg, exact=False), 3)
    return results


if __name__ == "__main__":
    main()
