"""Reference value for `qda agree --ratings --level ordinal --order`, from the
`krippendorff` package, whose `alpha` docstring gives this example: Krippendorff
(2011), section C, with the values 1-5 written as labels and their order given
as `value_domain`.

Run: pip install krippendorff numpy && python3 scripts/reference/ordinal_labels.py
The printed number is cited in crates/cli/tests/cli/agree.rs; the same table,
units x coders, is crates/cli/tests/fixtures/ratings/labels.csv.

Then the exclusive group `severity` (mild, moderate, severe, in codebook
order) of six cases coded by anna and ben, as in
`exclusive_groups_at_the_ordinal_level` of crates/cli/tests/cli/agree.rs.

Output with krippendorff 0.9.0 and numpy 2.4.6:
    alpha nominal = 0.743421
    alpha ordinal = 0.815388
    severity nominal = 0.297872
    severity ordinal = 0.705357
    severity interval = 0.691589
"""
import numpy as np
import krippendorff

nan = np.nan
ORDER = ["very low", "low", "mid", "high", "very high"]

# Coders x units, as the package takes them.
LABELS = [
    ["very low", "low", "mid", "mid", "low", "very low", "high", "very low", "low", nan, nan, nan],
    ["very low", "low", "mid", "mid", "low", "low", "high", "very low", "low", "very high", nan, "mid"],
    [nan, "mid", "mid", "mid", "low", "mid", "high", "low", "low", "very high", "very low", nan],
    ["very low", "low", "mid", "mid", "low", "high", "high", "very low", "low", "very high", "very low", nan],
]

# A plain list: `np.asarray` turns it into strings, with `nan` for a missing
# value, which the package then leaves out. (The package computes interval and
# ratio distances on the labels themselves, so with labels only nominal and
# ordinal apply.)
for level in ["nominal", "ordinal"]:
    a = krippendorff.alpha(reliability_data=LABELS, level_of_measurement=level, value_domain=ORDER)
    print(f"alpha {level} = {a:.6f}")

# mild = 0, moderate = 1, severe = 2; one value per case.
ANNA = [0, 1, 2, 2, 0, 1]
BEN = [0, 2, 2, 1, 0, 0]
for level in ["nominal", "ordinal", "interval"]:
    a = krippendorff.alpha(reliability_data=[ANNA, BEN], level_of_measurement=level, value_domain=[0, 1, 2])
    print(f"severity {level} = {a:.6f}")
