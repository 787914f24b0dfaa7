//! The exact p-value by a network algorithm (Mehta and Patel 1983), row by
//! row.
//!
//! A node is what the rows filled so far leave: the remaining column
//! totals, sorted (the rest of a table depends on them only, not on which
//! column is which). A path to a node is a partial table; its past score is
//! −Σ ln nᵢⱼ! of the cells filled. Paths with the same past score are
//! merged, with their number.
//!
//! For each node the exact least and most score of any completion, and
//! the log of the sum of exp(score) over all completions (closed form:
//! N'! / (Π Rᵢ'! Π Cⱼ'!)), are computed once by recursion over the rows
//! and remembered. Then each node's pasts are sorted by score, and for each
//! way of filling the next row two binary searches split them into those
//! whose every completion counts (added at once from a running log-sum of
//! the sorted pasts), those none of whose completions count (dropped), and
//! a band in between that goes on to the next row. The band before the
//! last row is always empty, since a node there has a single completion:
//! the last two rows cost one binary search per way of filling the second
//! last, not one per path.

use indexmap::IndexMap;

use super::Margins;

/// ln of Σ exp(score − observed score) over the tables that count, or
/// `None` when that would take more than `work_limit` work.
pub(super) fn ln_relative_p(margins: &Margins, work_limit: u64) -> Option<f64> {
    let mut network = Network { margins, work: 0, work_limit, completions: IndexMap::new() };
    network.relative_sum().map(f64::ln)
}

/// Remaining column totals, largest first.
type Node = Vec<u64>;

/// A set of merged paths to a node.
#[derive(Debug, Clone, Copy)]
struct Past {
    /// −Σ ln nᵢⱼ! of the cells filled.
    score: f64,
    /// How many partial tables have this score.
    paths: f64,
}

/// One way of filling a row from a node, up to the order of equal columns.
struct Outcome {
    /// The remainders it leaves, sorted.
    after: Node,
    /// −Σ ln x! of the row's cells.
    delta: f64,
    /// How many fillings of the row lead to the same remainders and score.
    multiplicity: f64,
}

/// What the completions of a node can score.
#[derive(Debug, Clone, Copy)]
struct Completions {
    least: f64,
    most: f64,
    /// ln Σ exp(score) over every completion.
    ln_sum: f64,
}

struct Network<'a> {
    margins: &'a Margins,
    work: u64,
    work_limit: u64,
    /// Per node (its total fixes the row it is at), its completions.
    completions: IndexMap<Node, Completions>,
}

/// The work of making one outcome of a row (a node of its own, sorted and
/// merged) compared with scoring one filling of the second last row: about
/// what each takes in time, so that the work limit is a time limit on every
/// shape of table.
const OUTCOME_COST: u64 = 16;

/// The work of bounding a node by relaxations, per cell of what it leaves.
const RELAXED_COST: u64 = 32;

/// Scores closer than this are one score: far below any real difference
/// between tables, far above rounding noise.
const SCORE_RESOLUTION: f64 = 1e-9;

