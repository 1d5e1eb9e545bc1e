"""Bad input gives a clear error: ValueError or TypeError naming the argument, what was expected
and what was given. Never a silent wrong answer, never a traceback from deep inside NumPy.

Each case asserts the exception type and a regex on the message that names the argument
(and, where it helps, the value or shape that was given).
"""

import decimal
import math
import re
from fractions import Fraction

import numpy as np
import pytest

from regions import Line, Network, Polyline, Segment, get_activation, random_network, trace
from regions.sampling import sample_trace

F = Fraction
ACTIVATION_NAMES = re.escape(str(sorted(__import__("regions").ACTIVATIONS)))


class Opaque:
    """An object that is not a number."""


def net_1d():
    """|x| = relu(x) + relu(-x): input width 1, widths (1, 2, 1)."""
    return Network([[[1.0], [-1.0]], [[1.0, 1.0]]], [[0.0, 0.0], [0.0]], "relu")


def net_2d():
    """Input width 2, widths (2, 3, 1)."""
    return Network([np.ones((3, 2)), np.ones((1, 3))], [np.zeros(3), np.zeros(1)], "relu")


def seg_1d():
    return Segment([0.0], [1.0])


def one_layer(w, b=((0.0,),)):
    return Network([w], list(b), "linear")


# -- Network: shapes ---------------------------------------------------------------------


def test_weight_columns_must_match_previous_width():
    with pytest.raises(ValueError, match=r"weights\[1\] must have 2 columns.*got shape \(1, 3\)"):
        Network([np.ones((2, 1)), np.ones((1, 3))], [np.zeros(2), np.zeros(1)])


def test_bias_length_must_match_weight_rows():
    with pytest.raises(
        ValueError, match=r"biases\[0\] must have shape \(2,\).*weights\[0\].*got shape \(3,\)"
    ):
        Network([[[1.0], [2.0]]], [[0.0, 0.0, 0.0]])


def test_one_bias_vector_per_weight_matrix():
    with pytest.raises(
        ValueError, match=r"biases must have one entry per layer: 2 weight matrices but 1 bias"
    ):
        Network([[[1.0], [-1.0]], [[1.0, 1.0]]], [[0.0, 0.0]])


@pytest.mark.parametrize(
    "weights, shown",
    [
        (np.ones((2, 2)), r"2-D array of shape \(2, 2\)"),
        ([[1.0, 2.0], [3.0, 4.0]], r"2x2 matrix"),
    ],
    ids=["ndarray", "nested-list"],
)
def test_weights_as_a_single_matrix(weights, shown):
    with pytest.raises(
        TypeError, match=rf"weights must be a sequence of 2-D weight matrices.*{shown}"
    ):
        Network(weights, [[0.0, 0.0]])


def test_biases_as_a_single_vector():
    with pytest.raises(
        TypeError, match=r"biases must be a sequence of 1-D bias vectors.*2 numbers"
    ):
        Network([[[1.0], [2.0]]], [0.0, 0.0])


@pytest.mark.parametrize(
    "weights, biases, pattern",
    [
        ([[[1.0], [2.0, 3.0]]], [[0.0, 0.0]], r"weights\[0\] must be a rectangular 2-D array"),
        ([[[1.0, [2.0]]]], [[0.0]], r"weights\[0\] must be a rectangular 2-D array"),
        ([[[1.0], [2.0]]], [[0.0, [0.0]]], r"biases\[0\] must be a rectangular 1-D array"),
    ],
    ids=["ragged-rows", "nested-entry", "ragged-bias"],
)
def test_ragged_nested_lists(weights, biases, pattern):
    with pytest.raises(ValueError, match=pattern + ".*ragged"):
        Network(weights, biases)


@pytest.mark.parametrize(
    "weights, biases, pattern",
    [
        ([np.ones(2)], [[0.0]], r"weights\[0\] must be a 2-D array; got an array of shape \(2,\)"),
        (
            [[[1.0]], [1.0]], [[0.0], [0.0]],
            r"weights\[1\] must be a 2-D array; got an array of shape \(1,\)",
        ),
        (
            [np.ones((1, 1, 1))], [[0.0]],
            r"weights\[0\] must be a 2-D array; got an array of shape \(1, 1, 1\)",
        ),
        ([[[1.0]]], [[[0.0]]], r"biases\[0\] must be a 1-D array; got an array of shape \(1, 1\)"),
        (
            [[[1.0]]], [np.ones((1, 1))],
            r"biases\[0\] must be a 1-D array; got an array of shape \(1, 1\)",
        ),
    ],
    ids=["1-D-ndarray", "1-D-list", "3-D", "2-D-bias", "2-D-bias-ndarray"],
)
def test_weight_and_bias_dimensions(weights, biases, pattern):
    with pytest.raises(ValueError, match=pattern):
        Network(weights, biases)


def test_weights_as_a_3d_ndarray():
    with pytest.raises(
        TypeError, match=r"weights must be a list or tuple of 2-D arrays.*shape \(1, 1, 1\)"
    ):
        Network(np.ones((1, 1, 1)), [[0.0]])


@pytest.mark.parametrize("weights", [None, 3.0, "w", {"a": 1}], ids=repr)
def test_weights_container_type(weights):
    with pytest.raises(TypeError, match=r"weights must be a list or tuple of 2-D arrays, got"):
        Network(weights, [[0.0]])


