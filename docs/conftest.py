"""pytest collects docs/tutorial.rst as a doctest (setup.cfg); it needs torch and hypothesis."""

import importlib.util

collect_ignore = ["conf.py"]
if importlib.util.find_spec("torch") is None or importlib.util.find_spec("hypothesis") is None:
    collect_ignore.append("tutorial.rst")
