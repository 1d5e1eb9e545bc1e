"""Sweeps (regions.sweep): row by row, resumable without recomputing or duplicating rows."""

from __future__ import annotations

import csv

import pytest

from regions import Segment, random_network, trace
from regions.sweep import grid_points, read_table, sweep

GRID = {"act": ["relu", "hardtanh"], "width": [4, 8, 12], "seed": [0, 1]}


def pieces(act, width, seed):
    net = random_network([2, width, width, 1], act, sigma_w=2.0, seed=seed)
    tr = trace(net, Segment([-1.0, 0.5], [1.0, -0.25]))
    return {"pieces": tr.num_pieces, "transitions": tr.transitions,
            "length": float(tr.lengths[-1])}


class Killed(Exception):
    pass


def test_interrupted_sweep_resumes_without_recomputing_or_duplicates(tmp_path):
    path = tmp_path / "table.csv"
    calls = []

    def dies_after_five(**point):
        if len(calls) == 5:
            raise Killed("killed part way")
        calls.append(point)
        return pieces(**point)

    with pytest.raises(Killed):
        sweep(dies_after_five, GRID, path)
    assert len(read_table(path)) == 5  # every finished row was written at once

    # the process killed while writing a row: a half line is dropped on resume
    with open(path, "a") as f:
        f.write("hardtanh,12,1,9")
    again = []

    def counting(**point):
        again.append(point)
        return pieces(**point)

    rows = sweep(counting, GRID, path)
    assert len(again) == 12 - 5
    assert not any(p in calls for p in again)  # no finished row computed again
    keys = [(r["act"], r["width"], r["seed"]) for r in rows]
    assert len(keys) == len(set(keys)) == 12
    # the same table as an uninterrupted sweep (in another order)
    whole = sweep(pieces, GRID, tmp_path / "whole.csv")
    assert sorted(map(sorted, (r.items() for r in rows))) == \
        sorted(map(sorted, (r.items() for r in whole)))
    assert sweep(counting, GRID, path) == rows and len(again) == 7  # nothing left
    with open(path) as f:
        assert next(csv.reader(f)) == ["act", "width", "seed", "pieces", "transitions",
                                       "length"]


def test_floats_round_trip_and_errors(tmp_path):
    rows = sweep(lambda x: {"y": x / 3}, {"x": [0.1, 1e-300, 2.5]}, tmp_path / "f.csv")
    assert [float(r["y"]) for r in rows] == [0.1 / 3, 1e-300 / 3, 2.5 / 3]
    assert len(sweep(lambda x: 1 / 0, {"x": [0.1, 1e-300, 2.5]}, tmp_path / "f.csv")) == 3
    with pytest.raises(TypeError, match=r"fn must return a mapping of column -> value"):
        sweep(lambda x: x, {"x": [1]}, tmp_path / "g.csv")
    with pytest.raises(TypeError, match=r"grid setting 'x' must be a scalar"):
        sweep(lambda x: {}, {"x": [[1, 2]]}, tmp_path / "h.csv")
    with pytest.raises(TypeError, match=r"grid\['x'\] must be a sequence of values"):
        grid_points({"x": 3})
    with pytest.raises(ValueError, match="do not include the grid's settings"):
        sweep(lambda z: {"y": 1}, {"z": [1]}, tmp_path / "f.csv")
