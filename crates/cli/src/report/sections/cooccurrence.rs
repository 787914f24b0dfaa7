//! Code co-occurrence as heat maps: how many segments, and how many cases,
//! carry both codes of a pair.

use crate::render::table::{Align, Table};
use crate::report::html::Html;
use crate::report::markdown;
use crate::report::study::{Cooccurrence, Study};

fn tables<'s>(study: &'s Study<'_>) -> [(&'static str, &'static str, &'s Cooccurrence); 2] {
    [
        ("In one segment", "segments coded with both codes", &study.by_segment),
        ("In one case", "cases with both codes (in any segments)", &study.by_case),
    ]
}

pub(crate) fn html(study: &Study<'_>, h: &mut Html) {
    h.element(
        "p",
        &[],
        "Each cell counts the units that carry both codes; the shade grows with the count. The diagonal (in grey) counts the units with the code at all.",
    )
    .nl();
    for (title, unit, table) in tables(study) {
        h.element("h3", &[], title).nl();
        heat_map(table, unit, h);
    }
}

/// A table whose cells are shaded from white to the accent colour by their
/// share of the largest off-diagonal count: numbers stay readable text.
fn heat_map(table: &Cooccurrence, unit: &str, h: &mut Html) {
    let max = table.max_pair();
    h.raw("<div class=\"scroll\"><table class=\"heat\">");
    h.element("caption", &[], &format!("Number of {unit}")).nl();
    h.raw("<thead><tr><th scope=\"col\"></th>");
    for code in &table.codes {
        h.open("th", &[("scope", "col"), ("class", "num")]).element("code", &[], code).close("th");
    }
    h.raw("</tr></thead><tbody>").nl();
    for (i, code) in table.codes.iter().enumerate() {
        h.open("tr", &[]).open("th", &[("scope", "row")]).element("code", &[], code).close("th");
        for (j, &n) in table.counts[i].iter().enumerate() {
            if i == j {
                h.element("td", &[("class", "num diag")], &n.to_string());
            } else {
                let style = shade(n, max);
                h.element("td", &[("class", "num"), ("style", &style)], &n.to_string());
            }
        }
        h.close("tr").nl();
    }
    h.raw("</tbody></table></div>").nl();
}

/// Background and text colour for a count: white at 0, the accent colour
/// (#2f5d8a) at `max`; white text once the shade is dark.
fn shade(n: usize, max: usize) -> String {
    let t = if max == 0 { 0.0 } else { n as f64 / max as f64 };
    let mix = |to: f64| (255.0 + (to - 255.0) * t).round() as u8;
    let (r, g, b) = (mix(47.0), mix(93.0), mix(138.0));
    let ink = if t > 0.55 { "#ffffff" } else { "#1f2328" };
    format!("background:#{r:02x}{g:02x}{b:02x};color:{ink}")
}

pub(crate) fn markdown(study: &Study<'_>, out: &mut String) {
    for (title, unit, t) in tables(study) {
        out.push_str(&format!(
            "### {title}\n\nNumber of {unit}; the diagonal counts units with the code.\n\n"
        ));
        let headers: Vec<String> = std::iter::once(String::new())
            .chain(t.codes.iter().map(|c| markdown::text(c)))
            .collect();
        let mut table = Table::new(
            headers
                .iter()
                .enumerate()
                .map(|(i, h)| (h.as_str(), if i == 0 { Align::Left } else { Align::Right }))
                .collect(),
        );
        for (i, code) in t.codes.iter().enumerate() {
            let mut cells = vec![markdown::text(code)];
            cells.extend(t.counts[i].iter().map(ToString::to_string));
            table.push(cells);
        }
        out.push_str(&table.to_markdown());
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn shades_run_from_white_to_the_accent() {
        assert_eq!(super::shade(0, 4), "background:#ffffff;color:#1f2328");
        assert_eq!(super::shade(4, 4), "background:#2f5d8a;color:#ffffff");
        assert_eq!(super::shade(0, 0), "background:#ffffff;color:#1f2328");
    }
}
