#!/usr/bin/env python3
"""Krippendorff's alpha of a units x coders CSV with the `krippendorff`
package, reading the file included, for comparison with `qda agree --ratings`.

Usage: krippendorff_alpha.py FILE.csv nominal|ordinal|interval|ratio
Needs: pip install krippendorff numpy pandas
"""
import sys

import krippendorff
import pandas as pd

table = pd.read_csv(sys.argv[1], index_col=0)
if any(dtype == object for dtype in table.dtypes):
    # Labels rather than numbers: each label its code, missing cells NaN.
    codes, _ = pd.factorize(table.to_numpy().ravel(), sort=True)
    table = pd.DataFrame(codes.reshape(table.shape), index=table.index).where(table.notna().to_numpy())
# The reliability matrix: one row per coder, one column per unit.
data = table.to_numpy(dtype=float).T
print(krippendorff.alpha(reliability_data=data, level_of_measurement=sys.argv[2]))
