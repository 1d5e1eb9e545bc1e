"""Exact region counts of a PyTorch model at chosen steps of your own training loop.

A :class:`RegionTracker` holds fixed trajectories (a segment between two data points, a
line, a polyline through the data, an arc) and fixed domains (a :class:`~regions.Plane`
slice of the input, a box, or None for the whole input space of a small-input model). Call
:meth:`RegionTracker.record` with the model and the step wherever you like in the loop: it
imports the model's current weights with :func:`regions.from_torch` (in eval mode, restored
afterwards), counts exactly with :func:`regions.trace` along each trajectory and
:func:`regions.partition` in each domain, and appends one record per trajectory and domain.
Read them as :attr:`RegionTracker.records`, a pandas DataFrame, or a figure of counts over
training (:func:`plot_counts`).

The tracker needs torch (``pip install torch``) only when recording; ``import regions``
does not import it.

References
----------
.. [1] M. Raghu, B. Poole, J. Kleinberg, S. Ganguli, J. Sohl-Dickstein, "On the Expressive
   Power of Deep Neural Networks", ICML 2017, Section 4 (transitions along a trajectory
   during training).
.. [2] B. Hanin, D. Rolnick, "Complexity of Linear Regions in Deep Networks", ICML 2019,
   Section 4 (regions in a 2-D slice through data points during training).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ._tables import dataframe

__all__ = ["RegionTracker", "plot_counts"]


@dataclass
class RegionTracker:
    """Exact counts along fixed trajectories and in fixed domains at chosen training steps.

    Parameters
    ----------
    example_input : torch.Tensor
        A batch of inputs (batch axis first) for :func:`regions.from_torch` (shapes only).
    trajectories : mapping of str to trajectory, optional
        Named :class:`~regions.Segment`, :class:`~regions.Line`, :class:`~regions.Polyline`
        or :class:`~regions.Arc` in the model's (flattened) input space.
    domains : mapping of str to domain, optional
        Named domains for :func:`regions.partition`: a :class:`~regions.Plane` slice, a
        :class:`~regions.Box`, :class:`~regions.Polytope` or :class:`~regions.Slice`, or
        None for the whole input space.
    exact : bool, optional
        Exact counts (True) or float mode with its tolerance (False, the default: the
        float counts equal the exact ones on generic trained weights, much faster).

    Examples
    --------
    >>> import torch
    >>> from regions import Segment
    >>> model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(),
    ...                             torch.nn.Linear(8, 1))
    >>> tracker = RegionTracker(torch.zeros(1, 2),
    ...                         trajectories={"diagonal": Segment([-1, -1], [1, 1])},
    ...                         domains={"plane": None})
    >>> opt = torch.optim.SGD(model.parameters(), lr=0.1)
    >>> for step in range(3):
    ...     loss = model(torch.randn(16, 2)).pow(2).mean()
    ...     opt.zero_grad(); loss.backward(); opt.step()
    ...     _ = tracker.record(model, step)
    >>> [(r["step"], r["name"], r["what"]) for r in tracker.records[:2]]
    [(0, 'diagonal', 'pieces'), (0, 'plane', 'regions')]
    """

    example_input: Any
    trajectories: Mapping[str, Any] = field(default_factory=dict)
    domains: Mapping[str, Any] = field(default_factory=dict)
    exact: bool = False
    records: list[dict[str, Any]] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        if not self.trajectories and not self.domains:
            raise ValueError("RegionTracker needs at least one trajectory or domain; got "
                             "neither")
        for what, table in (("trajectories", self.trajectories), ("domains", self.domains)):
            if not isinstance(table, Mapping):
                raise TypeError(f"{what} must be a mapping of names to {what}, got "
                                f"{type(table).__name__}")
        clash = set(self.trajectories) & set(self.domains)
        if clash:
            raise ValueError(f"names must be unique; {sorted(clash)[0]!r} names both a "
                             "trajectory and a domain")

    def record(self, model: Any, step: int) -> list[dict[str, Any]]:
        """Count the model's regions now; returns (and keeps) one record per trajectory and
        domain: ``step``, ``name``, ``what`` ("pieces" or "regions"), ``count`` and, for a
        trajectory, ``transitions``."""
        from .partition import partition
        from .torch_io import from_torch
        from .trace import trace

        if isinstance(step, bool) or not isinstance(step, int):
            raise TypeError(f"step must be an int, got {type(step).__name__}")
        was_training = bool(getattr(model, "training", False))
        model.eval()
        try:
            graph = from_torch(model, self.example_input)
        finally:
            model.train(was_training)
        new = []
        for name, path in self.trajectories.items():
            tr = trace(graph, path, exact=self.exact)
            new.append({"step": step, "name": name, "what": "pieces", "count": tr.num_pieces,
                        "transitions": tr.transitions})
        for name, domain in self.domains.items():
            part = partition(graph, domain, exact=self.exact)
            new.append({"step": step, "name": name, "what": "regions",
                        "count": part.num_regions, "transitions": None})
        self.records.extend(new)
        return new

    def to_dataframe(self) -> Any:
        """The records as a pandas DataFrame (needs pandas)."""
        return dataframe(self.records, "RegionTracker.to_dataframe",
                         columns=["step", "name", "what", "count", "transitions"])

    def plot(self, ax: Any = None) -> Any:
        """:func:`plot_counts` of this tracker."""
        return plot_counts(self, ax)


def plot_counts(tracker: RegionTracker, ax: Any = None) -> Any:
    """Counts over training: one line per trajectory (pieces) and domain (regions), named in
    the legend; a log count axis only when the counts span more than a decade. Needs
    matplotlib; returns the Axes."""
    import matplotlib.pyplot as plt

    if not tracker.records:
        raise ValueError("tracker has no records yet: call tracker.record(model, step) first")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    names = list(dict.fromkeys(r["name"] for r in tracker.records))
    for name in names:
        rows = [r for r in tracker.records if r["name"] == name]
        what = rows[0]["what"]
        ax.plot([r["step"] for r in rows], [r["count"] for r in rows], marker="o",
                label=f"{name} ({what})")
    counts = [r["count"] for r in tracker.records]
    if min(counts) > 0 and max(counts) > 10 * min(counts):
        ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("exact count" if tracker.exact else "count (float mode)")
    ax.set_title("Linear pieces and regions during training")
    ax.legend()
    return ax
