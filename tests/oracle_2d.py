"""An independent, deliberately naive exact oracle: activation regions of a two-input network
inside a box, by clipping convex polygons neuron by neuron in Fractions.

No NumPy and no code shared with the engine. Each region of the previous layers is a convex
polygon carrying the network's affine map there; each neuron of the next layer cuts it along
its threshold lines (a neuron's pre-activation is affine on the polygon), and each resulting
cell of positive area is one region. Only for small networks.
"""

from __future__ import annotations

from fractions import Fraction

THRESHOLDS = {"relu": (0,), "hardtanh": (-1, 1), "leaky_relu": (0,), "abs": (0,), "linear": ()}
SLOPES = {
    "relu": (0, 1),
    "hardtanh": (0, 1, 0),
    "leaky_relu": (Fraction(1, 100), 1),
    "abs": (-1, 1),
    "linear": (1,),
}
INTERCEPTS = {"relu": (0, 0), "hardtanh": (-1, 0, 1), "leaky_relu": (0, 0), "abs": (0, 0),
              "linear": (0,)}


def _area2(poly):
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1]))


def _clip(poly, g, e, keep_above):
    """The part of the convex polygon where g . x + e >= 0 (keep_above) or <= 0."""
    values = [g[0] * x + g[1] * y + e for x, y in poly]
    if all(v == 0 for v in values):  # constant on the threshold: the piece below (tie rule)
        return None if keep_above else poly
    out = []
    n = len(poly)
    for i in range(n):
        p, q = poly[i], poly[(i + 1) % n]
        fp = g[0] * p[0] + g[1] * p[1] + e
        fq = g[0] * q[0] + g[1] * q[1] + e
        inside_p = fp >= 0 if keep_above else fp <= 0
        inside_q = fq >= 0 if keep_above else fq <= 0
        if inside_p:
            out.append(p)
        if (fp > 0 and fq < 0) or (fp < 0 and fq > 0):
            lam = fp / (fp - fq)
            out.append((p[0] + lam * (q[0] - p[0]), p[1] + lam * (q[1] - p[1])))
    dedup = []
    for v in out:
        if not dedup or dedup[-1] != v:
            dedup.append(v)
    if len(dedup) > 1 and dedup[0] == dedup[-1]:
        dedup.pop()
    return dedup if len(dedup) >= 3 and _area2(dedup) != 0 else None


def regions_in_box(net, lower, upper):
    """Number of activation regions of positive area of a two-input network inside the box."""
    F = Fraction
    (x0, y0), (x1, y1) = [F(v) for v in lower], [F(v) for v in upper]
    box = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    # a cell: (polygon, A (rows of the affine map's linear part), c (its offset))
    cells = [(box, [[F(1), F(0)], [F(0), F(1)]], [F(0), F(0)])]
    for w, b, act in zip(net.weights, net.biases, net.activations):
        w = [[F(v) for v in row] for row in w.tolist()]
        b = [F(v) for v in b.tolist()]
        name = act.name
        new_cells = []
        for poly, A, c in cells:
            # pre-activation of neuron j on this cell: g_j . x + e_j
            gs = [[sum(wr[k] * A[k][i] for k in range(len(A))) for i in range(2)] for wr in w]
            es = [sum(wr[k] * c[k] for k in range(len(c))) + bj for wr, bj in zip(w, b)]
            parts = [(poly, [])]  # (polygon, piece index of each neuron so far)
            for g, e in zip(gs, es):
                next_parts = []
                for part, idx in parts:
                    rest = part
                    thresholds = THRESHOLDS[name]
                    for k, th in enumerate(thresholds):
                        below = _clip(rest, g, e - th, keep_above=False)
                        above = _clip(rest, g, e - th, keep_above=True)
                        if below is not None:
                            next_parts.append((below, idx + [k]))
                        if above is None:
                            rest = None
                            break
                        rest = above
                    if rest is not None:
                        next_parts.append((rest, idx + [len(thresholds)]))
                parts = next_parts
            for part, idx in parts:
                alpha = [F(SLOPES[name][k]) for k in idx]
                beta = [F(INTERCEPTS[name][k]) for k in idx]
                A2 = [[alpha[j] * gs[j][i] for i in range(2)] for j in range(len(w))]
                c2 = [alpha[j] * es[j] + beta[j] for j in range(len(w))]
                new_cells.append((part, A2, c2))
        cells = new_cells
    return len(cells)
