"""What every experiment shares: its result type, a progress bar, the standalone command line.

An experiment module defines ``NAME`` (a short identifier, also its figure files' stem),
``TITLE`` and ``run(quick: bool = False, seed: int = 0, progress: Progress | None = None)
-> Result``. ``run`` measures (fixed seeds derived from ``seed``), draws its figures with
matplotlib (the ``plot`` extra; imported inside ``run``), and states each qualitative claim it
tests as a :class:`Claim` computed from its own data. :func:`standalone` gives every module
the same command line (``--out``, ``--quick``, ``--seed``), so ``examples/`` scripts are one
line each.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

__all__ = ["Claim", "Progress", "Result", "add_run_arguments", "fit_line", "markdown_table",
           "run_one", "run_steps", "seeds", "standalone"]


@dataclass(frozen=True)
class Claim:
    """A qualitative claim of the paper, checked on the measured data.

    ``holds`` is whether the data support it; ``evidence`` says with which numbers.
    ``paper_setting`` False: the claim was checked in a setting that is not the paper's, so
    one that does not hold there is "not reproduced in this setting", not a failed
    reproduction (the report says so and does not count it).

    >>> Claim("x", False, "0.6 vs 0.9", paper_setting=False).status
    'not reproduced in this setting'
    """

    text: str
    holds: bool
    evidence: str
    paper_setting: bool = True

    @property
    def status(self) -> str:
        """``"holds"``, ``"DOES NOT HOLD"`` or ``"not reproduced in this setting"``."""
        if self.holds:
            return "holds"
        return "DOES NOT HOLD" if self.paper_setting else "not reproduced in this setting"

    @property
    def failed(self) -> bool:
        """A failed reproduction: checked in the paper's setting and not supported."""
        return not self.holds and self.paper_setting


@dataclass(frozen=True)
class Result:
    """What an experiment returns.

    Attributes
    ----------
    name, title : str
    markdown : str
        The report section's body: what was measured, the tables, where it differs from the
        paper and why (no heading: the report adds ``## title``).
    figures : dict
        File name (``.png``) -> matplotlib Figure.
    data : dict
        The measured numbers (lists, floats), for tests and for users.
    claims : tuple of Claim
    seconds : float
    """

    name: str
    title: str
    markdown: str
    figures: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    claims: tuple = ()
    seconds: float = 0.0

    def save(self, out: str | Path) -> list[Path]:
        """Write the figures as PNG into ``out`` (created if needed); returns the paths."""
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for filename, fig in self.figures.items():
            path = folder / filename
            fig.savefig(path, dpi=110, bbox_inches="tight")
            paths.append(path)
        return paths

    def section(self, level: int = 2) -> str:
        """The report section: heading, body, figures, claims."""
        lines = [f"{'#' * level} {self.title}", "", self.markdown.strip(), ""]
        for filename in self.figures:
            lines += [f"![{self.title}]({filename})", ""]
        if self.claims:
            lines += ["Checked on these data:", ""]
            for c in self.claims:
                mark = c.status
                lines.append(f"- {c.text}: **{mark}** ({c.evidence})")
            lines.append("")
        lines.append(f"_{self.seconds:.1f} s._")
        return "\n".join(lines) + "\n"


