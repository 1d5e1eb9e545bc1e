"""Raghu et al. (ICML 2017, Sec. 4): trajectory regularisation against batch normalisation.

A deep hard-tanh network initialised deep in the chaotic regime (sigma_w^2 = 16: the length of
a trajectory grows about 1.9-fold per layer) is hard to train plainly. Three ways to train it
on the digits data (:mod:`._trained`), with the same optimiser:

* neither: plain training;
* batch normalisation of every hidden pre-activation;
* trajectory regularisation: loss + lambda l_d / l_d(0), l_d the length at the last hidden
  layer of the images of arcs cos t p + sin t q between training inputs (sampled polylines,
  differentiated by the backward pass; :func:`regions.training.train` with
  ``penalty_weight``), for a few lambda.

Besides the test accuracy, the exact length (:func:`regions.trace` of
:func:`regions.training.to_network`) of arcs between test inputs at the last hidden layer is
measured before and after training, for every method.

Run alone: ``python examples/trajectory_regularisation.py [--quick] [--out DIR] [--seed S]``.
"""

from __future__ import annotations

import time

import numpy as np

from ._common import Claim, Progress, Result, markdown_table, seeds
from ..training.train import DEFAULT_POINTS_PER_ARC
from ._trained import arc_pairs, digits, exact_lengths, fit, make_model, warm_batchnorm

__all__ = ["NAME", "TITLE", "run"]

NAME = "trained_regularisation"
TITLE = "Trajectory regularisation against batch normalisation (Raghu et al.)"

SIGMA_W2 = 16.0
LR = 1e-2
PENALTY_ARCS = 8
FULL = {"depth": 8, "seeds": 5, "epochs": 15, "lambdas": (0.1, 1.0, 10.0), "arcs": 2}
QUICK = {"depth": 4, "seeds": 1, "epochs": 3, "lambdas": (1.0,), "arcs": 1}