impl Network<'_> {
    /// Σ exp(score − observed) over the tables that count.
    fn relative_sum(&mut self) -> Option<f64> {
        let margins = self.margins;
        let mut start = margins.columns.clone();
        start.sort_unstable_by(|a, b| b.cmp(a));
        let mut nodes: IndexMap<Node, Vec<Past>> = IndexMap::new();
        nodes.insert(start, vec![Past { score: 0.0, paths: 1.0 }]);
        let mut total = 0.0;
        for row in 0..margins.rows.len() - 1 {
            let mut next: IndexMap<Node, Vec<Past>> = IndexMap::new();
            for (left, pasts) in nodes {
                let pasts = merged(pasts);
                // Pasts whose every completion counts, or none does, are
                // settled here without filling the row.
                let node = self.completions(row, &left)?;
                let all = pasts.partition_point(|p| p.score + node.most <= margins.threshold);
                let some = pasts.partition_point(|p| p.score + node.least <= margins.threshold);
                if all > 0 {
                    let ln = ln_sum(&pasts[..all]) + node.ln_sum;
                    total += (ln - margins.observed).exp();
                }
                if some == all {
                    continue;
                }
                let pasts = &pasts[all..some];
                let cumulative = cumulative_ln(pasts);
                if row + 2 == margins.rows.len() {
                    total += self.last_two_rows(margins.rows[row], &left, pasts, &cumulative)?;
                    continue;
                }
                let outcomes = self.outcomes(margins.rows[row], &left)?;
                for outcome in outcomes {
                    let child = self.completions(row + 1, &outcome.after)?;
                    let counts =
                        |p: &Past, bound: f64| p.score + outcome.delta + bound <= margins.threshold;
                    let all = pasts.partition_point(|p| counts(p, child.most));
                    let some = pasts.partition_point(|p| counts(p, child.least));
                    if all > 0 {
                        let ln = cumulative[all - 1] + outcome.delta + child.ln_sum;
                        total += outcome.multiplicity * (ln - margins.observed).exp();
                    }
                    if some > all {
                        self.charge((some - all) as u64)?;
                        next.entry(outcome.after).or_default().extend(pasts[all..some].iter().map(
                            |p| Past {
                                score: p.score + outcome.delta,
                                paths: p.paths * outcome.multiplicity,
                            },
                        ));
                    }
                }
            }
            nodes = next;
        }
        Some(total)
    }

    /// Σ exp(score − observed) over the tables that count among the
    /// completions of `pasts` (sorted, with their running log-sums) at a node
    /// with two rows left, the first of `total`: each filling of that row
    /// fixes the last, so each is scored directly, and one binary search
    /// finds the pasts it completes into counting tables.
    fn last_two_rows(
        &mut self,
        total: u64,
        left: &[u64],
        pasts: &[Past],
        cumulative: &[f64],
    ) -> Option<f64> {
        let margins = self.margins;
        let f = |x: u64| margins.ln_factorial.at(x);
        let mut sum = 0.0;
        let mut fillings = 0u64;
        let budget = self.work_limit.saturating_sub(self.work);
        let mut visit = |score: f64| -> bool {
            fillings += 1;
            let counted = pasts.partition_point(|p| p.score + score <= margins.threshold);
            if counted > 0 {
                sum += (cumulative[counted - 1] + score - margins.observed).exp();
            }
            fillings <= budget
        };
        let complete = each_filling(total, 0, left, 0.0, &f, &mut visit);
        self.charge(fillings)?;
        complete.then_some(sum)
    }

    /// Counts `amount` of work; `None` beyond the limit.
    fn charge(&mut self, amount: u64) -> Option<()> {
        self.work += amount;
        (self.work <= self.work_limit).then_some(())
    }

    /// The least and most score of any completion of a node at `row`, and
    /// the log of their summed exp(score): by recursion over the rows,
    /// remembered per node.
    fn completions(&mut self, row: usize, left: &[u64]) -> Option<Completions> {
        let margins = self.margins;
        if row + 1 == margins.rows.len() {
            // The last row takes every column's remainder.
            let last = -left.iter().map(|&x| margins.ln_factorial.at(x)).sum::<f64>();
            return Some(Completions { least: last, most: last, ln_sum: last });
        }
        let two_rows_left = row + 2 == margins.rows.len();
        if !two_rows_left && let Some(&known) = self.completions.get(left) {
            return Some(known);
        }
        let (least, most) = if two_rows_left {
            self.charge(1 << left.len())?;
            self.two_rows(margins.rows[row], left)
        } else {
            self.charge((margins.rows.len() - row) as u64 * left.len() as u64 * RELAXED_COST)?;
            self.relaxed(&margins.rows[row..], left)
        };
        let f = |x: u64| margins.ln_factorial.at(x);
        let n: u64 = left.iter().sum();
        let ln_sum = f(n)
            - margins.rows[row..].iter().map(|&r| f(r)).sum::<f64>()
            - left.iter().map(|&c| f(c)).sum::<f64>();
        let completions = Completions { least, most, ln_sum };
        if !two_rows_left {
            self.completions.insert(left.to_vec(), completions);
        }
        Some(completions)
    }

    /// Every way to fill a row of `total` from the remainders `left`, each
    /// cell at most its column's remainder, merged where equal columns make
    /// fillings alike; charged as work.
    fn outcomes(&mut self, total: u64, left: &[u64]) -> Option<Vec<Outcome>> {
        let mut out = Vec::new();
        let mut cells = vec![0; left.len()];
        let budget = self.work_limit.saturating_sub(self.work) / OUTCOME_COST;
        self.fill(total, 0, left, &mut cells, 0.0, &mut out, budget)?;
        self.charge(out.len() as u64 * OUTCOME_COST)?;
        out.sort_unstable_by(|a, b| a.after.cmp(&b.after).then(a.delta.total_cmp(&b.delta)));
        let mut merged: Vec<Outcome> = Vec::with_capacity(out.len());
        for outcome in out {
            match merged.last_mut() {
                Some(last)
                    if last.after == outcome.after
                        && (outcome.delta - last.delta).abs() < SCORE_RESOLUTION =>
                {
                    last.multiplicity += outcome.multiplicity;
                }
                _ => merged.push(outcome),
            }
        }
        Some(merged)
    }

    /// Spreads `left_in_row` over the columns from `column` on; `None` once
    /// more than `budget` fillings are made.
    #[allow(clippy::too_many_arguments)] // one recursion's state, spelled out
    fn fill(
        &self,
        left_in_row: u64,
        column: usize,
        left: &[u64],
        cells: &mut [u64],
        delta: f64,
        out: &mut Vec<Outcome>,
        budget: u64,
    ) -> Option<()> {
        let ln_factorial = &self.margins.ln_factorial;
        if column + 1 == left.len() {
            if left_in_row > left[column] {
                return Some(());
            }
            if out.len() as u64 >= budget {
                return None;
            }
            cells[column] = left_in_row;
            let mut after: Node = left.iter().zip(cells.iter()).map(|(c, x)| c - x).collect();
            after.sort_unstable_by(|a, b| b.cmp(a));
            let delta = delta - ln_factorial.at(left_in_row);
            out.push(Outcome { after, delta, multiplicity: 1.0 });
            return Some(());
        }
        let room_after: u64 = left[column + 1..].iter().sum();
        let low = left_in_row.saturating_sub(room_after);
        let high = left_in_row.min(left[column]);
        for x in low..=high {
            cells[column] = x;
            let delta = delta - ln_factorial.at(x);
            self.fill(left_in_row - x, column + 1, left, cells, delta, out, budget)?;
        }
        Some(())
    }

    /// Bounds on the least and most score of the completions of a node with
    /// more than two rows left (`rows`), from relaxations: each row filled
    /// on its own within the column remainders (forgetting that the columns
    /// must add up), or each column on its own within the row totals; a
    /// relaxation's least is at most the true least and its most at least
    /// the true most, and the tighter of the two is taken. Exact bounds
    /// would need every completion; these cost a few passes over the cells.
    fn relaxed(&self, rows: &[u64], left: &[u64]) -> (f64, f64) {
        let f = |x: u64| self.margins.ln_factorial.at(x);
        let one_line = |total: u64, capacities: &[u64]| {
            let g = |_: usize, x: u64| -f(x);
            (least_of_one_line(total, capacities, g), most_of_filling(total, capacities, g))
        };
        let by_rows = rows.iter().map(|&r| one_line(r, left));
        let by_columns = left.iter().map(|&c| one_line(c, rows));
        let sum = |it: &mut dyn Iterator<Item = (f64, f64)>| {
            it.fold((0.0, 0.0), |(least, most), (l, m)| (least + l, most + m))
        };
        let (least_rows, most_rows) = sum(&mut { by_rows });
        let (least_columns, most_columns) = sum(&mut { by_columns });
        let most = most_rows.min(most_columns).min(self.most_by_duality(rows, left));
        (least_rows.max(least_columns), most)
    }

    /// A bound on the most score of any table with margins `rows` and
    /// `columns`, by Lagrangian duality: for every table x,
    /// Σ −ln xᵢⱼ! = Σ (−ln xᵢⱼ! + xᵢⱼ ln eᵢⱼ) − Σ Rᵢ ln(Rᵢ/N) − Σ Cⱼ ln Cⱼ
    /// with eᵢⱼ = RᵢCⱼ/N (the margins make the last two sums equal
    /// −Σ xᵢⱼ ln eᵢⱼ), and each cell's term is at most its value at ⌊eᵢⱼ⌋.
    /// Close to the most probable table's score, which lies near the
    /// expected counts, where the row and column relaxations are loose.
    fn most_by_duality(&self, rows: &[u64], columns: &[u64]) -> f64 {
        let f = |x: u64| self.margins.ln_factorial.at(x);
        let n = rows.iter().sum::<u64>() as f64;
        let mut bound = 0.0;
        for &r in rows.iter().filter(|&&r| r > 0) {
            bound -= r as f64 * (r as f64 / n).ln();
            for &c in columns.iter().filter(|&&c| c > 0) {
                let expected = r as f64 * c as f64 / n;
                let x = (expected.floor() as u64).min(r.min(c));
                bound += x as f64 * expected.ln() - f(x);
            }
        }
        bound - columns.iter().filter(|&&c| c > 0).map(|&c| c as f64 * (c as f64).ln()).sum::<f64>()
    }

    /// The least and most score of the completions of a node with two rows
    /// left, the first of `total`, without enumerating them. A completion
    /// is a filling x of that row (Σ xⱼ = total, 0 ≤ xⱼ ≤ leftⱼ) scoring
    /// Σ gⱼ(xⱼ) with gⱼ(x) = −ln x! − ln (leftⱼ − x)!, each gⱼ concave.
    fn two_rows(&self, total: u64, left: &[u64]) -> (f64, f64) {
        let f = |x: u64| self.margins.ln_factorial.at(x);
        let g = |j: usize, x: u64| -f(x) - f(left[j] - x);
        (least_of_two_rows(total, left, g), most_of_filling(total, left, g))
    }
}

