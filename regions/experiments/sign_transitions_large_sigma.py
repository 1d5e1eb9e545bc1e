"""Sign transitions of hard-tanh networks at large sigma_w (Raghu et al. 2017, Theorem 2):
the number of sign transitions of the output along a trajectory grows with depth n like
O((sqrt(k) / sqrt(1 + sigma_b^2 / sigma_w^2))^n) for large sigma_w.

Random hard-tanh networks [k, k x d, readout] (sigma_b = 0, so the theorem's base is
sqrt(k)), input dimension k, sigma_w^2 from 4 to 10^4; for each network and each depth
d = 1..D, the sign changes of a fixed Gaussian linear readout of z^(d) along the full circle
x(t) = cos t p + sin t q, with the breakpoints solved for (``regions.trace`` on an
:class:`~regions.Arc`, float mode). The per-layer growth factor of the mean count is fitted
on a log scale and compared with the base.

Run alone: ``python examples/sign_transitions_large_sigma.py [--quick] [--out DIR]``.

References
----------
.. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the Expressive
   Power of Deep Neural Networks", ICML 2017, Theorem 2 (transitions at large sigma_w).
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ._common import Claim, Progress, Result, run_steps, fit_line, markdown_table, seeds

__all__ = ["NAME", "TITLE", "run", "measure", "claims", "report", "figures", "base"]

NAME = "sign_transitions_large_sigma"
TITLE = "Sign transitions at large σ_w grow like sqrt(k)^depth (Raghu et al. Theorem 2)"

LARGE = 1000.0
"""sigma_w^2 from which the theorem's large-sigma_w regime is checked."""


def base(k: int, sigma_w2: float, sigma_b2: float = 0.0) -> float:
    """Theorem 2's per-layer base sqrt(k) / sqrt(1 + sigma_b^2 / sigma_w^2).

    >>> base(16, 100.0)
    4.0
    """
    return float(np.sqrt(k) / np.sqrt(1.0 + sigma_b2 / sigma_w2))


def _setup(quick: bool) -> tuple[list[int], list[float], int, int]:
    """(widths k, sigma_w^2 values, deepest d, seeds)."""
    if quick:
        return [8], [4.0, 1000.0], 4, 3
    return [8, 16, 32], [4.0, 16.0, 100.0, 1000.0, 10000.0], 6, 10


def _counts(k: int, s2: float, depth: int, seed: int) -> list[int]:
    """Sign transitions of a Gaussian readout of z^(d), d = 1..depth, along the circle."""
    from ..network import Network, random_network
    from ..trace import trace
    from ..trajectory import Arc

    rng = np.random.default_rng(seed)
    net = random_network([k] + [k] * depth + [1], "hardtanh", sigma_w=float(np.sqrt(s2)),
                         seed=seed)
    p, q = rng.normal(size=(2, k))
    readout = rng.normal(size=(1, k)) / np.sqrt(k)
    out = []
    for d in range(1, depth + 1):
        sub = Network(list(net.weights[:d]) + [readout], list(net.biases[:d]) + [np.zeros(1)],
                      ["hardtanh"] * d + ["linear"])
        out.append(int(trace(sub, Arc.circle(p, q), exact=False).sign_transitions))
    return out


def measure(quick: bool = False, seed: int = 0,
            progress: Progress | None = None) -> dict[str, Any]:
    """Counts per (k, sigma_w^2, network) and depth."""
    ks, s2s, depth, n_seeds = _setup(quick)
    progress = progress or Progress(enabled=False)
    progress.add(len(ks) * len(s2s))
    rows = []
    for k in ks:
        for s2 in s2s:
            counts = [_counts(k, s2, depth, s) for s in seeds(seed, n_seeds)]
            mean = np.mean(counts, axis=0)
            _, slope, r2 = fit_line(np.arange(2, depth + 1), np.log(np.maximum(mean[1:], 1e-9)))
            rows.append({"k": k, "sigma_w2": s2, "counts": counts, "mean": mean.tolist(),
                         "growth": float(np.exp(slope)), "r2": r2, "base": base(k, s2)})
            progress.step(note=f"k={k} sigma_w^2={s2:g}: growth {np.exp(slope):.2f}")
    return {"ks": ks, "sigma_w2": s2s, "depth": depth, "seeds": n_seeds, "rows": rows}


