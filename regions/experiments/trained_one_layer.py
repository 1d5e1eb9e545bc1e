"""Raghu et al. Figs. 6-7: train one layer only, every other layer frozen at its random
initialisation; training a lower layer gives the better accuracy (remaining depth is what
makes a layer expressive).

Hard-tanh networks [64, 100 x depth, 10], sigma_w^2 = 2, sigma_b = 0, on the digits data
(:mod:`._trained`). As in the paper only the equal-size hidden-to-hidden matrices
W^(1), ..., W^(depth - 1) (100 x 100 and its bias: the same number of parameters each) are
candidates; the input matrix W^(0) and the readout stay at their random values. Each run trains
exactly one of them with Adam; a run training every layer is the reference.

Run alone: ``python examples/raghu_fig67_train_one_layer.py [--quick] [--out DIR] [--seed S]``.
"""

from __future__ import annotations

import time

import numpy as np

from ._common import Claim, Progress, Result, markdown_table, seeds
from ._trained import digits, fit, make_model, test_accuracy, train_accuracy

__all__ = ["NAME", "TITLE", "run"]

NAME = "trained_one_layer"
TITLE = "Training one layer: lower layers matter most (Raghu et al. Figs. 6-7)"

SIGMA_W2 = 2.0
LR = 3e-3
FULL = {"depth": 6, "seeds": 5, "epochs": 25}
QUICK = {"depth": 4, "seeds": 2, "epochs": 5}


