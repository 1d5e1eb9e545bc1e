"""A quick run of an experiment module for a test module's fixture: figures closed after."""

import contextlib


@contextlib.contextmanager
def quick_run(module):
    """``module.run(quick=True)`` with matplotlib's file backend; its figures are closed when
    the block ends."""
    import matplotlib

    matplotlib.use("Agg")
    result = module.run(quick=True)
    try:
        yield result
    finally:
        import matplotlib.pyplot as plt

        for fig in result.figures.values():
            plt.close(fig)


def quick_fixture(module):
    """A module-scoped pytest fixture of :func:`quick_run` of ``module``: write
    ``result = quick_fixture(exp)`` in a test module."""
    import pytest

    @pytest.fixture(scope="module")
    def result():
        with quick_run(module) as res:
            yield res

    return result
