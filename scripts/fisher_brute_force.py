#!/usr/bin/env python3
# Independent check of qda-stats fisher_exact for small r x c tables:
# enumerates every table with the observed margins (no pruning) and sums
# the probabilities of those at most as probable as the observed one.
# Run: python3 scripts/fisher_brute_force.py
# Brute-force Fisher r x c: enumerate all tables with the observed margins.
import itertools, math
def tables(rows, cols):
    if len(rows)==1:
        yield [list(cols)]; return
    r=rows[0]
    for first in itertools.product(*[range(min(r,c)+1) for c in cols]):
        if sum(first)!=r: continue
        rest=[c-x for c,x in zip(cols,first)]
        for t in tables(rows[1:], rest): yield [list(first)]+t
def prob(t):
    rows=[sum(r) for r in t]; cols=[sum(c) for c in zip(*t)]; n=sum(rows)
    lp=sum(math.lgamma(x+1) for x in rows+cols)-math.lgamma(n+1)-sum(math.lgamma(x+1) for r in t for x in r)
    return math.exp(lp)
def fisher(t):
    rows=[sum(r) for r in t]; cols=[sum(c) for c in zip(*t)]
    p0=prob(t); return sum(p for p in map(prob,tables(rows,cols)) if p<=p0*(1+1e-7))
print(repr(fisher([[3,1,0],[1,2,2],[0,1,4]])))
print(repr(fisher([[2,0,3,1],[1,4,0,2]])))
