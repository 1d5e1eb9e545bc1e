"""How fast is the n-D ``regions.partition`` against affinitree and relucent, on the same weights?

For each case below this prints, from one run: the number of activation regions each tool
finds (and whether they agree), the time of ``regions.partition(net, domain, exact=False)``
(float mode) and its regions per second, and the time of each peer that is installed, with
our speed-up over it. Networks are He-initialised ReLU nets from
:func:`regions.random_network` (W ~ N(0, 2 / fan_in), b ~ N(0, 0.5^2): a small bias keeps the
first layer's hyperplanes off a common point, so the arrangements are generic; with zero
biases every region would be a cone through the origin), one linear output, with n0 = 3, 4
and 6 inputs; each is partitioned in the box [-1, 1]^n0 and in the whole space R^n0.

The peers (never dependencies of the project; ``pip install affinitree relucent``):

* **affinitree** (Rust with Python bindings): ``affinitree.builder.from_layers(arch,
  precondition)`` distils the network, given as an ``Architecture`` of ``linear`` (its
  ``AffFunc.from_mats(W, b)``) and ``relu`` layers, into an affine decision tree whose
  infeasible paths are pruned as it is built; every terminal (leaf) is one activation
  region, so the count is ``tree.num_terminals()``. Whole space: ``precondition=None``. Box:
  ``precondition = AffTree.from_poly(Polytope.hyperrectangle(n0, [(-1, 1)] * n0),
  AffFunc.identity(n0), None)``, which restricts the tree to the box (leaves are the
  regions meeting the box). Its progress lines are sent to /dev/null.
* **relucent** (LP search with Gurobi/SciPy): ``relucent.Complex(model)`` on the same
  weights as a float64 ``torch.nn.Sequential`` of ``Linear`` and ``ReLU``, then
  ``Complex.bfs(start=x0, nworkers=1, verbose=0)`` (breadth-first search over facets from the
  region of a random point x0 in [-1/2, 1/2]^n0, certified at the end); the count is
  ``len(complex)``. Whole space: no cube. Box: ``cube_radius=1, cube_mode="intersect"``
  (only the cells meeting the cube [-1, 1]^n0 are explored, i.e. the regions of the box).
  ``nworkers=1``: one worker process, as our engine uses one core. It refuses arrangements
  it cannot certify in float64 (reported as the error's name).

Timing: ``regions.partition`` is run once untimed, then ``--repeats`` times; affinitree's
runs are interleaved with ours (ours, affinitree, ours, affinitree, ...) so that a slow
spell of the shared machine hits both alike; each time is the best of its repeats. A peer
runs in a child process (its own process group) stopped after ``--budget`` seconds, and is
then reported as ``> budget`` (a lower bound on its time; our speed-up is then a lower
bound too) and not run on the larger cases of the same n0 and domain; a peer call that
takes longer than 5 s is not repeated. relucent runs once per case (it is far slower).
BLAS is single-threaded (see ``_bench.py``). "agree" is yes when every count obtained
equals ours.

    python benchmarks/partition_nd.py [--quick] [--repeats 3] [--seed 1] [--budget 120]
                                      [--peers affinitree,relucent | none]

The full run takes about 15-25 minutes on a 2-vCPU VM with both peers installed (most of
it the peers' budgets); ``--quick`` runs three small nets ([3, 6, 6, 1], [4, 5, 5, 1],
[6, 4, 4, 1]), relucent only where there are at most 100 regions (its start-up alone takes
seconds), in about half a minute.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import sys
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _bench import (  # noqa: E402  (first: one BLAS thread)
    arguments, best_times, fmt_time, parse, threads_line,
)

import numpy as np  # noqa: E402

from regions import Box, partition, random_network  # noqa: E402

Config = types.SimpleNamespace

# (n0, hidden widths); each case runs in the box and in the whole space, in this order
# (sizes grow within an n0, so a peer over budget skips the rest of that n0 and domain).
FULL = Config(cases=[
    (3, [8, 8]), (3, [16, 16]), (3, [32, 32]), (3, [32, 32, 32]),
    (4, [8, 8]), (4, [16, 16]), (4, [16, 16, 16]),
    (6, [6, 6]), (6, [10, 10]), (6, [12, 12]),
], relucent_max_regions=3000)
QUICK = Config(cases=[(3, [6, 6]), (4, [5, 5]), (6, [4, 4])], relucent_max_regions=100)

SIGMA_W, SIGMA_B, RADIUS = 2.0 ** 0.5, 0.5, 1.0
REPEAT_LIMIT = 5.0  # seconds: a slower peer call is not repeated


def _has(module: str) -> bool:
    try:
        __import__(module)
    except Exception:  # an import that fails in any way means "not usable here"
        return False
    return True


# -- the peers -------------------------------------------------------------------------------


@contextlib.contextmanager
def _quiet_stdout():
    """Silence file descriptor 1 (affinitree's Rust code prints progress there)."""
    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def _affinitree_count(net, box: bool) -> int:
    from affinitree import AffFunc, AffTree, Architecture, Polytope, builder

    n0 = net.widths[0]
    arch = Architecture(n0)
    for i, (w, b) in enumerate(zip(net.weights, net.biases)):
        arch.linear(AffFunc.from_mats(np.asarray(w, dtype=np.float64),
                                      np.asarray(b, dtype=np.float64)))
        if i < len(net.weights) - 1:
            arch.relu()
    pre = None
    if box:
        pre = AffTree.from_poly(Polytope.hyperrectangle(n0, [(-RADIUS, RADIUS)] * n0),
                                AffFunc.identity(n0), None)
    with _quiet_stdout():
        tree = builder.from_layers(arch, pre, None)
    return int(tree.num_terminals())


def _relucent_count(net, box: bool, seed: int) -> int:
    import relucent
    import torch
    from torch import nn

    layers = []
    for i, (w, b) in enumerate(zip(net.weights, net.biases)):
        lin = nn.Linear(w.shape[1], w.shape[0]).double()
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(np.asarray(w, dtype=np.float64)))
            lin.bias.copy_(torch.tensor(np.asarray(b, dtype=np.float64)))
        layers.append(lin)
        if i < len(net.weights) - 1:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    start = np.random.default_rng(seed).uniform(-0.5, 0.5, net.widths[0])
    cx = relucent.Complex(model)
    kwargs = {"cube_radius": RADIUS, "cube_mode": "intersect"} if box else {}
    cx.bfs(start=start, nworkers=1, verbose=0, **kwargs)
    return len(cx)


