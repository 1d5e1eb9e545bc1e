"""Region-count bounds for piecewise-linear networks (symbolic and exact).

A stub until the bounds issue lands: it will hold the Zaslavsky, Raghu et al., Pascanu et al.,
Montufar et al., Montufar 2017 and Serra et al. bounds as SymPy expressions.
"""

__all__: list[str] = []
