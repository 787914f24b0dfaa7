"""Reference values for qda-stats' reliability tests, from independent implementations.

Run: pip install statsmodels krippendorff irrCAC && python3 scripts/reference/reliability.py
The printed numbers are pasted, with this script named as their source, into
crates/stats/src/reliability/tests.rs. qda's own output is never used here.
"""
import numpy as np
import pandas as pd
import krippendorff
from statsmodels.stats.inter_rater import cohens_kappa, fleiss_kappa, aggregate_raters
from irrCAC.raw import CAC

nan = np.nan

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
# 4 observers, 12 units, values 1-5, missing data.
KRIPP = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]
print("# krippendorff example (coders x units)")
for level in ["nominal", "ordinal", "interval", "ratio"]:
    a = krippendorff.alpha(reliability_data=KRIPP, level_of_measurement=level)
    print(f"alpha {level} = {a:.12f}")
units = pd.DataFrame(np.array(KRIPP).T, columns=["A", "B", "C", "D"])
cac = CAC(units)
print(f"gwet ac1 (irrCAC) = {cac.gwet()['est']['coefficient_value']:.12f}")
print(f"percent agreement (irrCAC pa) = {cac.gwet()['est']['pa']:.12f}")
print(f"fleiss (irrCAC, missing allowed; not used) = {cac.fleiss()['est']['coefficient_value']:.12f}")

# Two coders, three ordered categories, 15 units.
A = [1, 1, 2, 2, 3, 3, 1, 2, 3, 1, 2, 2, 3, 1, 1]
B = [1, 2, 2, 2, 3, 1, 1, 2, 3, 2, 2, 3, 3, 1, 1]
table = pd.crosstab(pd.Series(A), pd.Series(B)).reindex(index=[1, 2, 3], columns=[1, 2, 3], fill_value=0).values
print("# two coders")
print(f"cohen unweighted = {cohens_kappa(table).kappa:.12f}")
print(f"cohen linear = {cohens_kappa(table, wt='linear').kappa:.12f}")
print(f"cohen quadratic = {cohens_kappa(table, wt='quadratic').kappa:.12f}")
agg, _ = aggregate_raters(np.array([A, B]).T)
print(f"scott pi (= fleiss with 2 raters, statsmodels) = {fleiss_kappa(agg, method='fleiss'):.12f}")
pair = CAC(pd.DataFrame({"A": A, "B": B}))
print(f"gwet ac1 two coders (irrCAC) = {pair.gwet()['est']['coefficient_value']:.12f}")
print(f"alpha nominal two coders = {krippendorff.alpha(reliability_data=[A, B], level_of_measurement='nominal'):.12f}")
print(f"percent agreement two coders = {np.mean(np.array(A) == np.array(B)):.12f}")

# Fleiss (1971) as reproduced on Wikipedia "Fleiss' kappa": 10 subjects, 14 raters, 5 categories.
FLEISS = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]
print("# fleiss wikipedia")
print(f"fleiss = {fleiss_kappa(np.array(FLEISS), method='fleiss'):.12f}")