def test_biases_container_type():
    with pytest.raises(
        TypeError, match=r"biases must be a list or tuple of 1-D arrays, got NoneType"
    ):
        Network([[[1.0]]], None)


# -- Network: empty ----------------------------------------------------------------------


@pytest.mark.parametrize("weights", [[], ()], ids=["list", "tuple"])
def test_empty_network(weights):
    with pytest.raises(ValueError, match=r"weights must hold at least one layer; got an empty"):
        Network(weights, [])


@pytest.mark.parametrize(
    "weights, biases, shape",
    [
        (np.zeros((0, 2)), np.zeros(0), r"\(0, 2\)"),
        (np.zeros((2, 0)), np.zeros(2), r"\(2, 0\)"),
    ],
    ids=["no-rows", "no-columns"],
)
def test_zero_size_weight_matrix(weights, biases, shape):
    with pytest.raises(
        ValueError,
        match=rf"weights\[0\] must have at least one row and column; got shape {shape}",
    ):
        Network([weights], [biases])


def test_empty_nested_weight_list():
    with pytest.raises(
        ValueError, match=r"weights\[0\] must be a 2-D array; got an array of shape \(0,\)"
    ):
        Network([[]], [[]])


# -- Network: NaN and infinity -------------------------------------------------------------


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("as_array", [False, True], ids=["list", "ndarray"])
def test_non_finite_weight(bad, as_array):
    w = [[1.0, bad]]
    with pytest.raises(ValueError, match=rf"weights\[0\] must be finite; entry \(0, 1\) is {bad}"):
        Network([np.array(w) if as_array else w], [[0.0]])


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
def test_non_finite_bias(bad):
    with pytest.raises(ValueError, match=rf"biases\[1\] must be finite; entry \(0,\) is {bad}"):
        Network([[[1.0]], [[1.0]]], [[0.0], [bad]])


# -- Network: activations ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sigmoid", "ReLU", ""])
def test_unknown_activation(name):
    with pytest.raises(
        ValueError,
        match=rf"activations must be one of {ACTIVATION_NAMES}; "
        rf"got unknown activation {re.escape(repr(name))}",
    ):
        Network([[[1.0]], [[1.0]]], [[0.0], [0.0]], name)


def test_unknown_activation_in_list():
    with pytest.raises(
        ValueError, match=r"activations\[1\] must be one of .*got unknown activation 'tanh'"
    ):
        Network([[[1.0]], [[1.0]]], [[0.0], [0.0]], ["relu", "tanh"])


@pytest.mark.parametrize("acts", [3, None, {"relu": 1}, np.array(["relu", "linear"])], ids=repr)
def test_activations_not_a_string_or_list(acts):
    with pytest.raises(
        TypeError, match=r"activations must be a string or a list of strings, got"
    ):
        Network([[[1.0]], [[1.0]]], [[0.0], [0.0]], acts)


@pytest.mark.parametrize("bad", [None, 1, np.tanh], ids=["None", "int", "function"])
def test_non_string_activation_in_list(bad):
    with pytest.raises(
        TypeError, match=r"activations\[0\] must be a string naming one of .* of type"
    ):
        Network([[[1.0]], [[1.0]]], [[0.0], [0.0]], [bad, "linear"])


@pytest.mark.parametrize("acts", [["relu"], ["relu", "relu", "linear"], []], ids=len)
def test_wrong_number_of_activations(acts):
    with pytest.raises(
        ValueError,
        match=rf"activations must name one activation per layer: 2 layers but {len(acts)}",
    ):
        Network([[[1.0]], [[1.0]]], [[0.0], [0.0]], acts)


@pytest.mark.parametrize("name", ["tanh", "Relu"])
def test_get_activation_unknown(name):
    with pytest.raises(
        ValueError, match=rf"activation name must be one of .*got unknown activation '{name}'"
    ):
        get_activation(name)


@pytest.mark.parametrize("name", [None, 0, b"relu"], ids=repr)
def test_get_activation_not_a_string(name):
    with pytest.raises(
        TypeError, match=r"activation name must be a string naming one of .* of type"
    ):
        get_activation(name)


# -- non-numeric entries, everywhere ---------------------------------------------------------

NON_NUMERIC = [
    pytest.param("a", r"'a' of type str", id="str"),
    pytest.param(None, r"None of type NoneType", id="None"),
    pytest.param(1 + 2j, r"\(1\+2j\) of type complex", id="complex"),
    pytest.param(True, r"True of type bool", id="bool"),
    pytest.param(np.True_, r"of type bool", id="numpy-bool"),
    pytest.param(decimal.Decimal("0.1"), r"Decimal\('0.1'\) of type Decimal", id="Decimal"),
    pytest.param(Opaque(), r"of type Opaque", id="object"),
]