class Progress:
    """A one-line text progress bar on stderr (no dependency): ``Progress(total, label)``,
    ``step(n=1, note="")``, ``close()``.

    ``enabled``: True draws, False is silent, None (default) draws only when the stream is a
    terminal (``stream.isatty()``), so a log file or a pipe receives no carriage-return
    lines."""

    def __init__(self, total: int = 0, label: str = "", enabled: bool | None = None,
                 stream: Any = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            enabled = _is_terminal(self.stream)
        self.total, self.label, self.enabled = max(int(total), 0), label, bool(enabled)
        self.done, self.start = 0, time.perf_counter()
        self._draw("")

    def add(self, n: int) -> None:
        """Announce ``n`` more steps of work."""
        self.total += int(n)
        self._draw("")

    def step(self, n: int = 1, note: str = "") -> None:
        self.done += int(n)
        self._draw(note)

    def _draw(self, note: str) -> None:
        if not self.enabled:
            return
        width = 30
        frac = self.done / self.total if self.total else 0.0
        bar = "#" * int(round(frac * width))
        elapsed = time.perf_counter() - self.start
        text = (f"\r{self.label:<24.24} [{bar:<{width}}] {self.done}/{self.total} "
                f"{elapsed:6.1f}s {note:<30.30}")
        self.stream.write(text)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _is_terminal(stream: Any) -> bool:
    """Whether ``stream`` is an interactive terminal (False when it cannot say)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def seeds(seed: int, n: int) -> list[int]:
    """``n`` independent integer seeds derived from ``seed`` (NumPy's SeedSequence)."""
    import numpy as np

    return [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(n)]


def fit_line(x: Any, y: Any) -> tuple[float, float, float]:
    """Least squares y = a + b x: (a, b, R^2). Fit logarithms for growth rates."""
    import numpy as np

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    b, a = np.polyfit(x, y, 1)
    resid = y - (a + b * x)
    r2 = 1.0 - float(resid @ resid) / float(((y - y.mean()) ** 2).sum())
    return float(a), float(b), r2


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table; floats are shown with 4 significant digits."""

    def cell(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:.4g}"
        return str(v)

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def add_run_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    """``--out``, ``--quick`` and ``--seed``, shared by every experiment's command line and by
    ``python -m regions.reproduce``; ``what`` says what ``--out`` receives."""
    parser.add_argument("--out", default="reproduction",
                        help=f"folder for {what} (default: reproduction)")
    parser.add_argument("--quick", action="store_true", help="a smoke-size run")
    parser.add_argument("--seed", type=int, default=0, help="the fixed seed (default 0)")


def run_steps(name: str, title: str, steps: Any, quick: bool, seed: int,
              progress: "Progress | None") -> Result:
    """An experiment split into steps: ``steps`` (its module) has ``measure(quick, seed,
    progress) -> data``, ``claims(data)``, ``report(data)`` (the section's Markdown) and
    ``figures(data)``; returns their :class:`Result`, timed."""
    start = time.perf_counter()
    data = steps.measure(quick, seed, progress)
    return Result(name, title, steps.report(data), steps.figures(data), data,
                  steps.claims(data), time.perf_counter() - start)


def run_one(run: Callable[..., Result], quick: bool, seed: int, out: str | Path,
            progress: Progress) -> Result:
    """Run one experiment with a progress bar, write its figures into ``out`` and release
    them."""
    result = run(quick=quick, seed=seed, progress=progress)
    progress.close()
    result.save(out)
    _close(result)
    return result


def standalone(run: Callable[..., Result], argv: Sequence[str] | None = None,
               description: str = "") -> Result:
    """The command line of one experiment: runs it, writes its figures and its report
    section (``<name>.md``) into ``--out``, prints the section."""
    parser = argparse.ArgumentParser(description=description)
    add_run_arguments(parser, "the figures and the section")
    args = parser.parse_args(argv)
    _agg()
    progress = Progress(label=description[:24] or "experiment")
    result = run_one(run, args.quick, args.seed, args.out, progress)
    path = Path(args.out) / f"{result.name}.md"
    path.write_text(result.section())
    print(result.section())
    print(f"wrote {path} and {len(result.figures)} figure(s) in {args.out}")
    return result


def _agg() -> None:
    """Use matplotlib's file-only backend (no display needed)."""
    try:
        import matplotlib
    except ImportError as err:  # pragma: no cover - the plot extra is missing
        raise ImportError(
            "the experiments draw figures with matplotlib: pip install 'regions[plot]'"
        ) from err
    matplotlib.use("Agg")


def _close(result: Result) -> None:
    import matplotlib.pyplot as plt

    for fig in result.figures.values():
        plt.close(fig)
