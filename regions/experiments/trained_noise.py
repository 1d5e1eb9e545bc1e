"""Raghu et al. (ICML 2017, Sec. 4): Gaussian noise added to one layer's weights of a trained
network hurts most in the lower layers (a perturbation low in the network is amplified by the
remaining depth).

Hard-tanh networks [64, 100 x depth, 10], sigma_w^2 = 2, sigma_b = 0, every layer trained on
the digits data (:mod:`._trained`); then, for one weight matrix W^(l) at a time, W^(l) +
alpha std(W^(l)) N(0, 1) (noise relative to that layer's own weight scale), for alpha in
``ALPHAS``, the test accuracy averaged over several noise draws.

Run alone: ``python examples/trained_noise.py [--quick] [--out DIR] [--seed S]``.
"""

from __future__ import annotations

import time
from typing import TypedDict

import numpy as np

from ._common import Claim, Progress, Result, markdown_table, seeds
from ._trained import digits, fit, make_model, test_accuracy

__all__ = ["NAME", "TITLE", "run"]

NAME = "trained_noise"
TITLE = "Noise in one layer of a trained network: lower layers matter most (Raghu et al.)"

SIGMA_W2 = 2.0
LR = 1e-3


class _Config(TypedDict):
    """The sizes of one run: hidden layers, networks, epochs, noise sizes, draws per size."""

    depth: int
    seeds: int
    epochs: int
    alphas: tuple[float, ...]
    draws: int


FULL: _Config = {"depth": 6, "seeds": 4, "epochs": 20,
                 "alphas": (0.1, 0.25, 0.5, 0.75, 1.0), "draws": 6}
QUICK: _Config = {"depth": 4, "seeds": 2, "epochs": 5, "alphas": (0.25, 0.5, 1.0), "draws": 3}


def noisy_accuracy(model, layer: int, alpha: float, rng: np.random.Generator) -> float:
    """Test accuracy of ``model`` with W^(layer) + alpha std(W^(layer)) N(0, 1)."""
    from ..training import copy_model

    noisy = copy_model(model)
    w = noisy.weights[layer]
    noisy.weights[layer] = w + alpha * float(np.std(w)) * rng.standard_normal(w.shape)
    return test_accuracy(noisy)


