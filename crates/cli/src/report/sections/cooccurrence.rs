//! Code co-occurrence as heat maps: how many segments, and how many cases,
//! carry both codes of a pair, shaded by the pair's Jaccard index; then the
//! pairs ranked, with Jaccard and observed/expected (`qda_stats::Cooccurrence`).

use qda_stats::PairStrength;

use crate::render::markdown::Markdown;
use crate::render::markup::Markup;
use crate::render::table::{Align, Table};
use crate::report::contents::{Contents, Cooccurrence};
use crate::report::html::Html;

fn tables<'s>(contents: &'s Contents<'_>) -> [(&'static str, &'static str, &'s Cooccurrence); 2] {
    [
        ("In one segment", "segments", &contents.by_segment),
        ("In one case", "cases", &contents.by_case),
    ]
}

const EXPLAINED: &str = "Counted as qda cooccur counts them: every codable segment is a unit, coded or not; in a case, each exclusive group counts only the code the case is assigned. Each cell counts the units that carry both codes; its shade is the pair's Jaccard index (units with both ÷ units with either), from white (never together) to dark (always together). The diagonal, in grey, counts the units with the code. Observed/expected compares the count with what independent codes would give: 1 is independence, above 1 the codes go together more often.";

pub(crate) fn html(contents: &Contents<'_>, h: &mut Html) {
    h.element("p", &[], EXPLAINED).nl();
    for (title, unit, table) in tables(contents) {
        h.element("h3", &[], title).nl();
        heat_map(table, unit, h);
        pairs_html(table, unit, h);
    }
}

/// At most this many codes are drawn in a heat map, those on the most
/// units (in codebook order): one of 120 codes has 14,400 cells, and one of
/// 2,000 made a report of 1.4 GB that no browser could show.
const HEAT_MAP_CODES: usize = 40;

/// The codes a heat map draws, as indices in codebook order.
fn drawn(c: &Cooccurrence) -> Vec<usize> {
    let mut codes: Vec<usize> = (0..c.codes.len()).collect();
    if codes.len() > HEAT_MAP_CODES {
        codes.sort_by_key(|&i| (std::cmp::Reverse(c.table.together(i, i)), i));
        codes.truncate(HEAT_MAP_CODES);
        codes.sort_unstable();
    }
    codes
}

/// A note when codes were left out of the heat map.
fn codes_left_out(drawn: usize, all: usize, unit: &str) -> Option<String> {
    (drawn < all).then(|| {
        format!(
            "The {drawn} codes on the most {unit}, of {all}; qda cooccur --format csv counts every pair."
        )
    })
}

fn heat_map(c: &Cooccurrence, unit: &str, h: &mut Html) {
    let drawn = drawn(c);
    if let Some(note) = codes_left_out(drawn.len(), c.codes.len(), unit) {
        h.element("p", &[("class", "note")], &note).nl();
    }
    h.raw("<div class=\"scroll\"><table class=\"heat\">");
    h.element(
        "caption",
        &[],
        &format!("Number of {unit} with both codes (of {})", c.table.units()),
    )
    .nl();
    h.raw("<thead><tr><th scope=\"col\"></th>");
    for &j in &drawn {
        h.open("th", &[("scope", "col"), ("class", "num")])
            .element("code", &[], &c.codes[j])
            .close("th");
    }
    h.raw("</tr></thead><tbody>").nl();
    for &i in &drawn {
        h.open("tr", &[])
            .open("th", &[("scope", "row")])
            .element("code", &[], &c.codes[i])
            .close("th");
        for &j in &drawn {
            let count = c.table.together(i, j).to_string();
            match (i != j).then(|| c.table.strength(i, j)).flatten() {
                None => h.element("td", &[("class", "num diag")], &count),
                Some(pair) => {
                    let title = describe(c, &pair, unit);
                    h.element(
                        "td",
                        &[("class", "num"), ("style", &shade(pair.jaccard)), ("title", &title)],
                        &count,
                    )
                }
            };
        }
        h.close("tr").nl();
    }
    h.raw("</tbody></table></div>").nl();
}

fn describe(c: &Cooccurrence, pair: &PairStrength, unit: &str) -> String {
    format!(
        "{} and {}: {} {unit} together; Jaccard {:.2}; observed/expected {:.2}",
        c.codes[pair.a], c.codes[pair.b], pair.together, pair.jaccard, pair.observed_expected
    )
}

/// At most this many pairs are listed, strongest first: a codebook of 120
/// codes has 7,140 pairs, and `qda cooccur` lists them all.
const PAIRS_SHOWN: usize = 20;

/// A note when pairs were left out of the list.
fn pairs_left_out(listed: usize, all: usize) -> Option<String> {
    (listed < all).then(|| {
        format!("The {listed} strongest of {all} pairs; qda cooccur --format csv lists them all.")
    })
}

