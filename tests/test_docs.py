"""The documentation site (docs/): the API pages cover the public API, the tutorial's first
task is under 30 lines, and setup.cfg and CI run the tutorial and the build.

The tutorial itself runs as a doctest (setup.cfg's testpaths and --doctest-glob), and CI
builds the site with warnings as errors (.ci/run); these tests check what those two cannot:
that nothing public is left out of the reference, and that the promises about the tutorial
hold.
"""

import configparser
import re
from pathlib import Path

import pytest

import bounds
import regions

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SUBMODULES = ("trace", "partition", "polyhedral", "batch", "tracking", "kinds", "certified",
              "streaming", "distributed", "graph", "operators", "constructions", "strategies",
              "plot", "sweep")


def _names_on(page: str) -> set[str]:
    """Names an API page documents: autosummary entries, directives and cross-references."""
    text = (DOCS / "api" / page).read_text()
    entries = set(re.findall(r"^   ([A-Za-z_][A-Za-z0-9_]*)$", text, re.M))
    entries |= set(re.findall(r"^\.\. (?:data|auto\w+):: (?:\w+\.)*(\w+)$", text, re.M))
    entries |= set(re.findall(r":\w+:`(?:[\w.]+\.)?(\w+)`", text))
    return entries


@pytest.mark.parametrize("package, page", [(regions, "regions.rst"), (bounds, "bounds.rst")])
def test_every_public_name_is_on_its_package_page(package, page):
    missing = set(package.__all__) - _names_on(page) - {"symbols"}
    assert not missing, f"docs/api/{page} leaves out {sorted(missing)}"


def test_bounds_symbols_and_every_public_submodule_have_a_page():
    assert ".. automodule:: bounds.symbols" in (DOCS / "api" / "bounds.rst").read_text()
    index = (DOCS / "api" / "index.rst").read_text()
    for name in SUBMODULES:
        page = DOCS / "api" / f"{name}.rst"
        assert page.exists(), f"no page docs/api/{name}.rst"
        assert f".. automodule:: regions.{name}" in page.read_text()
        assert re.search(rf"^   {name}$", index, re.M), f"{name} missing from api/index.rst"


def _section(title: str) -> str:
    text = (DOCS / "tutorial.rst").read_text()
    body = re.split(re.escape(title) + r"\n-+\n", text, maxsplit=1)[1]
    return re.split(r"\n[^\n]+\n-{3,}\n", body, maxsplit=1)[0]


def test_tutorial_goes_from_pip_install_to_a_count_against_bounds_in_under_30_lines():
    first = _section("Count the regions of your own trained model")
    lines = [line for line in first.splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("python -m pip"))
    assert "install" in lines[start]
    call = next(i for i, line in enumerate(lines) if line.startswith(">>> montufar_lower_bound("))
    walkthrough = lines[start:call + 2]           # the command, the session, the last output
    assert not walkthrough[-1].startswith((">>>", "...")), "the bounds' output is shown"
    text = "\n".join(walkthrough)
    for use in ("from_torch(", "trace(", "partition(", "serra_upper_bound(",
                "montufar_lower_bound("):
        assert use in text, f"the walkthrough does not call {use}"
    assert len(walkthrough) < 30, f"{len(walkthrough)} lines to a count against its bounds"


def test_tutorial_has_every_task():
    text = (DOCS / "tutorial.rst").read_text()
    for title, uses in [
        ("Count the regions of your own trained model", ("from_torch", "Segment", "Plane.through")),
        ("Check a bound against an exact count", ("serra_upper_bound", "montufar_lower_bound")),
        ("Measure trajectory length per layer", (".lengths",)),
        ("Trace many segments at once", ("trace_segments", "segment_pairs")),
        ("Track counts during training", ("RegionTracker", ".record(")),
        ("Write a property test with ``regions.strategies``", ("regions.strategies", "@given")),
    ]:
        assert title in text
        for use in uses:
            assert use in _section(title), f"section {title!r} does not use {use}"
    assert "for_network" not in text


def test_tutorial_is_collected_by_the_suite_and_the_docs_are_built_in_ci():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    pytest_cfg = cfg["tool:pytest"]
    assert "docs/tutorial.rst" in pytest_cfg["testpaths"].split()
    assert "--doctest-glob=*.rst" in pytest_cfg["addopts"].split()
    docs_extra = cfg["options.extras_require"]["docs"]
    assert "sphinx" in docs_extra and "numpydoc" in docs_extra
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"sphinx(-build| -M| )[^\n]*-W", ci) or "sphinx -W" in ci
    assert ci.index("pytest") < ci.index("sphinx")