/// The pasts sorted by score, those within [`SCORE_RESOLUTION`] of each
/// other merged.
fn merged(mut pasts: Vec<Past>) -> Vec<Past> {
    pasts.sort_unstable_by(|a, b| a.score.total_cmp(&b.score));
    let mut out: Vec<Past> = Vec::with_capacity(pasts.len());
    for past in pasts {
        match out.last_mut() {
            Some(last) if past.score - last.score < SCORE_RESOLUTION => last.paths += past.paths,
            _ => out.push(past),
        }
    }
    out
}

/// For each past, ln Σ paths·exp(score) over it and every past before it.
fn cumulative_ln(pasts: &[Past]) -> Vec<f64> {
    let mut running = f64::NEG_INFINITY;
    pasts
        .iter()
        .map(|p| {
            running = ln_add_exp(running, p.score + p.paths.ln());
            running
        })
        .collect()
}

/// ln Σ paths·exp(score) over all `pasts`: the last of [`cumulative_ln`],
/// without keeping the others.
fn ln_sum(pasts: &[Past]) -> f64 {
    pasts.iter().fold(f64::NEG_INFINITY, |running, p| ln_add_exp(running, p.score + p.paths.ln()))
}

/// ln(eᵃ + eᵇ) without overflow.
fn ln_add_exp(a: f64, b: f64) -> f64 {
    let (high, low) = if a >= b { (a, b) } else { (b, a) };
    if low == f64::NEG_INFINITY { high } else { high + (low - high).exp().ln_1p() }
}