def run(quick: bool = False, seed: int = 0, progress: Progress | None = None) -> Result:
    import matplotlib.pyplot as plt

    start = time.perf_counter()
    cfg = QUICK if quick else FULL
    depth, epochs, alphas, draws = cfg["depth"], cfg["epochs"], cfg["alphas"], cfg["draws"]
    run_seeds = seeds(seed, cfg["seeds"])
    layers = list(range(depth + 1))      # W^(0) (input) ... W^(depth) (readout)
    progress = progress or Progress(enabled=False)
    progress.add(len(run_seeds) * (epochs + len(layers)))

    clean = []
    acc = np.zeros((len(run_seeds), len(layers), len(alphas)))   # mean over draws
    for i, s in enumerate(run_seeds):
        model = make_model(depth, SIGMA_W2, s)
        fit(model, epochs=epochs, seed=s, lr=LR, progress=progress)
        clean.append(test_accuracy(model))
        rng = np.random.default_rng(seeds(s, 2)[1])  # a stream apart from the weights' draw
        for j, layer in enumerate(layers):
            for a, alpha in enumerate(alphas):
                acc[i, j, a] = np.mean([noisy_accuracy(model, layer, alpha, rng)
                                        for _ in range(draws)])
            progress.step(note=f"noise in W^({layer})")
    clean_arr = np.array(clean)
    drop = clean_arr[:, None, None] - acc                      # accuracy lost
    mean_acc, mean_drop = acc.mean(axis=0), drop.mean(axis=0)

    names = [f"W^({layer})" + (" (input)" if layer == 0 else " (readout)"
                               if layer == depth else "") for layer in layers]
    rows: list[list[str | float]] = [
        [names[j], *(float(mean_acc[j, a]) for a in range(len(alphas))),
         float(mean_drop[j].mean())] for j in range(len(layers))]
    table = markdown_table(["noise in"] + [f"alpha = {a:g}" for a in alphas]
                           + ["mean drop"], rows)
    seed_rows = [[k, clean[k]] + [float(drop[k, j].mean()) for j in range(len(layers))]
                 for k in range(len(run_seeds))]
    seed_table = markdown_table(["seed", "clean accuracy"]
                                + [f"drop, W^({layer})" for layer in layers], seed_rows)

    # -- figure --------------------------------------------------------------------------
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11.5, 4.3))
    lo, hi = float(mean_acc.min()), float(clean_arr.mean())
    im = ax0.imshow(mean_acc, aspect="auto", cmap="viridis", origin="upper", vmin=lo, vmax=hi)
    ax0.set_xticks(range(len(alphas)))
    ax0.set_xticklabels([f"{a:g}" for a in alphas])
    ax0.set_yticks(range(len(layers)))
    ax0.set_yticklabels([f"W^({layer})" for layer in layers])
    ax0.set_xlabel("relative noise alpha (std = alpha std(W))")
    ax0.set_ylabel("layer with noise (0 = input, top)")
    for j in range(len(layers)):
        for a in range(len(alphas)):
            ax0.text(a, j, f"{mean_acc[j, a]:.2f}", ha="center", va="center", fontsize=7,
                     color="w" if mean_acc[j, a] < (lo + hi) / 2 else "k")
    fig.colorbar(im, ax=ax0, label="test accuracy")
    ax0.set_title("mean test accuracy with noise in one layer", fontsize=9)
    colours = plt.cm.plasma(np.linspace(0.0, 0.85, len(layers)))
    for colour, j in zip(colours, range(len(layers))):
        ax1.plot(alphas, mean_acc[j], "o-", color=colour, ms=3, label=names[j])
    ax1.axhline(clean_arr.mean(), color="k", ls="--", lw=1, label="no noise")
    ax1.set_xlabel("relative noise alpha")
    ax1.set_ylabel("test accuracy")
    ax1.set_title(f"mean of {len(run_seeds)} trained networks x {draws} noise draws",
                  fontsize=9)
    ax1.legend(fontsize=7)
    ax1.grid(alpha=0.3)
    fig.suptitle(f"Digits, hard-tanh [64, 100 x {depth}, 10], sigma_w^2 = {SIGMA_W2:g}, "
                 "all layers trained, then noise added to one layer", fontsize=10)
    fig.tight_layout()

    # -- claims --------------------------------------------------------------------------
    first, last = 0, depth - 1          # the input layer and the last hidden layer
    worse = [bool(mean_acc[first, a] < mean_acc[last, a]) for a in range(len(alphas))]
    per_seed = int(np.sum(drop[:, first].mean(axis=1) > drop[:, last].mean(axis=1)))
    by_layer = mean_drop.mean(axis=1)
    worst = int(np.argmax(by_layer))
    claims = (
        Claim(f"noise in the first layer W^({first}) hurts more than in the last hidden layer "
              f"W^({last}) at every relative size alpha", all(worse),
              "; ".join(f"alpha {a:g}: {mean_acc[first, k]:.3f} vs {mean_acc[last, k]:.3f}"
                        for k, a in enumerate(alphas))
              + f"; larger mean drop in {per_seed} of {len(run_seeds)} networks"),
        Claim(f"noise in the first layer W^({first}) hurts more than in the readout "
              f"W^({depth}) at every alpha",
              all(mean_acc[first, a] < mean_acc[depth, a] for a in range(len(alphas))),
              "; ".join(f"alpha {a:g}: {mean_acc[first, k]:.3f} vs {mean_acc[depth, k]:.3f}"
                        for k, a in enumerate(alphas))),
        Claim("the mean accuracy drop (over alpha) is largest for noise in the lowest layer",
              worst == 0, "mean drop per layer: " + ", ".join(
                  f"W^({layer}) {by_layer[j]:.3f}" for j, layer in enumerate(layers))),
    )

    data = digits()
    markdown = f"""
Setup: hard-tanh networks [64, 100 x {depth}, 10], sigma_w^2 = {SIGMA_W2:g}, sigma_b = 0,
every layer trained on the digits data ({len(data.y_train)} training, {len(data.y_test)}
test images) with Adam (learning rate {LR:g}, batch 64, {epochs} epochs);
{len(run_seeds)} networks (seeds derived from {seed}), clean test accuracy
{clean_arr.mean():.4f} on average. Then, one layer at a time, Gaussian noise of standard
deviation alpha x std(W^(l)) (the standard deviation of that layer's trained weights) is
added to W^(l), so the perturbation has the same size relative to each layer's weights; each
cell is the test accuracy averaged over the networks and {draws} noise draws. W^(0) maps the
input to the first hidden layer, W^({depth}) is the readout.

{table}

Accuracy lost (clean minus noisy, mean over alpha) per network:

{seed_table}

Raghu et al. report this experiment (ICML version) without numbers we could find; the
qualitative statement is that noise in lower layers hurts more, since the perturbation it
makes is amplified by every layer above it (the same growth as the trajectory length, Fig. 1).
"""
    data_out = {
        "depth": depth, "epochs": epochs, "seeds": run_seeds, "layers": layers,
        "alphas": list(alphas), "draws": draws, "clean": clean,
        "accuracy": acc.tolist(), "mean_accuracy": mean_acc.tolist(),
    }
    return Result(NAME, TITLE, markdown, {f"{NAME}.png": fig}, data_out, claims,
                  time.perf_counter() - start)
