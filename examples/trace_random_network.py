"""Trace a random network along a segment and print its exact counts, layer by layer.

The default is one of Raghu et al.'s (2017) settings: a hard-tanh network with 8 hidden layers
of width 100, sigma_w^2 = 4, sigma_b = 0, traced along a segment between two random points
of norm about sqrt(input width). Beside the exact counts it prints what equally spaced
sampling finds, the way published code measures.

    python examples/trace_random_network.py                 # the default
    python examples/trace_random_network.py --activation relu --sigma-w2 2 --depth 6
    python examples/trace_random_network.py --out counts.json

References: Raghu, Poole, Kleinberg, Ganguli, Sohl-Dickstein, "On the Expressive Power of Deep
Neural Networks", ICML 2017 (Section 2: transitions, patterns, trajectory length).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

from regions import Segment, random_network, trace
from regions.sampling import sample_trace


def run(width: int, depth: int, input_dim: int, activation: str, sigma_w2: float,
        sigma_b2: float, seed: int, exact: bool, samples: int) -> dict:
    rng = np.random.default_rng(seed)
    net = random_network(
        [input_dim] + [width] * depth + [1], activation,
        sigma_w=float(np.sqrt(sigma_w2)), sigma_b=float(np.sqrt(sigma_b2)), seed=rng,
    )
    seg = Segment(rng.standard_normal(input_dim), rng.standard_normal(input_dim))
    start = time.perf_counter()
    tr = trace(net, seg, exact=exact)
    seconds = time.perf_counter() - start
    sampled = sample_trace(net, seg, samples)
    return {
        "network": {"widths": list(net.widths), "activation": activation,
                    "sigma_w2": sigma_w2, "sigma_b2": sigma_b2, "seed": seed},
        "mode": "exact" if exact else f"float (tol {tr.tol:g})",
        "trace_seconds": seconds,
        "num_pieces": tr.num_pieces,
        "num_patterns": tr.num_patterns,
        "num_linear_pieces": tr.num_linear_pieces,
        "transitions": tr.transitions,
        "transitions_per_layer": tr.transitions_per_layer.tolist(),
        "sign_transitions": tr.sign_transitions,
        "lengths": tr.lengths.tolist(),
        "sampled": {"samples": samples, "num_pieces": sampled.num_pieces,
                    "transitions": sampled.transitions},
    }


def report(result: dict) -> str:
    net = result["network"]
    lines = [
        f"network      widths {net['widths']}, {net['activation']}, "
        f"sigma_w^2 = {net['sigma_w2']}, sigma_b^2 = {net['sigma_b2']}, seed {net['seed']}",
        f"mode         {result['mode']}; trace took {result['trace_seconds']:.3f} s",
        f"pieces       {result['num_pieces']} (distinct patterns {result['num_patterns']}, "
        f"linear pieces {result['num_linear_pieces']})",
        f"transitions  {result['transitions']} neuron transitions, "
        f"{result['sign_transitions']} output sign changes",
        "",
        "layer   transitions   image length   length ratio",
    ]
    lengths = result["lengths"]
    trans = [0] + result["transitions_per_layer"]
    for d, length in enumerate(lengths):
        ratio = "" if d == 0 else f"{length / lengths[d - 1]:12.3f}"
        name = "input" if d == 0 else ("output" if d == len(lengths) - 1 else str(d))
        lines.append(f"{name:>6}  {trans[d]:12d}   {length:12.4f}   {ratio}")
    s = result["sampled"]
    lines += [
        "",
        f"sampling at {s['samples']} equally spaced points finds {s['num_pieces']} pieces "
        f"({result['num_pieces'] - s['num_pieces']} missed)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=100)
    parser.add_argument("--depth", type=int, default=8, help="number of hidden layers")
    parser.add_argument("--input-dim", type=int, default=100)
    parser.add_argument("--activation", default="hardtanh",
                        choices=["relu", "hardtanh", "leaky_relu", "abs"])
    parser.add_argument("--sigma-w2", type=float, default=4.0, help="sigma_w^2")
    parser.add_argument("--sigma-b2", type=float, default=0.0, help="sigma_b^2")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--exact", action="store_true", help="rational arithmetic (slow)")
    parser.add_argument("--samples", type=int, default=1000,
                        help="samples for the sampling baseline")
    parser.add_argument("--out", help="also write the results as JSON to this file")
    args = parser.parse_args(argv)
    result = run(args.width, args.depth, args.input_dim, args.activation, args.sigma_w2,
                 args.sigma_b2, args.seed, args.exact, args.samples)
    print(report(result))
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(result, fh, indent=2)
        print(f"\nwrote {args.out}")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