# (callable taking the bad entry, the argument name the message must carry)
ENTRY_SITES = [
    pytest.param(lambda v: Network([[[1.0, v]]], [[0.0]]), r"weights\[0\]", id="weight"),
    pytest.param(lambda v: Network([[[1.0]]], [[v]]), r"biases\[0\]", id="bias"),
    pytest.param(lambda v: Segment([0.0, v], [1.0, 1.0]), r"x0", id="Segment.x0"),
    pytest.param(lambda v: Segment([0.0], [v]), r"x1", id="Segment.x1"),
    pytest.param(lambda v: Line([v], [1.0]), r"point", id="Line.point"),
    pytest.param(lambda v: Line([0.0], [v]), r"direction", id="Line.direction"),
    pytest.param(lambda v: Polyline([[0.0], [v]]), r"points", id="Polyline"),
    pytest.param(lambda v: net_2d()([0.5, v]), r"x", id="net(x)"),
    pytest.param(lambda v: net_1d()([[0.5], [v]]), r"x", id="net(batch)"),
]


@pytest.mark.parametrize("site, name", ENTRY_SITES)
@pytest.mark.parametrize("value, shown", NON_NUMERIC)
def test_non_numeric_entry(site, name, value, shown):
    with pytest.raises(
        TypeError, match=rf"^{name} must hold real numbers .*entry .* is .*{shown}"
    ):
        site(value)


@pytest.mark.parametrize("site, name", ENTRY_SITES)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
def test_non_finite_entry(site, name, bad):
    with pytest.raises(ValueError, match=rf"^{name} must be finite; entry .* is {bad}"):
        site(bad)


@pytest.mark.parametrize("site, name", ENTRY_SITES)
def test_mixed_float_and_fraction_entries(site, name):
    # each site puts the entry next to a float, so a Fraction there mixes the two kinds
    with pytest.raises(TypeError, match=r"mix(es)? float and Fraction entries") as info:
        site(F(1, 3))
    assert re.search(rf"(^|\W){name}(\W|$)", str(info.value))


@pytest.mark.parametrize(
    "make, pattern",
    [
        (
            lambda: Network([[[F(1, 2)]]], [[0.5]]),
            r"weights and biases mix float and Fraction entries: "
            r"biases\[0\] holds floats but weights\[0\] holds Fractions",
        ),
        (
            lambda: Network([[[0.5]], [[F(1)]]], [[0], [0]]),
            r"weights and biases mix .*weights\[0\] holds floats but weights\[1\] holds Fractions",
        ),
        (lambda: Segment([0.5], [F(1)]), r"x0 and x1 mix float and Fraction entries"),
        (lambda: Line([F(1)], [0.5]), r"point and direction mix float and Fraction entries"),
        (lambda: Plane([F(1), F(0), F(0)], [[0.5, 0, 0], [0, 1.0, 0]]),
         r"origin and directions mix float and Fraction entries"),
    ],
    ids=["weights-vs-biases", "layer-vs-layer", "Segment", "Line", "Plane"],
)
def test_float_and_fraction_across_arrays(make, pattern):
    with pytest.raises(TypeError, match=pattern):
        make()


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda v: Network([np.array([[1, v]], dtype=object)], [[0]]), r"weights\[0\]"),
        (lambda v: Segment([v], [0]), r"x0"),
        (lambda v: net_1d()(np.array([v], dtype=np.int64) if v < 2**63 else [v]), r"x"),
    ],
    ids=["weights", "Segment", "net(x)"],
)
@pytest.mark.parametrize(
    "big", [2**53 + 1, 2**62 + 1, 10**400], ids=["2**53+1", "2**62+1", "10**400"]
)
def test_integer_float64_cannot_hold(make, name, big):
    """An integer float64 would round is refused, not silently rounded (ints are exact)."""
    with pytest.raises(
        ValueError, match=rf"{name} must hold integers that float64 represents exactly"
    ):
        make(big)


@pytest.mark.parametrize(
    "make, name",
    [
        (
            lambda: Network([np.array([[1 + 1j]])], [[0.0]]),
            r"weights\[0\] must hold real numbers, got an array of dtype complex128",
        ),
        (
            lambda: Network([np.array([[True]])], [[0.0]]),
            r"weights\[0\] must hold real numbers, got a boolean array",
        ),
        (
            lambda: Segment(np.array(["1.0"]), [0.0]),
            r"x0 must hold real numbers, got an array of dtype <U3",
        ),
        (lambda: net_1d()(np.array([True])), r"x must hold real numbers, got a boolean array"),
    ],
    ids=["complex-weights", "bool-weights", "str-x0", "bool-x"],
)
def test_non_numeric_ndarray_dtype(make, name):
    with pytest.raises(TypeError, match=name):
        make()


@pytest.mark.parametrize(
    "make, pattern",
    [
        (
            lambda: Network(["abc"], [[0.0]]),
            r"weights\[0\] must be a 2-D array of real numbers, got 'abc' of type str",
        ),
        (
            lambda: Network([None], [[0.0]]),
            r"weights\[0\] must be a 2-D array of real numbers, got None",
        ),
        (
            lambda: Segment("01", [1.0, 1.0]),
            r"x0 must be a 1-D array of real numbers, got '01' of type str",
        ),
        (lambda: Segment([0.0], None), r"x1 must be a 1-D array of real numbers, got None"),
        (
            lambda: Polyline(Opaque()),
            r"points must be a 2-D array with one row per point.* of real numbers, "
            r"got .* of type Opaque",
        ),
        (
            lambda: net_1d()("0.5"),
            r"x must be a 1-D or 2-D array of real numbers, got '0.5' of type str",
        ),
        (lambda: net_1d()(None), r"x must be a 1-D or 2-D array of real numbers, got None"),
    ],
    ids=["weights-str", "weights-None", "x0-str", "x1-None", "points-object", "x-str", "x-None"],
)
def test_whole_argument_not_an_array(make, pattern):
    with pytest.raises(TypeError, match=pattern):
        make()