def run(quick: bool = False, seed: int = 0, progress: Progress | None = None) -> Result:
    import matplotlib.pyplot as plt

    start = time.perf_counter()
    cfg = QUICK if quick else FULL
    depth, epochs = cfg["depth"], cfg["epochs"]
    run_seeds = seeds(seed, cfg["seeds"])
    layers = list(range(1, depth))
    progress = progress or Progress(enabled=False)
    progress.add(len(run_seeds) * (len(layers) + 1) * epochs)
    data = digits()

    keys: list[int | str] = [*layers, "all"]               # one layer trained, or all
    curves: dict[int | str, list[list[float]]] = {layer: [] for layer in keys}
    # test accuracy per epoch, per seed; final test / train accuracy per seed
    final: dict[int | str, list[float]] = {layer: [] for layer in keys}
    final_train: dict[int | str, list[float]] = {layer: [] for layer in keys}
    for s in run_seeds:
        for layer in keys:
            model = make_model(depth, SIGMA_W2, s)
            trainable = None if layer == "all" else {layer}
            before = test_accuracy(model)
            history, _ = fit(model, epochs=epochs, seed=s, lr=LR, trainable=trainable,
                             progress=progress)
            curves[layer].append([before]
                                 + list(history.test_accuracy))
            final[layer].append(test_accuracy(model))
            final_train[layer].append(train_accuracy(model))

    mean = {k: float(np.mean(v)) for k, v in final.items()}
    rows: list[list[int | float | str]] = []
    for i, s in enumerate(run_seeds):
        rows.append([i, *(final[layer][i] for layer in layers), final["all"][i]])
    rows.append(["mean"] + [mean[layer] for layer in layers] + [mean["all"]])
    rows.append(["mean train"] + [float(np.mean(final_train[layer])) for layer in layers]
                + [float(np.mean(final_train["all"]))])
    header = ["seed"] + [f"W^({layer}) only" for layer in layers] + ["all layers"]
    table = markdown_table(header, rows)

    # -- figure --------------------------------------------------------------------------
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4.2))
    colours = plt.cm.viridis(np.linspace(0.0, 0.85, len(layers)))
    ep = np.arange(epochs + 1)
    for colour, layer in zip(colours, layers):
        c = np.array(curves[layer])
        ax0.plot(ep, c.mean(axis=0), "-", color=colour, label=f"train W^({layer}) only")
        ax0.fill_between(ep, c.min(axis=0), c.max(axis=0), color=colour, alpha=0.15)
    ax0.plot(ep, np.mean(curves["all"], axis=0), "k--", lw=1, label="train all layers")
    ax0.set_xlabel("epoch")
    ax0.set_ylabel("test accuracy")
    ax0.set_title("test accuracy during training (mean; band: min-max over seeds)",
                  fontsize=9)
    ax0.legend(fontsize=7)
    ax0.grid(alpha=0.3)
    for i in range(len(run_seeds)):
        ax1.plot(layers, [final[layer][i] for layer in layers], "o-", color="0.7", lw=0.8,
                 ms=3)
    ax1.plot(layers, [mean[layer] for layer in layers], "o-", color="C3", lw=2, label="mean")
    ax1.axhline(mean["all"], color="k", ls="--", lw=1, label="all layers trained")
    ax1.set_xticks(layers)
    ax1.set_xticklabels([f"W^({layer})" for layer in layers])
    ax1.set_xlabel("the one layer trained (lower = more remaining depth)")
    ax1.set_ylabel("final test accuracy")
    ax1.set_title("final test accuracy per seed (grey) and mean", fontsize=9)
    ax1.legend(fontsize=7)
    ax1.grid(alpha=0.3)
    fig.suptitle(f"Digits, hard-tanh [64, 100 x {depth}, 10], sigma_w^2 = {SIGMA_W2:g}: "
                 "one layer trained, the rest frozen at initialisation", fontsize=10)
    fig.tight_layout()

    # -- claims --------------------------------------------------------------------------
    first, last = layers[0], layers[-1]
    wins = sum(a > b for a, b in zip(final[first], final[last]))
    means = [mean[layer] for layer in layers]
    steps_down = sum(b < a for a, b in zip(means, means[1:]))
    monotone = steps_down == len(means) - 1
    claims = (
        Claim(f"training the lowest candidate layer W^({first}) beats training the last hidden "
              f"layer W^({last}) (mean test accuracy over seeds)", mean[first] > mean[last],
              f"{mean[first]:.4f} vs {mean[last]:.4f}; higher in {wins} of {len(run_seeds)} "
              "seeds"),
        Claim("the mean test accuracy decreases with the layer trained (every step down, the "
              "paper's ordering)", monotone,
              "means " + ", ".join(f"W^({layer}) {mean[layer]:.4f}" for layer in layers)
              + f"; {steps_down} of {len(means) - 1} steps down"),
    )

    markdown = f"""
Setup: hard-tanh networks [64, 100 x {depth}, 10], sigma_w^2 = {SIGMA_W2:g}, sigma_b = 0, on
the digits data ({len(data.y_train)} training, {len(data.y_test)} test images, 64 standardised
pixels, 10 classes; scikit-learn's bundled copy, no download), trained with Adam (learning
rate {LR:g}, batch 64, {epochs} epochs, pure NumPy). Each run trains one hidden-to-hidden matrix
W^(l) (with its bias; 100 x 100 + 100 parameters whichever l) and leaves every other layer,
the input layer and the readout included, at its random initialisation, as in Raghu et al.'s
Fig. 6 (MNIST, k = 100); the last column trains every layer, for reference.
{len(run_seeds)} seeds (derived from seed {seed}) draw the initialisation and the batch order;
final test accuracy:

{table}

Where this differs from the paper: digits (8x8, 1797 images) stands in for MNIST and CIFAR-10,
so every accuracy is higher and the gaps narrower than in Figs. 6-7; the networks are
shallower ({depth} hidden layers). The mechanism is the paper's: a layer's input-output map is
followed by the frozen random layers above it, and only the layers below the trained one are
fixed feature maps; training W^(1) leaves {depth - 1} random layers of remaining depth to
exploit, training W^({last}) only one.
"""
    data_out = {
        "depth": depth, "epochs": epochs, "seeds": run_seeds, "layers": layers,
        "final": {str(k): v for k, v in final.items()},
        "final_train": {str(k): v for k, v in final_train.items()},
        "curves": {str(k): v for k, v in curves.items()},
        "mean": {str(k): v for k, v in mean.items()},
    }
    return Result(NAME, TITLE, markdown, {f"{NAME}.png": fig}, data_out, claims,
                  time.perf_counter() - start)
