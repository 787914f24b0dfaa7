#!/usr/bin/env python3
"""Writes a units x coders ratings table for timing `qda agree --ratings`.

Usage: ratings_table.py UNITS CODERS MISSING OUT.csv

Each unit has a true value 1..5; each coder gives it with probability 0.8,
else a value drawn at random; a cell is empty with probability MISSING.
Seeded, so the same arguments give the same file.
"""
import random
import sys

units, coders, missing, out = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
rng = random.Random(42)
with open(out, "w", newline="") as f:
    f.write("unit," + ",".join(f"coder{c + 1}" for c in range(coders)) + "\n")
    for u in range(units):
        truth = rng.randint(1, 5)
        cells = []
        for _ in range(coders):
            if rng.random() < missing:
                cells.append("")
            else:
                cells.append(str(truth if rng.random() < 0.8 else rng.randint(1, 5)))
        f.write(f"u{u}," + ",".join(cells) + "\n")