# -- trajectories ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x0, x1",
    [([1.0, 2.0], [1.0, 2.0]), ([F(1, 3)], [F(1, 3)]), ([0, 0], [0.0, -0.0])],
    ids=["float", "Fraction", "signed-zero"],
)
def test_zero_length_segment(x0, x1):
    with pytest.raises(
        ValueError, match=r"x0 and x1 must differ: a zero-length segment.*got x0 == x1 =="
    ):
        Segment(x0, x1)


@pytest.mark.parametrize("direction", [[0.0], [0.0, -0.0], [F(0), F(0)]], ids=repr)
def test_zero_line_direction(direction):
    with pytest.raises(ValueError, match=r"direction must be non-zero; got \["):
        Line([1] * len(direction), direction)


@pytest.mark.parametrize(
    "points, where",
    [
        ([[0.0], [1.0], [1.0]], r"points\[1\] and points\[2\]"),
        ([[0, 0], [0, 0]], r"points\[0\] and points\[1\]"),
    ],
    ids=["last-two", "first-two"],
)
def test_polyline_repeated_consecutive_points(points, where):
    with pytest.raises(ValueError, match=rf"{where} are equal: consecutive points must differ"):
        Polyline(points)


@pytest.mark.parametrize(
    "points, given",
    [([[0.0, 1.0]], r"got 1 \(shape \(1, 2\)\)"), (np.zeros((0, 2)), r"got 0 \(shape \(0, 2\)\)")],
    ids=["one", "none"],
)
def test_polyline_fewer_than_two_points(points, given):
    with pytest.raises(ValueError, match=rf"points must hold at least two points; {given}"):
        Polyline(points)


@pytest.mark.parametrize(
    "points, pattern",
    [
        ([0.0, 1.0], r"points must be a 2-D array with one row per point.*; got .* shape \(2,\)"),
        (
            np.zeros((2, 2, 1)),
            r"points must be a 2-D array with one row per point.*; got .* shape \(2, 2, 1\)",
        ),
        (np.zeros((3, 0)), r"points must have at least one coordinate each; got shape \(3, 0\)"),
        ([[0.0], [1.0, 2.0]], r"points must be a rectangular .* array; got ragged"),
    ],
    ids=["1-D", "3-D", "no-coordinates", "ragged"],
)
def test_polyline_shape(points, pattern):
    with pytest.raises(ValueError, match=pattern):
        Polyline(points)


@pytest.mark.parametrize(
    "make, pattern",
    [
        (
            lambda: Segment([0.0], [1.0, 2.0]),
            r"x0 and x1 must have the same dimension; got 1 and 2",
        ),
        (
            lambda: Line([0.0, 0.0], [1.0]),
            r"point and direction must have the same dimension; got 2 and 1",
        ),
        (lambda: Segment([], []), r"x0 must have at least one coordinate; got an empty vector"),
        (lambda: Line([0.0], []), r"direction must have at least one coordinate; got an empty"),
        (lambda: Segment(0.0, 1.0), r"x0 must be a 1-D array; got the scalar 0.0"),
        (
            lambda: Segment([[0.0]], [[1.0]]),
            r"x0 must be a 1-D array; got an array of shape \(1, 1\)",
        ),
        (
            lambda: Line([[0.0], [1.0, 2.0]], [1.0]),
            r"point must be a rectangular 1-D array; got ragged",
        ),
    ],
    ids=[
        "Segment-dims", "Line-dims", "Segment-empty", "Line-empty", "Segment-scalar", "Segment-2-D",
        "Line-ragged",
    ],
)
def test_segment_and_line_shape(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


# -- net(x) ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x, given",
    [
        ([1.0, 2.0], r"got a point of dimension 2"),
        ([[1.0, 2.0]], r"got points of dimension 2 \(x of shape \(1, 2\)\)"),
        ([], r"got a point of dimension 0"),
    ],
    ids=["point", "batch", "empty"],
)
def test_call_wrong_number_of_coordinates(x, given):
    with pytest.raises(
        ValueError,
        match=rf"x must have 1 coordinate\(s\) per point \(the network's input width\); {given}",
    ):
        net_1d()(x)


@pytest.mark.parametrize(
    "x, given",
    [(1.0, r"the scalar 1.0"), (np.zeros((1, 1, 1)), r"an array of shape \(1, 1, 1\)")],
    ids=["scalar", "3-D"],
)
def test_call_wrong_number_of_dimensions(x, given):
    with pytest.raises(ValueError, match=rf"x must be a 1-D or 2-D array; got {given}"):
        net_1d()(x)


def test_call_ragged_batch():
    with pytest.raises(ValueError, match=r"x must be a rectangular 1-D or 2-D array; got ragged"):
        net_1d()([[1.0], [1.0, 2.0]])


def test_call_fraction_input_on_float_network_is_not_rounded():
    """Not an error, but the silent-wrong-answer half of the contract: 1/3 is not rounded."""
    out = Network([[[0.5]]], [[0.0]], "linear")([F(1, 3)])
    assert out.tolist() == [F(1, 6)]