/// The least of Σ gⱼ(xⱼ) over Σ xⱼ = total, 0 ≤ xⱼ ≤ leftⱼ, for concave gⱼ.
/// Moving one unit between two cells strictly inside their bounds changes
/// the sum concavely along that line, so a least point has at most one cell
/// strictly inside: every other cell at 0 or full. Those points are tried.
fn least_of_two_rows(total: u64, left: &[u64], g: impl Fn(usize, u64) -> f64) -> f64 {
    let k = left.len();
    let mut least = f64::INFINITY;
    for free in 0..k {
        for full in 0u64..1 << (k - 1) {
            let mut placed = 0;
            let mut score = 0.0;
            for (bit, j) in (0..k).filter(|&j| j != free).enumerate() {
                let x = if full >> bit & 1 == 1 { left[j] } else { 0 };
                placed += x;
                score += g(j, x);
            }
            if placed <= total && total - placed <= left[free] {
                least = least.min(score + g(free, total - placed));
            }
        }
    }
    least
}

/// The most of Σ gⱼ(xⱼ) over Σ xⱼ = total, 0 ≤ xⱼ ≤ leftⱼ, for concave gⱼ:
/// from the proportional filling, units are moved from the cell that loses
/// least by giving one to the cell that gains most while that gains; for a
/// separable concave sum no such move gaining means the most is reached.
fn most_of_filling(total: u64, left: &[u64], g: impl Fn(usize, u64) -> f64) -> f64 {
    let n: u64 = left.iter().sum();
    let mut x: Vec<u64> =
        left.iter().map(|&c| (c as u128 * total as u128 / n as u128) as u64).collect();
    let mut placed: u64 = x.iter().sum();
    // Up to one unit short per cell: give each to the cell that gains most.
    while placed < total {
        let j = (0..left.len())
            .filter(|&j| x[j] < left[j])
            .max_by(|&a, &b| {
                (g(a, x[a] + 1) - g(a, x[a])).total_cmp(&(g(b, x[b] + 1) - g(b, x[b])))
            })
            .expect("the row fits in the columns left");
        x[j] += 1;
        placed += 1;
    }
    loop {
        let gain = (0..left.len())
            .filter(|&j| x[j] < left[j])
            .map(|j| (g(j, x[j] + 1) - g(j, x[j]), j))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let loss = (0..left.len())
            .filter(|&j| x[j] > 0)
            .map(|j| (g(j, x[j]) - g(j, x[j] - 1), j))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        match (gain, loss) {
            (Some((up, to)), Some((down, from))) if to != from && up - down > 1e-12 => {
                x[to] += 1;
                x[from] -= 1;
            }
            _ => break,
        }
    }
    (0..left.len()).map(|j| g(j, x[j])).sum()
}

