//! Interval bar charts, the report's one kind of figure: a bar per share of
//! cases with its 95% Wilson interval as a whisker, optionally in groups
//! (one group per attribute value, or per code).
//!
//! Bars are HTML rows: the label and numbers are text (they wrap and scale
//! like text on a phone); only the bar and whisker are SVG, stretched to the
//! row's width, with strokes that keep their width when stretched. Each
//! SVG is an image with a label that says what it shows, for screen readers.

use crate::render::tally::{interval_shown, percent_shown};
use crate::report::html::Html;
use crate::report::sections::shown::pct;

/// One bar: `cases` of `of`, as a percentage with its interval.
pub(crate) struct Bar {
    /// The bar's name (a code, or an attribute value).
    pub(crate) name: String,
    /// A second line under the name (a code's label), when it says more.
    pub(crate) detail: Option<String>,
    pub(crate) cases: usize,
    pub(crate) of: usize,
    /// `None` where the share is undefined (`of` is 0).
    pub(crate) percent: Option<f64>,
    pub(crate) wilson_95: Option<[f64; 2]>,
    pub(crate) colour: String,
}

/// A group of bars under a heading (`None`: bars without groups).
pub(crate) struct Group {
    pub(crate) heading: Option<String>,
    pub(crate) bars: Vec<Bar>,
}

/// A figure of `groups` with `caption`, which says what bars and whiskers are.
pub(crate) fn figure(h: &mut Html, groups: &[Group], caption: &str) {
    h.open("figure", &[("class", "bars")]).nl();
    for group in groups {
        if let Some(heading) = &group.heading {
            h.element("p", &[("class", "bar-group")], heading).nl();
        }
        for bar in &group.bars {
            row(h, group.heading.as_deref(), bar);
        }
    }
    h.raw("<div class=\"axis\" aria-hidden=\"true\"><span></span><span class=\"ticks\"><span>0%</span><span>50%</span><span>100%</span></span><span></span></div>").nl();
    h.element("figcaption", &[], caption);
    h.close("figure").nl();
}

fn row(h: &mut Html, heading: Option<&str>, bar: &Bar) {
    h.raw("<div class=\"bar-row\"><span class=\"bar-label\">").text(&bar.name);
    if let Some(detail) = &bar.detail {
        h.element("small", &[], detail);
    }
    h.raw("</span>");
    let interval = bar.wilson_95.map_or_else(
        || "undefined".to_owned(),
        |[lower, upper]| format!("{} to {}", pct(lower), pct(upper)),
    );
    let within = heading.map(|g| format!("{g}, ")).unwrap_or_default();
    let described = format!(
        "{within}{}: {} of {} cases, {}%, 95% interval {interval}",
        bar.name,
        bar.cases,
        bar.of,
        percent_shown(bar.percent),
    );
    h.open(
        "svg",
        &[
            ("viewBox", "0 0 100 14"),
            ("preserveAspectRatio", "none"),
            ("role", "img"),
            ("aria-label", &described),
        ],
    );
    h.empty(
        "rect",
        &[("x", "0"), ("y", "0"), ("width", "100"), ("height", "14"), ("fill", "#ffffff")],
    );
    for x in ["25", "50", "75"] {
        h.empty(
            "line",
            &[
                ("x1", x),
                ("y1", "0"),
                ("x2", x),
                ("y2", "14"),
                ("stroke", "#d8dee4"),
                ("vector-effect", "non-scaling-stroke"),
            ],
        );
    }
    h.empty(
        "rect",
        &[
            ("x", "0"),
            ("y", "3"),
            // No bar where the share is undefined (no cases).
            ("width", &format!("{:.2}", bar.percent.unwrap_or(0.0))),
            ("height", "8"),
            ("fill", &bar.colour),
        ],
    );
    let stroke =
        [("stroke", "#1f2328"), ("stroke-width", "1.5"), ("vector-effect", "non-scaling-stroke")];
    let line = |h: &mut Html, x1: &str, y1: &str, x2: &str, y2: &str| {
        let mut attrs = vec![("x1", x1), ("y1", y1), ("x2", x2), ("y2", y2)];
        attrs.extend(stroke);
        h.empty("line", &attrs);
    };
    if let Some([lower, upper]) = bar.wilson_95 {
        let (lo, hi) = (format!("{lower:.2}"), format!("{upper:.2}"));
        line(h, &lo, "7", &hi, "7");
        line(h, &lo, "3.5", &lo, "10.5");
        line(h, &hi, "3.5", &hi, "10.5");
    }
    h.raw("</svg><span class=\"bar-value\">");
    h.text(&format!("{} · {}%", bar.cases, percent_shown(bar.percent)));
    h.raw("<br>").element("small", &[], &interval_shown(bar.wilson_95)).raw("</span></div>").nl();
}