def test_integers_go_with_fractions():
    """Integer-only arrays are exact, so they combine with Fraction arrays without error."""
    assert Network([[[F(1, 2)]]], [[0]], "linear").is_exact
    assert Segment([F(1, 2)], [0]).is_exact


# -- trace -------------------------------------------------------------------------------------


@pytest.mark.parametrize("net", [None, "net", [[[1.0]]]], ids=repr)
def test_trace_net_not_a_network(net):
    with pytest.raises(TypeError, match=r"net must be a regions.Network or regions.Graph, got"):
        trace(net, seg_1d())


@pytest.mark.parametrize(
    "trajectory", [None, [0.0, 1.0], np.array([[0.0], [1.0]])], ids=["None", "list", "ndarray"]
)
def test_trace_trajectory_not_a_trajectory(trajectory):
    with pytest.raises(
        TypeError, match=r"trajectory must be a regions.Segment, Line, Polyline or Arc, got"
    ):
        trace(net_1d(), trajectory)


@pytest.mark.parametrize(
    "net, trajectory, dims",
    [
        (net_1d(), Segment([0.0, 0.0], [1.0, 1.0]), (2, 1)),
        (net_2d(), Line([0.0], [1.0]), (1, 2)),
        (net_2d(), Polyline([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]), (3, 2)),
    ],
    ids=["Segment", "Line", "Polyline"],
)
def test_trace_dimension_mismatch(net, trajectory, dims):
    with pytest.raises(
        ValueError,
        match=rf"trajectory has dimension {dims[0]} but the network's input width is {dims[1]}",
    ):
        trace(net, trajectory)


@pytest.mark.parametrize("exact", ["yes", 1, 0, 1.0], ids=repr)
def test_trace_exact_not_a_bool(exact):
    with pytest.raises(
        TypeError, match=rf"exact must be True, False or None.*, got {re.escape(repr(exact))}"
    ):
        trace(net_1d(), seg_1d(), exact)


def test_trace_tol_with_exact():
    with pytest.raises(ValueError, match=r"tol applies to float mode only; this trace is exact"):
        trace(net_1d(), seg_1d(), True, tol=1e-12)


def test_trace_tol_with_inferred_exact():
    with pytest.raises(ValueError, match=r"tol applies to float mode only"):
        trace(net_1d(), Segment([F(0)], [F(1)]), tol=1e-12)


@pytest.mark.parametrize("tol", [-1e-12, 1e-3, 0.5, math.inf, math.nan], ids=repr)
def test_trace_tol_out_of_range(tol):
    with pytest.raises(ValueError, match=rf"tol must be in \[0, 1e-3\), got {tol}"):
        trace(net_1d(), seg_1d(), tol=tol)


@pytest.mark.parametrize("tol", ["1e-12", F(1, 10**12), True, 1e-12 + 0j, [1e-12]], ids=repr)
def test_trace_tol_not_a_float(tol):
    with pytest.raises(TypeError, match=r"tol must be a float, got"):
        trace(net_1d(), seg_1d(), tol=tol)


# -- sample_trace --------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 0, -5])
def test_sample_trace_too_few_samples(n):
    with pytest.raises(ValueError, match=rf"n must be at least 2 \(both endpoints\), got {n}"):
        sample_trace(net_1d(), seg_1d(), n)


@pytest.mark.parametrize("n", [10.0, "10", True, None, F(10)], ids=repr)
def test_sample_trace_n_not_an_integer(n):
    with pytest.raises(
        TypeError, match=rf"n must be an integer number of samples, got {re.escape(repr(n))}"
    ):
        sample_trace(net_1d(), seg_1d(), n)


def test_sample_trace_unbounded_line():
    with pytest.raises(
        ValueError, match=r"trajectory must be bounded to be sampled at equal spacing; got a Line"
    ):
        sample_trace(net_1d(), Line([0.0], [1.0]), 10)


@pytest.mark.parametrize(
    "net, trajectory, dims",
    [
        (net_1d(), Segment([0.0, 0.0], [1.0, 1.0]), (2, 1)),
        (net_2d(), Polyline([[0.0], [1.0]]), (1, 2)),
    ],
    ids=["Segment", "Polyline"],
)
def test_sample_trace_dimension_mismatch(net, trajectory, dims):
    with pytest.raises(
        ValueError,
        match=rf"trajectory has dimension {dims[0]} but the network's input width is {dims[1]}",
    ):
        sample_trace(net, trajectory, 10)


def test_sample_trace_net_not_a_network():
    with pytest.raises(TypeError, match=r"net must be a regions.Network or regions.Graph, got NoneType"):
        sample_trace(None, seg_1d(), 10)


@pytest.mark.parametrize("trajectory", ["seg", [0.0, 1.0]], ids=repr)
def test_sample_trace_trajectory_not_a_trajectory(trajectory):
    with pytest.raises(
        TypeError, match=r"trajectory must be a regions.Segment, Polyline or Arc, got"
    ):
        sample_trace(net_1d(), trajectory, 10)


@pytest.mark.parametrize("exact", ["no", 2], ids=repr)
def test_sample_trace_exact_not_a_bool(exact):
    with pytest.raises(TypeError, match=r"exact must be True, False or None, got"):
        sample_trace(net_1d(), seg_1d(), 10, exact)