fn pairs_html(c: &Cooccurrence, unit: &str, h: &mut Html) {
    let (pairs, all) = c.table.strongest_pairs(PAIRS_SHOWN);
    if pairs.is_empty() {
        h.element("p", &[("class", "note")], &format!("No two codes share any of the {unit}."))
            .nl();
        return;
    }
    if let Some(note) = pairs_left_out(pairs.len(), all) {
        h.element("p", &[("class", "note")], &note).nl();
    }
    h.raw("<div class=\"scroll\"><table>");
    h.element("caption", &[], &format!("Pairs that share {unit}, strongest first")).nl();
    h.raw("<thead><tr><th scope=\"col\">codes</th><th scope=\"col\" class=\"num\">together</th><th scope=\"col\" class=\"num\">Jaccard</th><th scope=\"col\" class=\"num\"><abbr title=\"observed / expected\">obs./exp.</abbr></th></tr></thead><tbody>").nl();
    for pair in &pairs {
        h.raw("<tr><td>").element("code", &[], &c.codes[pair.a]).text(" & ");
        h.element("code", &[], &c.codes[pair.b]).raw("</td>");
        h.element("td", &[("class", "num")], &pair.together.to_string());
        h.element("td", &[("class", "num")], &format!("{:.2}", pair.jaccard));
        h.element("td", &[("class", "num")], &format!("{:.2}", pair.observed_expected));
        h.raw("</tr>").nl();
    }
    h.raw("</tbody></table></div>").nl();
}

/// Background and text colour for a Jaccard index: white at 0, the accent
/// colour (#2f5d8a) at 1; white text once the shade is dark.
fn shade(jaccard: f64) -> String {
    let t = jaccard.clamp(0.0, 1.0);
    let mix = |to: f64| (255.0 + (to - 255.0) * t).round() as u8;
    let (r, g, b) = (mix(47.0), mix(93.0), mix(138.0));
    let ink = if t > 0.55 { "#ffffff" } else { "#1f2328" };
    format!("background:#{r:02x}{g:02x}{b:02x};color:{ink}")
}

pub(crate) fn markdown(contents: &Contents<'_>, md: &mut Markdown) {
    md.paragraph(EXPLAINED);
    for (title, unit, c) in tables(contents) {
        md.heading(3, title);
        md.paragraph(&format!(
            "Number of {unit} with both codes (of {}); the diagonal counts {unit} with the code.",
            c.table.units()
        ));
        let drawn = drawn(c);
        if let Some(note) = codes_left_out(drawn.len(), c.codes.len(), unit) {
            md.paragraph(&note);
        }
        let headers: Vec<&str> =
            std::iter::once("").chain(drawn.iter().map(|&j| c.codes[j].as_str())).collect();
        let mut table = Table::new(
            headers
                .iter()
                .enumerate()
                .map(|(i, h)| (*h, if i == 0 { Align::Left } else { Align::Right }))
                .collect(),
        );
        for &i in &drawn {
            let mut cells = vec![c.codes[i].clone()];
            cells.extend(drawn.iter().map(|&j| c.table.together(i, j).to_string()));
            table.push(cells);
        }
        md.table(&table);
        md.blank();
        let (pairs, all) = c.table.strongest_pairs(PAIRS_SHOWN);
        if pairs.is_empty() {
            md.paragraph(&format!("No two codes share any of the {unit}."));
            continue;
        }
        if let Some(note) = pairs_left_out(pairs.len(), all) {
            md.paragraph(&note);
        }
        let mut ranked = Table::new(vec![
            ("codes", Align::Left),
            ("together", Align::Right),
            ("Jaccard", Align::Right),
            ("observed/expected", Align::Right),
        ]);
        for pair in &pairs {
            ranked.push(vec![
                format!("{} & {}", c.codes[pair.a], c.codes[pair.b]),
                pair.together.to_string(),
                format!("{:.2}", pair.jaccard),
                format!("{:.2}", pair.observed_expected),
            ]);
        }
        md.table(&ranked);
        md.blank();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_long_list_of_pairs_says_how_many_were_left_out() {
        assert_eq!(super::pairs_left_out(3, 3), None);
        assert_eq!(
            super::pairs_left_out(20, 7140).as_deref(),
            Some("The 20 strongest of 7140 pairs; qda cooccur --format csv lists them all.")
        );
    }

    #[test]
    fn a_heat_map_draws_the_codes_on_the_most_units_in_codebook_order() {
        use crate::report::contents::Cooccurrence;
        // Code i is on i + 1 segments, code 7 on none: the 40 codes on the
        // most segments are 10 to 49, drawn in codebook order.
        let codes: Vec<String> = (0..50).map(|i| format!("c{i}")).collect();
        let units: Vec<Vec<usize>> =
            (0..50).filter(|&i| i != 7).flat_map(|i| vec![vec![i]; i + 1]).collect();
        let table = qda_stats::Cooccurrence::count(codes.len(), &units).unwrap();
        let c = Cooccurrence { codes, table };
        assert_eq!(super::drawn(&c), (10..50).collect::<Vec<_>>());
        assert_eq!(
            super::codes_left_out(40, 50, "segments").as_deref(),
            Some(
                "The 40 codes on the most segments, of 50; qda cooccur --format csv counts every pair."
            )
        );
        let few = Cooccurrence { codes: c.codes[..3].to_vec(), table: c.table.clone() };
        assert_eq!(super::drawn(&few), [0, 1, 2]);
    }

    #[test]
    fn shades_run_from_white_to_the_accent() {
        assert_eq!(super::shade(0.0), "background:#ffffff;color:#1f2328");
        assert_eq!(super::shade(1.0), "background:#2f5d8a;color:#ffffff");
    }
}
