"""Reference values for the weighted Cohen's kappa when a value occurs only in
a unit that one coder left out (crates/stats/src/reliability/tests.rs,
`weighted_kappa_ranks_only_the_values_both_coders_rated`).

R's irr::kappa2 drops incomplete units (na.omit) before it lists the
categories; scikit-learn's cohen_kappa_score, given the complete pairs, takes
its labels from them the same way, and weights by label rank.

Run: pip install scikit-learn && python3 scripts/reference/kappa_categories.py
"""
from sklearn.metrics import cohen_kappa_score

# Coder A's last unit (value 6) has no rating from coder B.
A = [1, 2, 3, 2, 1, 3, 2, 4, 1, 2, 6]
B = [1, 2, 2, 2, 1, 3, 3, 4, 2, 2, None]
pairs = [(a, b) for a, b in zip(A, B) if a is not None and b is not None]
a = [p[0] for p in pairs]
b = [p[1] for p in pairs]
for weights in [None, "linear", "quadratic"]:
    print(f"cohen {weights} = {cohen_kappa_score(a, b, weights=weights):.12f}")
