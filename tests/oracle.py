"""An independent, deliberately naive oracle for exact tracing along a segment.

Pure Python and Fractions, no NumPy, no shared code with the engine: a loop over pieces and
neurons that evaluates the network from scratch at every point it needs. Only for tiny nets.
"""

from __future__ import annotations

from fractions import Fraction

THRESHOLDS = {"relu": (0,), "hardtanh": (-1, 1), "leaky_relu": (0,), "abs": (0,), "linear": ()}
CODE_OFFSET = {"relu": 0, "hardtanh": -1, "leaky_relu": 0, "abs": 0, "linear": 0}


def _phi(name, h):
    if name == "relu":
        return max(h, Fraction(0))
    if name == "hardtanh":
        return min(max(h, Fraction(-1)), Fraction(1))
    if name == "leaky_relu":
        return h if h > 0 else h / 100
    if name == "abs":
        return abs(h)
    return h


class Oracle:
    def __init__(self, net):
        self.w = [[[Fraction(v) for v in row] for row in w.tolist()] for w in net.weights]
        self.b = [[Fraction(v) for v in b.tolist()] for b in net.biases]
        self.acts = [a.name for a in net.activations]

    def pre_activations(self, x):
        """All layers' pre-activations at point x (list of lists)."""
        out, z = [], [Fraction(v) for v in x]
        for w, b, act in zip(self.w, self.b, self.acts):
            h = [sum((wi * zi for wi, zi in zip(row, z)), Fraction(0)) + bi for row, bi in zip(w, b)]
            out.append(h)
            z = [_phi(act, v) for v in h]
        return out, z

    def pattern(self, x):
        hs, _ = self.pre_activations(x)
        pat = []
        for h, act in zip(hs, self.acts):
            for v in h:
                pat.append(sum(1 for th in THRESHOLDS[act] if v > th) + CODE_OFFSET[act])
        return tuple(pat)

    def trace_segment(self, x0, x1, lo=Fraction(0), hi=Fraction(1)):
        """Knots in (lo, hi) of the path x0 + t (x1 - x0), the pattern of each piece and the
        transitions at each knot."""
        x0 = [Fraction(v) for v in x0]
        x1 = [Fraction(v) for v in x1]

        def point(t):
            return [a + t * (b - a) for a, b in zip(x0, x1)]

        breaks = {Fraction(lo), Fraction(hi)}
        for d, act in enumerate(self.acts):
            bs = sorted(breaks)
            for a, b in zip(bs, bs[1:]):
                ha = self.pre_activations(point(a))[0][d]
                hb = self.pre_activations(point(b))[0][d]
                for j in range(len(ha)):
                    for th in THRESHOLDS[act]:
                        if (ha[j] - th) * (hb[j] - th) < 0:
                            breaks.add(a + (th - ha[j]) / (hb[j] - ha[j]) * (b - a))
        bs = sorted(breaks)
        pats = [self.pattern(point((a + b) / 2)) for a, b in zip(bs, bs[1:])]
        knots, kept, trans = [], [pats[0]], []
        for i in range(1, len(pats)):
            if pats[i] != pats[i - 1]:
                knots.append(bs[i])
                kept.append(pats[i])
                trans.append(sum(abs(p - q) for p, q in zip(pats[i], pats[i - 1])))
        return knots, kept, trans

    def output(self, x):
        return self.pre_activations(x)[1]