/// Calls `visit` with the score of every filling of a row of `total` at a
/// node with two rows left (the last row takes the rest), Σ over columns of
/// −ln x! − ln (leftⱼ − x)!; stops, returning false, when `visit` does.
fn each_filling(
    total: u64,
    column: usize,
    left: &[u64],
    score: f64,
    f: &impl Fn(u64) -> f64,
    visit: &mut impl FnMut(f64) -> bool,
) -> bool {
    let term = |x: u64| -f(x) - f(left[column] - x);
    if column + 1 == left.len() {
        return total > left[column] || visit(score + term(total));
    }
    let room_after: u64 = left[column + 1..].iter().sum();
    let low = total.saturating_sub(room_after);
    let high = total.min(left[column]);
    for x in low..=high {
        if !each_filling(total - x, column + 1, left, score + term(x), f, visit) {
            return false;
        }
    }
    true
}

/// The least of Σ g(xⱼ) over Σ xⱼ = total, 0 ≤ xⱼ ≤ capacityⱼ, for a concave
/// g the same in every cell: the total packed into the largest capacities
/// first (a least point has at most one cell strictly inside its bounds,
/// and of those points, with one g, filling the largest cells is least).
fn least_of_one_line(total: u64, capacities: &[u64], g: impl Fn(usize, u64) -> f64) -> f64 {
    let mut sorted = capacities.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let mut rest = total;
    let mut score = 0.0;
    for (j, &capacity) in sorted.iter().enumerate() {
        let x = rest.min(capacity);
        rest -= x;
        score += g(j, x);
    }
    score
}