# -- random_network ------------------------------------------------------------------------------


@pytest.mark.parametrize("widths", [[], [3], (4,)], ids=repr)
def test_random_network_widths_too_short(widths):
    with pytest.raises(
        ValueError,
        match=r"widths must list the input width and at least one layer width; got \[",
    ):
        random_network(widths)


@pytest.mark.parametrize(
    "widths", [3, "21", None, (w for w in [2, 1])], ids=["int", "str", "None", "generator"]
)
def test_random_network_widths_not_a_sequence(widths):
    with pytest.raises(
        TypeError, match=r"widths must be a sequence of positive integers, got"
    ):
        random_network(widths)


@pytest.mark.parametrize(
    "widths, index, shown",
    [
        ([2, 3.0, 1], 1, "3.0"),
        ([2, True], 1, "True"),
        (["2", 1], 0, "'2'"),
        ([2, None], 1, "None"),
        (np.array([2.0, 1.0]), 0, r".*2\.0.*"),
    ],
    ids=["float", "bool", "str", "None", "float-ndarray"],
)
def test_random_network_width_not_an_integer(widths, index, shown):
    with pytest.raises(TypeError, match=rf"widths\[{index}\] must be an integer, got {shown}"):
        random_network(widths)


@pytest.mark.parametrize(
    "widths, index, value", [([2, 0, 1], 1, 0), ([0, 1], 0, 0), ([2, -3], 1, -3)], ids=repr
)
def test_random_network_width_not_positive(widths, index, value):
    with pytest.raises(ValueError, match=rf"widths\[{index}\] must be at least 1, got {value}"):
        random_network(widths)


@pytest.mark.parametrize("sigma_w", [0, 0.0, -1.0, math.nan, math.inf], ids=repr)
def test_random_network_bad_sigma_w(sigma_w):
    with pytest.raises(ValueError, match=rf"sigma_w must be finite and > 0, got {sigma_w}"):
        random_network([2, 1], sigma_w=sigma_w)


@pytest.mark.parametrize("sigma_b", [-0.1, -1, math.nan, -math.inf], ids=repr)
def test_random_network_bad_sigma_b(sigma_b):
    with pytest.raises(ValueError, match=rf"sigma_b must be finite and >= 0, got {sigma_b}"):
        random_network([2, 1], sigma_b=sigma_b)


@pytest.mark.parametrize("name", ["sigma_w", "sigma_b"])
@pytest.mark.parametrize("value", ["1", None, True, 1j], ids=repr)
def test_random_network_sigma_not_a_real(name, value):
    with pytest.raises(
        TypeError, match=rf"{name} must be a real number, got {re.escape(repr(value))}"
    ):
        random_network([2, 1], **{name: value})


def test_random_network_sigma_fraction_is_accepted():
    assert random_network([2, 1], sigma_w=F(1, 2), seed=0).widths == (2, 1)


def test_random_network_unknown_activation():
    with pytest.raises(
        ValueError, match=r"activation must be one of .*got unknown activation 'sigmoid'"
    ):
        random_network([2, 3, 1], "sigmoid")


@pytest.mark.parametrize("activation", [None, 1, ["relu"]], ids=repr)
def test_random_network_activation_not_a_string(activation):
    with pytest.raises(TypeError, match=r"activation must be a string naming one of"):
        random_network([2, 3, 1], activation)


@pytest.mark.parametrize("seed", ["x", 1.5, True], ids=repr)
def test_random_network_seed_type(seed):
    with pytest.raises(
        TypeError,
        match=rf"seed must be an int, a numpy.random.Generator or None, got "
        rf"{re.escape(repr(seed))} of type {type(seed).__name__}",
    ):
        random_network([2, 1], seed=seed)


def test_random_network_negative_seed():
    with pytest.raises(ValueError, match=r"seed must be a non-negative integer, got -1"):
        random_network([2, 1], seed=-1)


def test_custom_activation_with_a_registered_name_is_refused():
    from fractions import Fraction as F

    from regions import Activation

    shifted = Activation("relu", (F(1),), (F(0), F(1)), (F(0), F(-1)), (0, 1))
    with pytest.raises(ValueError, match=r"activations\[0\] is a custom Activation named 'relu'"):
        Network([[[1.0]], [[1.0]]], [[0.0], [0.0]], [shifted, "linear"])


def test_activation_tables_are_checked():
    from fractions import Fraction as F

    from regions import Activation

    with pytest.raises(ValueError, match=r"must be continuous: at threshold 1"):
        Activation("step", (F(1),), (F(0), F(1)), (F(0), F(0)), (0, 1))
    with pytest.raises(ValueError, match=r"thresholds must increase strictly"):
        Activation("bad", (F(1), F(0)), (F(0), F(1), F(0)), (F(0), F(-1), F(1)), (0, 1, 2))
    with pytest.raises(ValueError, match=r"slopes must have 2 entries"):
        Activation("bad", (F(0),), (F(0),), (F(0), F(0)), (0, 1))
    with pytest.raises(TypeError, match=r"thresholds must hold fractions.Fraction"):
        Activation("bad", (0.5,), (F(0), F(1)), (F(0), F(-1, 2)), (0, 1))
    with pytest.raises(ValueError, match=r"same slope"):
        Activation("bad", (F(0),), (F(1), F(1)), (F(0), F(0)), (0, 1))