def claims(data: dict[str, Any]) -> tuple[Claim, ...]:
    """Exponential growth at large sigma_w, growth rising with sigma_w and k, and never
    above the theorem's base."""
    rows = data["rows"]
    large = [r for r in rows if r["sigma_w2"] >= LARGE]
    grows = all(r["growth"] > 1.3 and r["r2"] >= 0.9 for r in large)
    by_k = {k: [r for r in rows if r["k"] == k] for k in data["ks"]}
    rising = all(rs[-1]["growth"] > rs[0]["growth"] for rs in by_k.values())
    top = [by_k[k][-1]["growth"] for k in data["ks"]]
    wider = all(a < b for a, b in zip(top[:-1], top[1:]))
    below = all(r["growth"] <= r["base"] for r in rows)
    return (
        Claim(f"at large σ_w (σ_w² >= {LARGE:g}) the sign transitions grow exponentially with "
              "depth (fitted factor > 1.3 per layer, R² >= 0.9)", grows,
              "; ".join(f"k={r['k']}, σ_w²={r['sigma_w2']:g}: {r['growth']:.2f} "
                        f"(R² {r['r2']:.2f})" for r in large)),
        Claim("the growth factor rises with σ_w (largest σ_w² against the smallest, every k)"
              + (" and with k at the largest σ_w²" if len(top) > 1 else ""),
              rising and (wider or len(top) == 1),
              "; ".join(f"k={k}: {rs[0]['growth']:.2f} -> {rs[-1]['growth']:.2f}"
                        for k, rs in by_k.items())),
        Claim("the growth never exceeds the theorem's base sqrt(k)/sqrt(1 + σ_b²/σ_w²) "
              "(an O(.) upper bound)", below,
              f"largest measured/base {max(r['growth'] / r['base'] for r in rows):.2f}"),
    )


def report(data: dict[str, Any]) -> str:
    """The section's body: setup and the fitted growth against the base."""
    rows = [[r["k"], f"{r['sigma_w2']:g}", *[f"{m:.1f}" for m in r["mean"]],
             f"{r['growth']:.2f}", f"{r['r2']:.2f}", f"{r['base']:.2f}",
             f"{r['growth'] / r['base']:.2f}"] for r in data["rows"]]
    depths = [f"T, d={d}" for d in range(1, data["depth"] + 1)]
    table = markdown_table(["k", "σ_w²", *depths, "growth per layer", "R²", "base √k",
                            "growth / base"], rows)
    return f"""
Setup: random hard-tanh networks with k inputs and hidden layers of width k, σ_b = 0,
{data['seeds']} networks per (k, σ_w²); for each, a fixed Gaussian readout of z^(d) (entries
N(0, 1/k)) for d = 1..{data['depth']} (the first d layers of one network), and its sign
changes T along the full circle x(t) = cos t p + sin t q, t in [0, 2π] (p, q standard
Gaussian), breakpoints solved for. Growth per layer = exp(slope) of log(mean T) fitted on
d = 2..{data['depth']}; the theorem's base is sqrt(k) / sqrt(1 + σ_b²/σ_w²) = sqrt(k) here.

{table}

Theorem 2 is an O(.) statement: the measured growth stays below the base by a factor that
does not vanish as σ_w grows, so the theorem describes the trend (exponential in depth, a
faster base for larger k and σ_w) while its constant is not tight.
"""


def figures(data: dict[str, Any]) -> dict[str, Any]:
    """Mean T against depth, one line per (k, sigma_w^2), log scale."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(data["ks"]), figsize=(4.2 * len(data["ks"]), 4),
                             squeeze=False)
    d = np.arange(1, data["depth"] + 1)
    for ax, k in zip(axes[0], data["ks"]):
        for r in (r for r in data["rows"] if r["k"] == k):
            ax.plot(d, np.maximum(r["mean"], 1e-1), "o-", label=f"σ_w² = {r['sigma_w2']:g}")
        ax.plot(d, np.sqrt(k) ** (d - 1), "k--", linewidth=0.8, label="√k^(d-1)")
        ax.set_yscale("log")
        ax.set_xlabel("depth d")
        ax.set_ylabel("sign transitions T (mean)")
        ax.set_title(f"k = {k}", fontsize=10)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return {f"{NAME}.png": fig}


def run(quick: bool = False, seed: int = 0, progress: Progress | None = None) -> Result:
    """Measure, check the claims, write the section and draw the figure."""
    return run_steps(NAME, TITLE, sys.modules[__name__], quick, seed, progress)
