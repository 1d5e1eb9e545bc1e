"""``python -m regions.reproduce --quick``: the smoke run of the main job. Each experiment's
own claims are tested from its data in tests/test_experiments_*.py; here: the command writes
every figure and a report with every section, from a fixed seed, deterministically."""

import re
import subprocess
import sys

import pytest

pytest.importorskip("matplotlib")

from regions import reproduce  # noqa: E402
from regions.experiments import EXPERIMENTS  # noqa: E402


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("reproduction")
    results = reproduce.main(["--quick", "--out", str(out), "--no-progress"])
    return out, results


def test_quick_run_writes_every_section_and_figure(quick_run):
    out, results = quick_run
    assert [r.name for r in results] == list(EXPERIMENTS)
    report = (out / "report.md").read_text()
    for r in results:
        assert f"## {r.title}" in report
        assert r.figures, f"{r.name} draws no figure"
        for filename in r.figures:
            assert (out / filename).stat().st_size > 1000
            assert f"]({filename})" in report
    # the header counts the claims that hold, consistently with the sections
    held = sum(c.holds for r in results for c in r.claims)
    total = sum(len(r.claims) for r in results)
    assert re.search(rf"{held} of {total} checked claims hold", report)
    assert report.count("**holds**") == held


def test_every_experiment_states_claims_with_evidence(quick_run):
    _, results = quick_run
    for r in results:
        assert r.claims, f"{r.name} checks no claim"
        for c in r.claims:
            assert c.text and c.evidence


def test_only_runs_the_named_experiments_and_is_deterministic(tmp_path):
    a = reproduce.main(["--quick", "--out", str(tmp_path / "a"), "--no-progress",
                        "--only", "region_boundaries"])
    b = reproduce.main(["--quick", "--out", str(tmp_path / "b"), "--no-progress",
                        "--only", "region_boundaries"])
    assert [r.name for r in a] == ["region_boundaries"]
    assert a[0].data == b[0].data
    c = reproduce.main(["--quick", "--out", str(tmp_path / "c"), "--no-progress",
                        "--only", "region_boundaries", "--seed", "1"])
    assert c[0].data != a[0].data


def test_unknown_experiment_is_refused_with_the_choices(tmp_path, capsys):
    with pytest.raises(SystemExit):
        reproduce.main(["--out", str(tmp_path), "--only", "fig99"])
    err = capsys.readouterr().err
    assert "--only: unknown experiment(s) fig99" in err and "length_growth" in err


def test_module_entry_point_help():
    done = subprocess.run([sys.executable, "-m", "regions.reproduce", "--help"],
                          capture_output=True, text=True, check=True)
    assert "--quick" in done.stdout and "--out" in done.stdout


def test_resume_reuses_finished_experiments_and_runs_the_rest(tmp_path, monkeypatch):
    """An interrupted run (here: one of two experiments finished) resumes without running
    the finished one again; another seed or size is not reused."""
    from regions.experiments import region_boundaries

    out = str(tmp_path / "r")
    first = reproduce.main(["--quick", "--out", out, "--no-progress",
                            "--only", "region_boundaries"])
    calls = []
    original = region_boundaries.run

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(region_boundaries, "run", counted)
    both = reproduce.main(["--quick", "--out", out, "--no-progress", "--resume",
                           "--only", "region_boundaries,dichotomies"])
    assert calls == []  # finished: not run again
    assert [r.name for r in both] == ["region_boundaries", "dichotomies"]
    assert both[0].data == first[0].data
    report = (tmp_path / "r" / "report.md").read_text()
    assert f"## {both[0].title}" in report and f"## {both[1].title}" in report
    reproduce.main(["--quick", "--out", out, "--no-progress", "--resume",
                    "--only", "region_boundaries", "--seed", "1"])
    assert calls == [1]  # another seed: run
    reproduce.main(["--quick", "--out", out, "--no-progress", "--only", "region_boundaries"])
    assert calls == [1, 1]  # without --resume: run


# -- the progress bar ------------------------------------------------------------------------


class _Terminal:
    """A stream that says it is a terminal."""

    def __init__(self):
        self.text = ""

    def write(self, s):
        self.text += s

    def flush(self):
        pass

    def isatty(self):
        return True


def test_progress_draws_only_on_a_terminal_unless_told():
    import io

    from regions.experiments._common import Progress

    pipe, tty = io.StringIO(), _Terminal()
    for stream in (pipe, tty):
        bar = Progress(total=3, label="x", stream=stream)
        bar.step(note="one")
        bar.close()
    assert pipe.getvalue() == ""                 # not a terminal: silent
    assert "\r" in tty.text and "1/3" in tty.text
    forced, off = io.StringIO(), _Terminal()
    Progress(total=1, stream=forced, enabled=True).step()
    Progress(total=1, stream=off, enabled=False).step()
    assert "1/1" in forced.getvalue() and off.text == ""


def test_progress_on_a_stream_without_isatty_is_silent():
    from regions.experiments._common import Progress

    class Bare:
        text = ""

        def write(self, s):
            self.text += s

        def flush(self):
            pass

    bare = Bare()
    Progress(total=2, stream=bare).step()
    assert bare.text == ""


def test_reproduce_draws_no_bar_into_a_pipe_without_no_progress(tmp_path, capsys):
    reproduce.main(["--quick", "--out", str(tmp_path), "--only", "region_boundaries"])
    err = capsys.readouterr().err
    assert "\r" not in err and "wrote" in err


def test_no_progress_is_documented():
    done = subprocess.run([sys.executable, "-m", "regions.reproduce", "--help"],
                          capture_output=True, text=True, check=True)
    assert "--no-progress" in done.stdout and "terminal" in done.stdout
