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
