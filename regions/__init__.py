"""Exact linear regions of piecewise-linear neural networks.

The public names: :class:`Network` and :func:`random_network`; the trajectories
:class:`Segment`, :class:`Line`, :class:`Polyline`, :class:`Arc`; :func:`trace` and its result
:class:`Trace`, and many segments at once with :func:`trace_segments` (:func:`segment_pairs`,
:class:`SegmentTraces`); :func:`partition` of a plane (or a :class:`Plane` slice) into regions, with
:class:`Partition` and :class:`Region`, and of any input dimension (domains :class:`Box`,
:class:`Polytope`, :class:`Slice`, :func:`neighbourhood`) with :class:`PolyhedralPartition`
and :class:`PolyhedralRegion`; the sampling baseline :func:`sample_trace` and :class:`SampledTrace`; the
activations (:data:`ACTIVATIONS`, :class:`Activation`, :func:`get_activation`,
:func:`leaky_relu`, :func:`hardtanh`); networks as graphs of operations (:class:`Graph`,
:class:`GraphBuilder`, :func:`as_graph`, :mod:`regions.graph`, :mod:`regions.operators`),
imported with :func:`from_torch` and :func:`from_onnx` and exported with :func:`to_torch`;
counts during training with :class:`RegionTracker`.
Hypothesis strategies live in :mod:`regions.strategies`, constructions in
:mod:`regions.constructions`. The arithmetic of a computation is a number kind
(:mod:`regions.kinds`: :data:`FLOAT`, :data:`RATIONAL`, :data:`CERTIFIED`); certified
filtering is described in :mod:`regions.certified`.
"""

from .activations import ACTIVATIONS, Activation, get_activation, hardtanh, leaky_relu
from .network import Network, random_network
from .graph import Graph, GraphBuilder, as_graph
from .torch_io import from_torch, to_torch
from .onnx_io import from_onnx
from .trace import DEFAULT_TOLERANCE, Trace, trace
from .batch import SegmentTraces, segment_pairs, trace_segments
from .tracking import RegionTracker
from .sampling import SampledTrace, sample_trace
from .trajectory import Arc, Line, Polyline, Segment
from .plane import Plane
from .domains import Box, Polytope, Slice, neighbourhood
from .polyhedral import PolyhedralPartition, PolyhedralRegion
from .partition import PARTITION_TOLERANCE, Partition, Region, partition
from .kinds import CERTIFIED, FLOAT, RATIONAL

__all__ = [
    "ACTIVATIONS",
    "CERTIFIED",
    "FLOAT",
    "RATIONAL",
    "Activation",
    "Arc",
    "Box",
    "Polytope",
    "PolyhedralPartition",
    "PolyhedralRegion",
    "Slice",
    "neighbourhood",
    "Graph",
    "GraphBuilder",
    "as_graph",
    "from_onnx",
    "from_torch",
    "hardtanh",
    "leaky_relu",
    "to_torch",
    "DEFAULT_TOLERANCE",
    "Line",
    "Network",
    "PARTITION_TOLERANCE",
    "Partition",
    "Plane",
    "Polyline",
    "Region",
    "RegionTracker",
    "SampledTrace",
    "Segment",
    "SegmentTraces",
    "segment_pairs",
    "trace_segments",
    "Trace",
    "get_activation",
    "partition",
    "random_network",
    "sample_trace",
    "trace",
]

__version__ = "0.1.0"