def test_parametrised_activations_check_their_arguments():
    from regions.activations import hardtanh, leaky_relu

    with pytest.raises(ValueError, match=r"min_val must be below max_val; got min_val=2"):
        hardtanh(2, 1)
    with pytest.raises(TypeError, match=r"slope must be a real number"):
        leaky_relu(None)
    with pytest.raises(ValueError, match=r"slope must differ from 1"):
        leaky_relu(1.0)


def test_masked_and_extended_precision_arrays_are_refused():
    with pytest.raises(TypeError, match=r"weights\[0\] must be a plain array; got a masked"):
        Network([np.ma.array([[1.0]], mask=[[False]])], [[0.0]], "relu")
    net = random_network([2, 3, 1], seed=0)
    if np.dtype(np.longdouble).itemsize > 8:
        with pytest.raises(TypeError, match=r"x has dtype .*which float64 would round"):
            net(np.array([1, 2], dtype=np.longdouble))
        # a long double inside a list is refused too, not rounded silently
        with pytest.raises(TypeError, match=r"x entry \(0,\) is a longdouble, which float64"):
            net([np.longdouble("0.1"), 1.0])


def test_random_network_widths_must_be_a_sequence():
    with pytest.raises(TypeError, match=r"widths must be a sequence of positive integers"):
        random_network({2, 3})


def test_sample_trace_refuses_sample_counts_beyond_memory():
    net = random_network([2, 3, 1], seed=0)
    with pytest.raises(ValueError, match=r"n = 1000000000000 samples would need about"):
        sample_trace(net, Segment([0.0, 0.0], [1.0, 1.0]), 10**12)


# -- partition, Plane, Region ----------------------------------------------------------------

from regions import Plane, partition  # noqa: E402

SQUARE = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]


def net_3d():
    return Network([np.ones((2, 3)), np.ones((1, 2))], [np.zeros(2), np.zeros(1)], "relu")


@pytest.mark.parametrize("net", [None, "relu", np.ones((2, 2))], ids=repr)
def test_partition_net_type(net):
    with pytest.raises(TypeError, match=r"net must be a regions\.Network or regions\.Graph, got"):
        partition(net)


def test_partition_polygon_needs_two_inputs_or_a_plane():
    assert partition(net_3d()).dim == 3  # the whole of R^3: the n-dimensional engine
    with pytest.raises(ValueError, match=r"net has 1 inputs.*Plane"):
        partition(net_1d(), SQUARE)


def test_partition_plane_dimension_must_match():
    plane = Plane([0.0, 0.0, 0.0, 0.0], [[1, 0, 0, 0], [0, 1, 0, 0]])
    with pytest.raises(ValueError, match=r"domain is a Plane in 4 dimensions.*input width is 3"):
        partition(net_3d(), plane)


@pytest.mark.parametrize("domain", ["square", 3.0, {"a": 1}], ids=repr)
def test_partition_domain_type(domain):
    with pytest.raises(TypeError, match=r"domain must be None.*Plane; got"):
        partition(net_2d(), domain)


@pytest.mark.parametrize(
    "domain, pattern",
    [
        ([[0, 0], [1, 0]], r"domain must have at least 3 distinct vertices.*got 2"),
        ([[0, 0], [1, 1], [2, 2]], r"domain must have positive area"),
        ([[0, 0], [2, 0], [1, 1], [2, 2], [0, 2]], r"domain must be convex.*vertex 2"),
        ([[0, 0, 0], [1, 0, 0], [0, 1, 0]], r"domain must have shape \(k, 2\).*\(3, 3\)"),
        ([0, 1, 2], r"domain must be a 2-D array of shape \(k, 2\)"),
        ([[0, 0], [1, 0], [math.nan, 1]], r"domain"),
        ([[0, 0], [0, 0], [0, 0]], r"at least 3 distinct vertices.*got 1"),
    ],
    ids=["two-vertices", "collinear", "non-convex", "3-d", "1-d", "nan", "one-point"],
)
def test_partition_domain_polygon(domain, pattern):
    with pytest.raises(ValueError, match=pattern):
        partition(net_2d(), domain)


def test_partition_domain_winding_twice_is_refused():
    # a pentagram-like path of a square's corners visited twice turns left at every vertex
    star = [[1, 0], [0, 1], [-1, 0], [0, -1]] * 2
    with pytest.raises(ValueError, match=r"domain must be (a simple convex polygon|convex)"):
        partition(net_2d(), star)


def test_partition_mixed_fraction_and_float_domain():
    with pytest.raises(TypeError, match=r"domain.*mix"):
        partition(net_2d(), [[F(0), 0.0], [1.0, 0.0], [0.0, 1.0]])


@pytest.mark.parametrize("exact", ["yes", 1, None.__class__], ids=repr)
def test_partition_exact_type(exact):
    with pytest.raises(TypeError, match=r"exact must be True, False or None"):
        partition(net_2d(), exact=exact)