def _child(conn, fn, args):
    os.setpgrp()  # its own process group: stopping it stops the workers it starts too
    try:
        start = time.perf_counter()
        count = fn(*args)
        conn.send(("ok", count, time.perf_counter() - start))
    except Exception as why:  # reported, not raised: a peer may refuse a network
        conn.send(("error", type(why).__name__, None))
    finally:
        conn.close()


def _in_child(fn, args, budget: float):
    """(status, count or error name, seconds) of fn(*args) in a child process: status "ok",
    "error" or "budget" (stopped after ``budget`` seconds)."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args))
    proc.start()
    child.close()
    if parent.poll(budget):
        result = parent.recv()
        proc.join()
    else:
        result = ("budget", None, None)
    if proc.is_alive() or result[0] == "budget":
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.join()
    parent.close()
    return result


# -- one case --------------------------------------------------------------------------------


def _ours(net, box: bool):
    n0 = net.widths[0]
    domain = Box([-RADIUS] * n0, [RADIUS] * n0) if box else None
    return lambda: partition(net, domain, exact=False)


def run_case(n0, hidden, box, args, config, state, have):
    net = random_network([n0] + hidden + [1], "relu", sigma_w=SIGMA_W, sigma_b=SIGMA_B,
                         seed=args.seed)
    ours = _ours(net, box)
    count = ours().num_regions
    key = (n0, box)
    row = {"n0": n0, "widths": [n0] + hidden + [1], "domain": "box" if box else "R^n0",
           "count": count}
    ours_best = best_times([ours], 1, 0.2)[0]
    aff_best = None
    if have["affinitree"] is not True:
        row["aff"] = have["affinitree"]
    elif key in state["aff_over"]:
        row["aff"] = "skipped"
    else:
        first = _in_child(_affinitree_count, (net, box), args.budget)
        row["aff_status"], row["aff_count"] = first[0], first[1]
        if first[0] == "ok":
            aff_best = first[2]
        elif first[0] == "budget":
            state["aff_over"].add(key)
    for _ in range(args.repeats - 1):  # interleaved: ours, affinitree, ours, ...
        ours_best = min(ours_best, best_times([ours], 1, 0.2)[0])
        if aff_best is not None and aff_best < REPEAT_LIMIT:
            again = _in_child(_affinitree_count, (net, box), args.budget)
            if again[0] == "ok":
                aff_best = min(aff_best, again[2])
    row["ours"] = ours_best
    row["aff_time"] = aff_best
    if have["relucent"] is not True:
        row["rel"] = have["relucent"]
    elif key in state["rel_over"] or count > config.relucent_max_regions:
        row["rel"] = "skipped"
    else:
        res = _in_child(_relucent_count, (net, box, args.seed), args.budget)
        row["rel_status"], row["rel_count"], row["rel_time"] = res
        if res[0] == "budget":
            state["rel_over"].add(key)
    return row


def _peer_cells(row, name, budget):
    """(count, time, speed-up) cells of one peer."""
    tag = {"aff": "aff", "rel": "rel"}[name]
    if tag in row:  # absent or skipped
        return row[tag], "-", "-"
    status = row[f"{tag}_status"]
    if status == "error":
        return f"error: {row[f'{tag}_count']}", "-", "-"
    if status == "budget":
        return "-", fmt_time(budget, lower=True), "> " + _ratio(budget / row["ours"])
    seconds = row[f"{tag}_time"] if tag == "rel" else row["aff_time"]
    return f"{row[f'{tag}_count']:,}", fmt_time(seconds), _ratio(seconds / row["ours"])


def _ratio(r: float) -> str:
    return f"{r:,.0f}x" if r >= 10 else f"{r:.1f}x" if r >= 0.1 else f"{r:.2f}x"


def _agree(row):
    counts = [row.get("aff_count") if row.get("aff_status") == "ok" else None,
              row.get("rel_count") if row.get("rel_status") == "ok" else None]
    counts = [c for c in counts if c is not None]
    if not counts:
        return "-"
    return "yes" if all(c == row["count"] for c in counts) else "NO"


def main(argv=None):
    parser = arguments(__doc__, seed=1, repeats=3, seed_help="seed of the random networks",
                       quick_help="three small networks, in about half a minute")
    parser.add_argument("--budget", type=float, default=120.0,
                        help="seconds after which a peer's run is stopped (default %(default)s)")
    parser.add_argument("--peers", default="affinitree,relucent",
                        help="comma-separated peers to run when installed, or 'none' "
                             "(default %(default)s)")
    args = parse(parser, argv)
    config = QUICK if args.quick else FULL
    wanted = {p.strip() for p in args.peers.split(",")} - {"none", ""}
    unknown = wanted - {"affinitree", "relucent"}
    if unknown:
        parser.error(f"--peers: unknown peer(s) {sorted(unknown)}; use affinitree, relucent "
                     "or none")
    have = {"affinitree": "affinitree" in wanted and _has("affinitree"),
            "relucent": "relucent" in wanted and _has("relucent") and _has("torch")}
    print("# regions.partition (float) in R^n0 against affinitree and relucent")
    print()
    print(f"BLAS: {threads_line()}. Seed {args.seed}, best of {args.repeats}, peer budget "
          f"{args.budget:.0f} s. He-initialised ReLU nets (sigma_w^2 = 2, sigma_b = "
          f"{SIGMA_B}), box [-{RADIUS:g}, {RADIUS:g}]^n0 or all of R^n0.")
    for name, ok in have.items():
        if ok:
            print(f"{name}: installed (version {_version(name)}).")
        elif name not in wanted:
            print(f"{name}: not run (--peers).")
            have[name] = "not run"
        else:
            print(f"{name}: not installed, not run (pip install {name}).")
            have[name] = "absent"
    print()
    print("| n0 | widths | domain | regions | ours | regions/s | affinitree | time | speed-up "
          "| relucent | time | speed-up | agree |")
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    state = {"aff_over": set(), "rel_over": set()}
    rows = []
    for n0, hidden in config.cases:
        for box in (True, False):
            row = run_case(n0, hidden, box, args, config, state, have)
            row["agree"] = _agree(row)
            rows.append(row)
            aff = _peer_cells(row, "aff", args.budget)
            rel = _peer_cells(row, "rel", args.budget)
            print(f"| {n0} | {row['widths']} | {row['domain']} | {row['count']:,} | "
                  f"{fmt_time(row['ours'])} | {row['count'] / row['ours']:,.0f} | "
                  f"{' | '.join(aff)} | {' | '.join(rel)} | {row['agree']} |", flush=True)
    print()
    print("speed-up: the peer's time over ours; '> ' when the peer was stopped at the budget. "
          "skipped: over budget on a smaller case of the same n0 and domain (or, relucent, "
          f"more than {config.relucent_max_regions:,} regions).")
    return rows


def _version(name: str) -> str:
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:
        return "unknown"


if __name__ == "__main__":
    main()