def run(quick: bool = False, seed: int = 0, progress: Progress | None = None) -> Result:
    import matplotlib.pyplot as plt

    start = time.perf_counter()
    cfg = QUICK if quick else FULL
    depth, epochs, lambdas, n_arcs = cfg["depth"], cfg["epochs"], cfg["lambdas"], cfg["arcs"]
    run_seeds = seeds(seed, cfg["seeds"])
    methods = ["neither", "batch norm"] + [f"trajectory, lambda = {lam:g}" for lam in lambdas]
    progress = progress or Progress(enabled=False)
    progress.add(len(run_seeds) * len(methods) * epochs)

    test = {m: [] for m in methods}        # final test accuracy per seed
    train_acc = {m: [] for m in methods}
    curves = {m: [] for m in methods}      # test accuracy per epoch
    ratios = {m: [] for m in methods}      # penalty's sampled length ratio per epoch
    exact = {m: [] for m in methods}       # exact final / initial length, last hidden layer
    for s in run_seeds:
        pairs = arc_pairs(n_arcs, s)
        for method in methods:
            model = make_model(depth, SIGMA_W2, s, batchnorm=(method == "batch norm"))
            warm_batchnorm(model)  # "before" is what the network computes, not default stats
            before = exact_lengths(model, pairs)[:, depth]
            penalty = {}
            if method.startswith("trajectory"):
                penalty = {"penalty_weight": lambdas[methods.index(method) - 2],
                           "penalty_layer": depth, "penalty_arcs": PENALTY_ARCS}
            history, _ = fit(model, epochs=epochs, seed=s, lr=LR, progress=progress, **penalty)
            after = exact_lengths(model, pairs)[:, depth]
            test[method].append(float(history.test_accuracy[-1]))
            train_acc[method].append(float(history.train_accuracy[-1]))
            curves[method].append(list(history.test_accuracy))
            ratios[method].append(list(history.length_ratio))
            exact[method].append(float(np.exp(np.mean(np.log(after / before)))))

    mean = {m: float(np.mean(test[m])) for m in methods}
    rows = []
    for m in methods:
        rows.append([m] + test[m] + [mean[m], float(np.std(test[m])),
                                     float(np.mean(train_acc[m])),
                                     float(np.exp(np.mean(np.log(exact[m]))))])
    table = markdown_table(["method"] + [f"seed {i}" for i in range(len(run_seeds))]
                           + ["mean test", "std", "mean train", f"exact length z^({depth}): "
                              "final / init"], rows)

    # -- figure --------------------------------------------------------------------------
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11.5, 4.3))
    ep = np.arange(1, epochs + 1)
    colours = ["k", "C0"] + [plt.cm.autumn(v) for v in np.linspace(0.0, 0.7, len(lambdas))]
    for colour, m in zip(colours, methods):
        c = np.array(curves[m])
        ax0.plot(ep, c.mean(axis=0), "o-", ms=3, color=colour, label=m)
        ax0.fill_between(ep, c.min(axis=0), c.max(axis=0), color=colour, alpha=0.12)
    ax0.set_xlabel("epoch")
    ax0.set_ylabel("test accuracy")
    ax0.set_title("test accuracy (mean; band: min-max over seeds)", fontsize=9)
    ax0.legend(fontsize=7)
    ax0.grid(alpha=0.3)
    for colour, m in zip(colours[2:], methods[2:]):
        ax1.plot(ep, np.mean(ratios[m], axis=0), "o-", ms=3, color=colour, label=m)
    ax1.set_yscale("log")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel(f"penalised length at z^({depth}) / initial (sampled)")
    ax1.set_title("what the penalty sees: its arcs' length relative to the start", fontsize=9)
    ax1.legend(fontsize=7)
    ax1.grid(alpha=0.3, which="both")
    fig.suptitle(f"Digits, hard-tanh [64, 100 x {depth}, 10], sigma_w^2 = {SIGMA_W2:g}: "
                 "trajectory regularisation vs batch norm vs neither", fontsize=10)
    fig.tight_layout()

    # -- claims --------------------------------------------------------------------------
    reg = methods[2:]
    best = max(reg, key=lambda m: mean[m])
    bn, plain = mean["batch norm"], mean["neither"]
    claims = (
        Claim("batch norm beats plain training by more than 5 points", bn > plain + 0.05,
              f"{bn:.4f} vs {plain:.4f}"),
        Claim("trajectory regularisation (best lambda) performs about as well as batch norm "
              "(within 3 points)", mean[best] >= bn - 0.03,
              f"{best}: {mean[best]:.4f} vs batch norm {bn:.4f}"),
        Claim("trajectory regularisation (best lambda) beats plain training by more than 2 "
              "points", mean[best] > plain + 0.02,
              f"{best}: {mean[best]:.4f} vs neither {plain:.4f}"),
    )

    data = digits()
    exact_bn = float(np.exp(np.mean(np.log(exact["batch norm"]))))
    close = mean[best] >= bn - 0.03
    verdict = ("performs about as well as batch norm" if close else
               "is far from batch norm" + (", though better than neither"
                                           if mean[best] > plain + 0.02 else
                                           " and no better than neither"))
    exact_of = {m: float(np.exp(np.mean(np.log(exact[m])))) for m in methods}
    exact_verdict = ("falls below plain training's too" if exact_of[best] < exact_of["neither"]
                     else "does not fall below plain training's")
    exact_text = "; ".join(f"{m}: {np.exp(np.mean(np.log(exact[m]))):.3g}" for m in methods)
    markdown = f"""
Setup: hard-tanh networks [64, 100 x {depth}, 10], sigma_w^2 = {SIGMA_W2:g}, sigma_b = 0
(chaotic: at initialisation the length of an arc grows about 1.9-fold per layer), trained on
the digits data ({len(data.y_train)} training, {len(data.y_test)} test images) with Adam
(learning rate {LR:g}, batch 64, {epochs} epochs), {len(run_seeds)} seeds (derived from
{seed}), three ways: neither; batch norm on every hidden pre-activation (eval mode with the
running averages); and Raghu et al.'s trajectory regularisation, loss + lambda l_d / l_d(0)
with l_d the summed length at the last hidden layer z^({depth}) of {PENALTY_ARCS} arcs
cos t p + sin t q between random training inputs ({DEFAULT_POINTS_PER_ARC} sampled points each,
differentiated by the backward pass), for lambda in
{{{', '.join(f'{lam:g}' for lam in lambdas)}}}. The last
column is the exact length (``regions.trace`` of ``to_network(model)``) of the image at
z^({depth}) of {n_arcs} arc(s) between test inputs per seed, after training relative to
before (geometric mean).

{table}

Batch norm makes the chaotic network trainable: each hidden pre-activation is rescaled to
unit variance, which takes the network out of the chaotic regime at every layer (its exact
length at the last hidden layer, final / init, is {exact_bn:.3g}, measured from the network
with its running statistics warmed on the training set before and after training). The trajectory penalty does what it is asked, the sampled length it
sees falls (right panel); the exact length of test arcs {exact_verdict} ({exact_text}); on
these data it {verdict}. Its best lambda reaches {mean[best]:.3f} against {bn:.3f} with batch
norm and {plain:.3f} with neither; a larger lambda shrinks the length further and fits the
training data worse. Raghu et al. report (CIFAR-10, ICML version) that the regularisation
performs comparably to batch norm; we could not find their lambda, learning rate or the layer
they penalise, so this is one setting (one penalised layer, the last), not a refutation.
"""
    data_out = {
        "depth": depth, "epochs": epochs, "seeds": run_seeds, "lambdas": list(lambdas),
        "methods": methods, "test": test, "train": train_acc, "mean": mean,
        "curves": curves, "length_ratio": ratios, "exact_ratio": exact,
    }
    return Result(NAME, TITLE, markdown, {f"{NAME}.png": fig}, data_out, claims,
                  time.perf_counter() - start)