def test_partition_tol():
    with pytest.raises(ValueError, match=r"tol applies to float mode only"):
        partition(net_2d(), exact=True, tol=1e-9)
    with pytest.raises(TypeError, match=r"tol must be a float, got 'x'"):
        partition(net_2d(), tol="x")
    with pytest.raises(ValueError, match=r"tol must be in \[0, 1e-3\), got 0.5"):
        partition(net_2d(), tol=0.5)


@pytest.mark.parametrize(
    "origin, directions, pattern",
    [
        ([0.0, 0.0, 0.0], [[1, 0, 0], [2, 0, 0]], r"directions must be linearly independent"),
        ([0.0, 0.0, 0.0], [[1, 0, 0]], r"directions must have shape \(2, 3\).*got shape \(1, 3\)"),
        ([0.0, 0.0, 0.0], [[1, 0], [0, 1]], r"directions must have shape \(2, 3\).*\(2, 2\)"),
        ([], [[], []], r"origin must have at least one coordinate"),
        ([0.0, 0.0, 0.0], [[0, 0, 0], [0, 1, 0]], r"directions must be linearly independent"),
    ],
)
def test_plane_arguments(origin, directions, pattern):
    with pytest.raises(ValueError, match=pattern):
        Plane(origin, directions)


def test_plane_through_collinear_or_mismatched_points():
    with pytest.raises(ValueError, match=r"p0, p1 and p2 must not be collinear"):
        Plane.through([0, 0, 0], [1, 1, 1], [2, 2, 2])
    with pytest.raises(ValueError, match=r"p0, p1 and p2 must have the same dimension.*3, 3 and 2"):
        Plane.through([0, 0, 0], [1, 0, 0], [0, 1])
    with pytest.raises(ValueError, match=r"polygon must be convex"):
        Plane.through([0, 0, 0], [1, 0, 0], [0, 1, 0],
                      polygon=[[0, 0], [2, 0], [1, 1], [2, 2], [0, 2]])


def test_plane_to_input_shape():
    plane = Plane.through([0, 0, 0], [1, 0, 0], [0, 1, 0])
    with pytest.raises(ValueError, match=r"coords must have 2 entries per point; got shape \(1, 3\)"):
        plane.to_input([[1, 2, 3]])


def test_region_index_and_locate_arguments():
    part = partition(net_2d(), SQUARE)
    with pytest.raises(TypeError, match=r"i must be an integer region index, got float"):
        part.region(0.5)
    with pytest.raises(ValueError, match=r"i must be a region index in \[0, 1\); got 5"):
        part.region(5)
    with pytest.raises(ValueError, match=r"points must have shape \(k, 2\); got shape \(1, 3\)"):
        part.locate([[0, 0, 0]])
    with pytest.raises(ValueError, match=r"points must be a 2-D array"):
        part.locate([0.5, 0.5])


# -- float range (issue 12: float mode raises rather than answering from lost digits) -----------


def _scaled(net, factor):
    return Network([w * factor for w in net.weights], net.biases, "relu")


@pytest.mark.parametrize("factor, what", [(1e-100, "underflow"), (1e120, "overflow")])
def test_float_mode_refuses_values_beyond_float64(factor, what):
    from regions import Arc

    net = _scaled(random_network([2, 16, 16, 16, 1], "relu", sigma_w=1.4, seed=0), factor)
    calls = [lambda: trace(net, Segment([-1.0, 0.0], [1.0, 0.5])),
             lambda: trace(net, Line([0.0, 0.0], [1.0, 0.5])),
             lambda: trace(net, Arc.circle([1.0, 0.0], [0.0, 1.0])),
             lambda: partition(net)]
    for call in calls:
        with pytest.raises(FloatingPointError, match=rf"node 'layer\d' .*\({what}\)"):
            call()


def test_large_but_representable_values_trace_like_the_unscaled_network():
    """A power of two scales float results exactly: the same counts at 2^200 (an arc's
    quadratics are normalised, so their discriminants do not overflow)."""
    from regions import Arc

    net = random_network([2, 16, 16, 16, 1], "relu", sigma_w=1.4, seed=0)
    big = _scaled(net, 2.0**200)
    for path in (Arc.circle([1.0, 0.0], [0.0, 1.0]), Segment([-1.0, 0.0], [1.0, 0.5])):
        a, b = trace(net, path), trace(big, path)
        assert a.num_pieces == b.num_pieces and a.transitions == b.transitions
    assert partition(net).num_regions == partition(big).num_regions


@pytest.mark.parametrize("size", [1e200, 1e-200])
def test_partition_of_a_huge_or_tiny_box_has_no_nan(size):
    """Coordinates near the ends of float64's range: the domain check, the new vertices and
    the maps are computed in units that do not overflow or underflow; areas beyond float64
    are inf, never NaN."""
    net = random_network([2, 8, 8, 1], "relu", sigma_w=1.4, sigma_b=1.0, seed=0)
    box = [[-size, -size], [size, -size], [size, size], [-size, size]]
    part = partition(net, box)
    assert not np.isnan(part.areas).any() and not np.isnan(part.linear_maps).any()
    scale = net.weights[0] @ np.diag([size, size])  # the same map on the unit box
    unit = partition(Network([scale] + list(net.weights[1:]), net.biases, "relu"),
                     [[-1, -1], [1, -1], [1, 1], [-1, 1]])
    assert part.num_regions == unit.num_regions
