"""Reproduce the papers' results: ``python -m regions.reproduce``.

Runs every random-network experiment of :mod:`regions.experiments` (with ``--trained`` also
the trained-network ones, :data:`regions.experiments.TRAINED`: NumPy training on the bundled
digits data, which needs scikit-learn) with a fixed seed and writes, into
``--out`` (default ``./reproduction``), one PNG per figure and ``report.md``: the measured
tables, the figures, and each qualitative claim checked on the data. ``--quick`` is a
smoke-size run (under a minute); the full run takes a few minutes on a 2-core machine, and
``--trained`` adds about two. Needs the ``plot`` extra (matplotlib).

    python -m regions.reproduce                      # full run into ./reproduction
    python -m regions.reproduce --quick --out /tmp/r
    python -m regions.reproduce --only length_growth,dichotomies
    python -m regions.reproduce --trained             # and the trained-network experiments
    python -m regions.reproduce --trained --quick --only trained_noise
    python -m regions.reproduce --resume              # reuse the experiments finished
    python -m regions.reproduce --workers 4           # experiments on a local Dask cluster
    python -m regions.reproduce --scheduler tcp://host:8786   # ... on your own cluster

Each finished experiment's result is kept in ``--out``'s ``.finished`` folder; with
``--resume`` a run interrupted part way (or extended with more experiments) reuses the ones
finished with the same seed and size instead of recomputing them (their figures are on disk
already), and the progress line counts them as done. The progress line is drawn only when
stderr is a terminal (not into a log file or a pipe); ``--no-progress`` turns it off there
too.

With ``--workers N`` (N > 1) or ``--scheduler ADDRESS`` the experiments run side by side, one
whole experiment per task, on an executor of :mod:`regions.distributed` (dask's ``dask``
extra; without dask, ``--workers`` runs them in this process); a progress line counts the
finished experiments. With ``--scheduler`` the workers write the figures into ``--out``, so
it must be a folder they share with this machine.
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
import time
from pathlib import Path
from typing import Sequence

__all__ = ["main"]


def _header(args: argparse.Namespace, seconds: float, results: list,
            reused: int = 0) -> str:
    import numpy as np

    held = sum(c.holds for r in results for c in r.claims)
    total = sum(len(r.claims) for r in results)
    other = sum(not c.holds and not c.paper_setting for r in results for c in r.claims)
    mode = "quick (smoke size)" if args.quick else "full"
    lines = [
        "# Reproduction report",
        "",
        f"`python -m regions.reproduce{' --trained' if args.trained else ''}"
        f"{' --quick' if args.quick else ''} --seed {args.seed}`"
        f" ({mode}): {len(results)} experiments in {_timing(seconds, results, reused)}; "
        f"{held} of {total} "
        "checked claims hold"
        + (f" ({other} more not reproduced in a setting that is not the paper's)." if other
           else "."),
        "",
        f"Python {platform.python_version()}, NumPy {np.__version__}, "
        f"{platform.machine()}, {_cpus()} CPUs.",
        "",
        "Every count below is exact (breakpoints solved for, never sampled) unless the table "
        "says sampled.",
        "",
    ]
    return "\n".join(lines)


def _timing(seconds: float, results: list, reused: int) -> str:
    """This run's time, or with ``--resume`` the experiments' own times added up."""
    if not reused:
        return f"{seconds:.0f} s"
    own = sum(r.seconds for r in results)
    return (f"{own:.0f} s of their own ({reused} reused from an earlier run with --resume; "
            f"this run {seconds:.0f} s)")


def _cpus() -> str:
    import os

    return str(os.cpu_count() or "?")


def main(argv: Sequence[str] | None = None) -> list:
    """Run the experiments, write the figures and ``report.md``; returns the results."""
    from .experiments import EXPERIMENTS, TRAINED
    from .experiments._common import Progress, _agg, add_run_arguments, run_one

    parser = argparse.ArgumentParser(
        prog="python -m regions.reproduce", description=__doc__.split("\n\n")[0]
    )
    add_run_arguments(parser, "report.md and the figures")
    parser.add_argument("--only", default="",
                        help="comma-separated experiments to run (default: all, with "
                             "--trained also the trained ones): "
                             + ", ".join(EXPERIMENTS + TRAINED))
    parser.add_argument("--trained", action="store_true",
                        help="also run the trained-network experiments (after the others): "
                             + ", ".join(TRAINED))
    parser.add_argument("--no-progress", action="store_true",
                        help="no progress bar (it is off anyway when stderr is not a "
                             "terminal)")
    parser.add_argument("--workers", type=int, default=None,
                        help="run the experiments side by side on a local Dask cluster of "
                             "this many worker processes (needs the dask extra)")
    parser.add_argument("--scheduler", default=None,
                        help="run the experiments on the Dask cluster at this address "
                             "(tcp://host:8786), left as it is")
    parser.add_argument("--resume", action="store_true",
                        help="reuse the experiments a previous run with the same seed and "
                             "size finished into --out (kept in its .finished folder)")
    args = parser.parse_args(argv)
    if args.workers is not None and args.workers < 1:
        parser.error(f"--workers must be at least 1, got {args.workers}")
    if args.workers is not None and args.scheduler is not None:
        parser.error("give --workers (a local cluster) or --scheduler (your own), not both")
    default = list(EXPERIMENTS) + (list(TRAINED) if args.trained else [])
    names = [n.strip() for n in args.only.split(",") if n.strip()] or default
    unknown = [n for n in names if n not in EXPERIMENTS + TRAINED]
    if unknown:
        parser.error(f"--only: unknown experiment(s) {', '.join(unknown)}; choose from "
                     + ", ".join(EXPERIMENTS + TRAINED))
    _agg()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    done = {n: r for n in names if (r := _finished(out, n, args)) is not None} \
        if args.resume else {}
    todo = [n for n in names if n not in done]
    fresh: dict = {}
    if todo and ((args.workers or 1) > 1 or args.scheduler is not None):
        from .distributed import executor

        with executor(workers=args.workers, scheduler=args.scheduler) as ex:
            bar = Progress(total=len(names), label=f"experiments ({ex.kind}, {ex.workers})",
                           enabled=False if args.no_progress else None)
            bar.step(len(done), "resumed")
            for result in ex.map(_run_experiment, todo, quick=args.quick, seed=args.seed,
                                 out=str(out.resolve())):
                fresh[result.name] = _keep(out, result, args)
                bar.step(1, result.name)
            bar.close()
    for i, name in enumerate([n for n in todo if n not in fresh], len(done) + 1):
        module = importlib.import_module(f".experiments.{name}", __package__)
        progress = Progress(label=f"{i}/{len(names)} {name}",
                            enabled=False if args.no_progress else None)
        fresh[name] = _keep(out, run_one(module.run, args.quick, args.seed, out, progress), args)
    results = [done[n] if n in done else fresh[n] for n in names]
    seconds = time.perf_counter() - start
    report = (_header(args, seconds, results, sum(n in done for n in names)) + "\n"
              + "\n".join(r.section() for r in results))
    (out / "report.md").write_text(report)
    failed = [f"{r.name}: {c.text}" for r in results for c in r.claims if c.failed]
    print(f"wrote {out / 'report.md'} and {sum(len(r.figures) for r in results)} figures "
          f"in {seconds:.0f} s", file=sys.stderr)
    for line in failed:
        print(f"claim not supported by these data: {line}", file=sys.stderr)
    return results


def _finished_path(out: Path, name: str, args: argparse.Namespace) -> Path:
    size = "quick" if args.quick else "full"
    return out / ".finished" / f"{name}-{size}-seed{args.seed}.pickle"


def _keep(out: Path, result, args: argparse.Namespace):
    """Keep a finished experiment's result (figures released: they are files in ``out``)
    for ``--resume``; returns it."""
    import pickle
    from dataclasses import replace

    path = _finished_path(out, result.name, args)
    path.parent.mkdir(exist_ok=True)
    kept = replace(result, figures={k: None for k in result.figures})
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(kept))
    tmp.replace(path)  # (atomic: an interrupted write leaves no half result)
    return result


def _finished(out: Path, name: str, args: argparse.Namespace):
    """The result a previous run kept for ``name`` (same seed and size), or None."""
    import pickle

    path = _finished_path(out, name, args)
    if not path.exists():
        return None
    try:
        return pickle.loads(path.read_bytes())
    except Exception:  # an unreadable or outdated file: run the experiment again
        return None


def _run_experiment(name: str, quick: bool, seed: int, out: str):
    """One experiment as a task: run it (no progress bar), write its figures into ``out``
    and return its result with the figures released (their file names kept)."""
    from dataclasses import replace

    from .experiments._common import Progress, _agg, run_one

    _agg()
    module = importlib.import_module(f".experiments.{name}", __package__)
    result = run_one(module.run, quick, seed, out, Progress(enabled=False))
    return replace(result, figures={k: None for k in result.figures})


if __name__ == "__main__":
    main()
