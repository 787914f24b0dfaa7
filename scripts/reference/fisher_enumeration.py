"""Independent exact two-sided Fisher p-value for an r x c table, to check
values where qda-stats and R's fisher.test disagree (crates/stats/tests/fisher_r.rs).

Every table with the observed margins is enumerated, without pruning or
bounds: all rows but the last two in plain Python (partial tables grouped by
the column sums they use), the second last row with numpy for each group,
the last row determined. The p-value sums the probabilities of the tables at
most (1 + 1e-7) times as probable as the observed one, as R does.

Run: pip install numpy scipy && python3 scripts/reference/fisher_enumeration.py COLUMNS "CELLS ROW BY ROW"
"""
import math
import sys
from collections import defaultdict

import numpy as np
from scipy.special import gammaln


def fills(total, caps):
    """Every way to spread `total` over cells bounded by `caps`."""
    if len(caps) == 1:
        if total <= caps[0]:
            yield (total,)
        return
    for x in range(min(total, caps[0]) + 1):
        for rest in fills(total - x, caps[1:]):
            yield (x,) + rest


def p_value(table):
    rows = [sum(r) for r in table]
    cols = [sum(c) for c in zip(*table)]
    n = sum(rows)
    obs = -sum(math.lgamma(x + 1) for r in table for x in r)
    threshold = obs + math.log1p(1e-7)
    # The largest rows last: they are the ones not enumerated in Python.
    rows = sorted(rows)
    states = {tuple([0] * len(cols)): [0.0]}
    for r in rows[:-2]:
        following = defaultdict(list)
        for used, scores in states.items():
            caps = [c - u for c, u in zip(cols, used)]
            for f in fills(r, caps):
                d = -sum(math.lgamma(x + 1) for x in f)
                key = tuple(u + x for u, x in zip(used, f))
                following[key].extend(s + d for s in scores)
        states = following
    second_last = rows[-2]
    total = 0.0
    for used, scores in states.items():
        caps = np.array([c - u for c, u in zip(cols, used)])
        grids = np.meshgrid(*[np.arange(min(second_last, c) + 1) for c in caps[:-1]], indexing="ij")
        free = [g.ravel() for g in grids]
        last_cell = second_last - sum(free)
        ok = (last_cell >= 0) & (last_cell <= caps[-1])
        cells = [f[ok] for f in free] + [last_cell[ok]]
        score = -sum(gammaln(x + 1) + gammaln(c - x + 1) for x, c in zip(cells, caps))
        score = np.sort(score)
        top = score.max()
        cumulative = np.cumsum(np.exp(score - top))
        past = np.array(scores)
        counted = np.searchsorted(score, threshold - past, side="right")
        some = counted > 0
        total += float(np.sum(np.exp(past[some] + top - obs) * cumulative[counted[some] - 1]))
    constant = sum(math.lgamma(x + 1) for x in rows + cols) - math.lgamma(n + 1)
    return math.exp(math.log(total) + obs + constant)


if __name__ == "__main__":
    columns = int(sys.argv[1])
    cells = [int(x) for x in sys.argv[2].split()]
    table = [cells[i:i + columns] for i in range(0, len(cells), columns)]
    print(repr(p_value(table)))
