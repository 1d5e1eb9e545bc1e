"""An independent, deliberately naive exact oracle for graphs with two inputs: the regions of
positive area inside a box, by clipping convex polygons node by node in Fractions.

Each cell carries the affine map (plane coordinates -> values) of every node computed so
far. An elementwise node cuts a cell along each neuron's threshold lines; a group maximum
cuts it into the cells where each candidate is the maximum (the first on ties). No code is
shared with the engines: affine nodes use the operator matrices of ``test_graph.naive_dense``
(explicit loops for convolutions).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from regions.graph import Affine, Elementwise, GroupMax

from .oracle_2d import _area2, _clip


def _cut(poly, g, e, keep_above, zero_keeps):
    """``_clip`` with a choice for a function identically zero on the polygon."""
    if all(g[0] * x + g[1] * y + e == 0 for x, y in poly):
        return poly if zero_keeps else None
    return _clip(poly, g, e, keep_above)


def regions_in_box(graph, lower, upper, dense):
    """(number of regions, list of (area, pattern)) of a two-input graph inside the box;
    ``dense(op)`` gives an operator's matrix (Fractions)."""
    F = Fraction
    (x0, y0), (x1, y1) = [F(v) for v in lower], [F(v) for v in upper]
    box = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    eye = np.array([[F(1), F(0)], [F(0), F(1)]], dtype=object)
    cells = [(box, {graph.input.name: (eye, np.array([F(0), F(0)], dtype=object))}, ())]
    for node in graph.nodes[1:]:
        out = []
        for poly, env, pattern in cells:
            ins = [env[i] for i in node.inputs]
            if isinstance(node, Affine):
                m = dense(node.op)
                A, c = m @ ins[0][0], m @ ins[0][1]
                if node.bias is not None:
                    c = c + np.array([F(v) for v in node.bias], dtype=object)
                out.append((poly, {**env, node.name: (A, c)}, pattern))
            elif isinstance(node, Elementwise):
                out.extend(_elementwise(node, poly, env, pattern, *ins[0]))
            elif isinstance(node, GroupMax):
                out.extend(_group_max(node, poly, env, pattern, *ins[0]))
            elif node.kind == "Add":
                A = sum((a for a, _ in ins[1:]), ins[0][0])
                c = sum((b for _, b in ins[1:]), ins[0][1])
                out.append((poly, {**env, node.name: (A, c)}, pattern))
            elif node.kind == "Concat":
                A = np.concatenate([a for a, _ in ins])[node.order]
                c = np.concatenate([b for _, b in ins])[node.order]
                out.append((poly, {**env, node.name: (A, c)}, pattern))
            else:
                out.append((poly, {**env, node.name: ins[0]}, pattern))
        cells = out
    return len(cells), [(abs(_area2(p)) / 2, pat) for p, _, pat in cells]


def _elementwise(node, poly, env, pattern, A, c):
    act = node.activation
    parts = [(poly, [])]
    for g, e in zip(A, c):
        nxt = []
        for part, idx in parts:
            rest = part
            for k, th in enumerate(act.thresholds):
                below = _cut(rest, g, e - th, False, True)  # on the threshold: below
                above = _cut(rest, g, e - th, True, False)
                if below is not None:
                    nxt.append((below, idx + [k]))
                rest = above
                if rest is None:
                    break
            if rest is not None:
                nxt.append((rest, idx + [len(act.thresholds)]))
        parts = nxt
    for part, idx in parts:
        alpha = np.array([act.slopes[k] for k in idx], dtype=object)
        beta = np.array([act.intercepts[k] for k in idx], dtype=object)
        codes = tuple(act.codes[k] for k in idx)
        yield part, {**env, node.name: (alpha[:, None] * A, alpha * c + beta)}, pattern + (
            codes,)


def _group_max(node, poly, env, pattern, A, c):
    parts = [(poly, [])]
    for group in node.groups:
        members = [int(i) for i in group if i >= 0]
        nxt = []
        for part, chosen in parts:
            for pos, a in enumerate(members):
                cell = part
                for other_pos, b in enumerate(members):
                    if cell is None or b == a:
                        continue
                    g, e = A[a] - A[b], c[a] - c[b]
                    cell = _cut(cell, g, e, True, other_pos > pos)  # a tie goes to the first
                if cell is not None:
                    nxt.append((cell, chosen + [(pos, a)]))
        parts = nxt
    for part, chosen in parts:
        rows = [a for _, a in chosen]
        yield part, {**env, node.name: (A[rows], c[rows])}, pattern + (
            tuple(p for p, _ in chosen),)
