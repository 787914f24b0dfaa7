//! `qda report`: the Markdown report of the bundled study (snapshot), the
//! HTML's structure (nothing loaded from anywhere, everything escaped,
//! the same bytes every run), and the HTML in a real browser at phone width.

use std::path::Path;
use std::process::Command;

use crate::support::QdaTest;

const STUDY: &[&str] = &[
    "report",
    "codebooks/motives.toml",
    "transcripts/",
    "--adjudications",
    "adjudications.toml",
    "--by",
    "settled_in",
];

fn report(test: &QdaTest, args: &[&str], output: &str) -> String {
    let mut all = args.to_vec();
    all.extend_from_slice(&["-o", output]);
    test.run(&all).ok();
    String::from_utf8(test.read(output)).expect("the report is UTF-8")
}

#[test]
fn markdown_report_of_the_bundled_study() {
    let test = QdaTest::study();
    let markdown = report(&test, STUDY, "report.md");
    // scipy.stats.chi2_contingency([[3, 1], [11, 2], [7, 2]]) (survival,
    // freedom, involuntary by Japan, South Korea; the empty uncoded row
    // dropped): statistic 0.26138, p 0.87749, 4 expected counts below 5.
    assert!(markdown.contains("Chi-square = 0.261, df = 2, p = 0.877."));
    assert!(markdown.contains("4 of 6 cells have an expected count below 5"));
    // Fisher's exact test of the same table by brute-force enumeration
    // (fisher() in scripts/fisher_brute_force.py): 1.000.
    assert!(markdown.contains("Fisher's exact test: p = 1.000 "));
    // scipy.stats.fisher_exact([[13, 2], [8, 3]]) (cases with and without
    // freedom, Japan and South Korea): p 0.6199.
    assert!(markdown.contains("| freedom | 13 (61.9) | 2 (40.0) | 15 (57.7) | 0.620 |"));
    insta::assert_snapshot!(markdown);
}

/// What the page refers to outside itself: every `href`/`src`-like attribute
/// value, the contents of `<style>` elements, and `style` attributes.
struct Outside {
    links: Vec<String>,
    styles: Vec<String>,
}

fn outside(html: &str) -> Outside {
    let attribute = regex::Regex::new(
        r#"(?i)\s(href|src|srcset|action|formaction|xlink:href|poster|data)\s*=\s*"([^"]*)""#,
    )
    .unwrap();
    let style_attribute = regex::Regex::new(r#"(?i)\sstyle\s*=\s*"([^"]*)""#).unwrap();
    let style_element = regex::Regex::new(r"(?is)<style[^>]*>(.*?)</style>").unwrap();
    Outside {
        links: attribute.captures_iter(html).map(|c| c[2].to_owned()).collect(),
        styles: style_element
            .captures_iter(html)
            .chain(style_attribute.captures_iter(html))
            .map(|c| c[1].to_owned())
            .collect(),
    }
}

/// The structural promises of the HTML report.
#[track_caller]
fn assert_self_contained(html: &str) {
    let lower = html.to_lowercase();
    for tag in ["<script", "<link", "<img", "<iframe", "<object", "<embed", "<base", "<form"] {
        assert!(!lower.contains(tag), "the report contains `{tag}`");
    }
    let found = outside(html);
    assert!(!found.links.is_empty(), "the report links its own sections");
    for link in &found.links {
        assert!(link.starts_with('#'), "a link leaves the page: {link:?}");
    }
    assert!(!found.styles.is_empty());
    for style in &found.styles {
        let style = style.to_lowercase();
        assert!(!style.contains("url("), "CSS loads something: {style:?}");
        assert!(!style.contains("@import"), "CSS imports something: {style:?}");
        assert!(!style.contains("//"), "CSS names a URL: {style:?}");
    }
    assert!(lower.contains("<meta name=\"viewport\""), "no viewport: phones would zoom out");
    assert!(lower.contains("@media print"), "no print stylesheet");
}

#[test]
fn html_report_of_the_bundled_study_is_self_contained_and_deterministic() {
    let test = QdaTest::study();
    let html = report(&test, STUDY, "report.html");
    assert_self_contained(&html);
    for section in [
        "tallies",
        "crosstab",
        "codes",
        "cooccurrence",
        "codebook",
        "excerpts",
        "cases",
        "adjudications",
        "provenance",
    ] {
        assert!(html.contains(&format!("id=\"{section}\"")), "no section `{section}`");
    }
    // Excerpts link to their case, and the case is there.
    assert!(html.contains("<a href=\"#case-P05\">P05</a>"));
    assert!(html.contains("<tr id=\"case-P05\">"));
    // The adjudication's note, and the input hashes.
    assert!(html.contains("Hunger in t4 describes the neighbourhood"));
    assert!(html.contains(&qda_sha256(&test.read("adjudications.toml"))));
    // Same inputs, same bytes, from another working copy too.
    let again = QdaTest::study();
    assert_eq!(report(&again, STUDY, "report.html"), html);
}

fn qda_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Markup in every input (codebook, transcripts, attributes, notes) comes
/// out as text, in the HTML and in the Markdown.
#[test]
fn markup_in_the_inputs_is_escaped() {
    let test = QdaTest::fixture("report-hostile");
    let args = [
        "report",
        "codebook.toml",
        "A.txt",
        "B.txt",
        "--adjudications",
        "adjudications.toml",
        "--by",
        "site",
    ];
    let html = report(&test, &args, "report.html");
    assert_self_contained(&html);
    assert!(
        html.contains("&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;"),
        "the transcript line as text"
    );
    assert!(
        html.contains("&lt;/p&gt;&lt;script&gt;alert(&#39;note&#39;)&lt;/script&gt;"),
        "the note as text"
    );
    assert!(html.contains("<h1>Hostile &lt;b&gt;markup&lt;/b&gt; &amp; &quot;quotes&quot;</h1>"));
    assert!(html.contains("&lt;i&gt;Osaka&lt;/i&gt;"));

    let markdown = report(&test, &args, "report.md");
    // The report writes no HTML of its own, so every `<` must be escaped,
    // and no link may form.
    let unescaped = regex::Regex::new(r"(^|[^\\])(<|\]\()").unwrap();
    let found: Vec<&str> = unescaped.find_iter(&markdown).map(|m| m.as_str()).collect();
    assert!(found.is_empty(), "Markdown passes markup through: {found:?}");
    assert!(markdown.contains("\\<script\\>**alert**(1)\\</script\\>"));
}

#[test]
fn output_kind_follows_the_extension_and_conflicts_write_nothing() {
    let test = QdaTest::study();
    let run = test.run(&["report", "codebooks/motives.toml", "transcripts/", "-o", "report.pdf"]);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: report.pdf: the report's file name must end in .html (a web page) or .md (Markdown); choose -o report.html or -o report.md
    ");
    // Without the adjudications the motives conflict: exit 1, no file.
    let run = test.run(&["report", "codebooks/motives.toml", "transcripts/", "-o", "report.html"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("add a decision for each"));
    assert!(!test.path("report.html").exists());
}

/// The bundled study's report with a person's codings counted.
#[test]
fn a_coders_codings_are_reported() {
    let test = QdaTest::study();
    let mut args = STUDY.to_vec();
    args.extend_from_slice(&["--codings", "codings/rules.json", "codings/anna.json"]);
    let markdown = report(&test, &args, "report.md");
    assert!(markdown.contains("codings: anna"));
    // A coder's memo stands under the excerpt it is about.
    assert!(markdown.contains("anna: Eating raw corn right after the river. Survival?"));
    // A memo on a segment she gave no code has a section of its own.
    assert!(markdown.contains("## Memos on segments without codes"), "{markdown}");
    assert!(markdown.contains(
        "| P05 | P05:t4 | anna | Hunger around him, not his reason for leaving. | \\[00:04:15\\] Yes."
    ));
    let html = report(&test, &args, "report.html");
    assert!(html.contains("<p>anna: Hunger around him, not his reason for leaving.</p>"));
}

/// Co-occurrence counts the units `qda cooccur` counts.
#[test]
fn cooccurrence_is_that_of_qda_cooccur() {
    let test = QdaTest::study();
    let args = ["report", "codebooks/strategies.toml", "transcripts/"];
    let markdown = report(&test, &args, "report.md");
    // Broker in 10 cases, south-east Asia in 15, both in 8, of 26: Jaccard
    // 8 / (10 + 15 − 8) = 0.471; observed/expected 8 · 26 / (10 · 15) = 1.387.
    assert!(markdown.contains("| broker & southeast_asia | 8 | 0.47 | 1.39 |"), "{markdown}");
    // The same pair, first, in `qda cooccur`.
    let run = test.run(&[
        "cooccur",
        "codebooks/strategies.toml",
        "transcripts/",
        "--level",
        "case",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    let pair = &json["pairs"][0];
    assert_eq!((&pair["code_a"], &pair["code_b"]), (&"broker".into(), &"southeast_asia".into()));
    assert_eq!(pair["together"], 8);
}

/// `--excerpts N` shows the first N excerpts of each code and says so.
#[test]
fn excerpts_can_be_limited() {
    let test = QdaTest::study();
    let mut args = STUDY.to_vec();
    args.extend_from_slice(&["--excerpts", "2"]);
    let markdown = report(&test, &args, "report.md");
    assert_eq!(markdown.matches("\n> — ").count(), 6, "two for each of three codes");
    assert!(markdown.contains(
        "Showing the first 2 of 16 excerpts, in case order; --excerpts all shows every one."
    ));
    // The counts are those of every excerpt.
    assert!(markdown.contains("| survival | motive | 16 | 6 |"));

    // By default at most 20 per code: survival's 16, freedom's and
    // involuntary's first 20 of 32 and 27.
    let markdown = report(&test, STUDY, "default.md");
    assert_eq!(markdown.matches("\n> — ").count(), 16 + 20 + 20);
    assert!(markdown.contains(
        "Showing the first 20 of 32 excerpts, in case order; --excerpts all shows every one."
    ));
    let mut args = STUDY.to_vec();
    args.extend_from_slice(&["--excerpts", "all"]);
    let markdown = report(&test, &args, "all.md");
    assert_eq!(markdown.matches("\n> — ").count(), 16 + 32 + 27);
    assert!(!markdown.contains("Showing the first"));

    let mut args = STUDY.to_vec();
    args.extend_from_slice(&["--excerpts", "many", "-o", "many.md"]);
    insta::assert_snapshot!(test.run(&args).failure(), @r"
    exit: 2
    error: invalid value 'many' for '--excerpts <N|all>': `many` is neither a number of excerpts nor `all`; give --excerpts 20 or --excerpts all

    For more information, try '--help'.
    ");
    assert!(!test.path("many.md").exists());
}

/// Eight codes make 28 pairs: the report lists the 20 strongest and says so.
#[test]
fn cooccurring_pairs_are_listed_up_to_20() {
    let test = QdaTest::study();
    let mut codebook = String::from("[codebook]\nname = \"Common words\"\ninterviewer = [\"I\"]\n");
    for word in ["the", "and", "was", "my", "we", "to", "in", "it"] {
        codebook
            .push_str(&format!("\n[[code]]\nid = \"w_{word}\"\n[code.rule]\nany = [\"{word}\"]\n"));
    }
    test.write("words.toml", codebook);
    let markdown = report(&test, &["report", "words.toml", "transcripts/"], "words.md");
    assert_eq!(
        markdown
            .matches("The 20 strongest of 28 pairs; qda cooccur --format csv lists them all.")
            .count(),
        2,
        "once by segment, once by case"
    );
}

/// `--bins` groups a numeric attribute as `qda tally --bins` does.
#[test]
fn a_numeric_attribute_in_bins() {
    let test = QdaTest::study();
    let args = [
        "report",
        "codebooks/motives.toml",
        "transcripts/",
        "--adjudications",
        "adjudications.toml",
        "--by",
        "crossing_year",
        "--bins",
        "2000,2010",
    ];
    let markdown = report(&test, &args, "report.md");
    assert!(
        markdown.contains("| code | (-inf, 2000) (n = 2) | \\[2000, 2010) (n = 12) | \\[2010, inf) (n = 12) | all (n = 26) |"),
        "{markdown}"
    );
}

/// The HTML in headless Chromium at 1366 and 390 CSS pixels (a laptop and a
/// phone): the page must not scroll sideways, and a table wider than the
/// page scrolls in its own frame with its first column fixed. The report is
/// loaded, unchanged, into a frame of that width in a measuring page; the
/// measure is the report document's `scrollWidth`
/// against its `clientWidth`. A screenshot and a PDF (the print stylesheet)
/// are kept in `target/tmp/` for a person to look at.
///
/// Skips with a message where Chromium is not installed, except in CI (`CI`
/// set), where its absence fails the test.
#[test]
fn html_report_fits_a_laptop_and_a_phone_in_a_real_browser() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install Chromium for this test: apt-get install -y chromium"
        );
        eprintln!(
            "skipped: chromium not found (apt-get install -y chromium); the report's phone layout was not checked in a browser"
        );
        return;
    };
    let test = QdaTest::study();
    let html = report(&test, STUDY, "report.html");
    assert!(!html.is_empty());
    // A laptop and a phone: the page never scrolls sideways, and a wide
    // table scrolls in its frame with its first column in view.
    for width in [1366, 390] {
        test.write("measure.html", measuring("report.html", width));
        let measured = measure(&chromium, &test.path("measure.html"));
        assert_eq!(measured.client_width, width, "the frame is {width} px wide: {measured:?}");
        assert!(
            measured.scroll_width <= measured.client_width,
            "the report scrolls sideways at {width} px: {measured:?}"
        );
        assert!(
            measured.hidden.is_empty(),
            "a scrolled table hides its first column at {width} px: {measured:?}"
        );
        if width == 390 {
            assert!(measured.scrolled > 0, "no table scrolls at 390 px, so none was checked");
        }
    }

    // Markup, and a 260-character token, in every input.
    let hostile = QdaTest::fixture("report-hostile");
    let args = [
        "report",
        "codebook.toml",
        "A.txt",
        "B.txt",
        "--adjudications",
        "adjudications.toml",
        "--by",
        "site",
    ];
    report(&hostile, &args, "report.html");
    hostile.write("measure.html", measuring("report.html", 390));
    let measured = measure(&chromium, &hostile.path("measure.html"));
    assert!(
        measured.scroll_width <= measured.client_width,
        "the hostile fixture's report scrolls sideways at 390 px: {measured:?}"
    );

    // The measure can fail: a page wider than the phone is caught.
    test.write("wide.html", "<!DOCTYPE html><meta name=\"viewport\" content=\"width=device-width\"><div style=\"width:600px\">wide</div>");
    test.write("measure-wide.html", measuring("wide.html", 390));
    let wide = measure(&chromium, &test.path("measure-wide.html"));
    assert!(wide.scroll_width > wide.client_width, "a wide page was not caught: {wide:?}");

    let artefacts = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let screenshot = artefacts.join("report-390px.png");
    let pdf = artefacts.join("report.pdf");
    let url = file_url(&test.path("report.html"));
    headless(
        &chromium,
        &[&format!("--screenshot={}", screenshot.display()), "--window-size=390,2400", &url],
    );
    headless(
        &chromium,
        &[&format!("--print-to-pdf={}", pdf.display()), "--no-pdf-header-footer", &url],
    );
    assert!(std::fs::read(&screenshot).is_ok_and(|b| b.starts_with(b"\x89PNG")), "no screenshot");
    assert!(std::fs::read(&pdf).is_ok_and(|b| b.starts_with(b"%PDF")), "no PDF");
    eprintln!("screenshot: {}\nprinted: {}", screenshot.display(), pdf.display());
}

/// A page that loads PAGE into a WIDTH px frame and writes what it measured
/// into its own DOM, which `--dump-dom` prints. (The report itself is not
/// changed: the script is the measuring page's.) Every table frame
/// (`.scroll`) that scrolls is scrolled to its right end, and its rows'
/// first cells must still be inside the frame: the first column is fixed.
const MEASURE: &str = r#"<!DOCTYPE html>
<html><body style="margin:0">
<iframe id="page" src="PAGE" style="width:WIDTHpx;height:900px;border:0"></iframe>
<pre id="result">pending</pre>
<script>
document.getElementById('page').addEventListener('load', function () {
  var doc = this.contentDocument, root = doc.documentElement, wide = [], hidden = [], scrolled = 0;
  doc.querySelectorAll('body *').forEach(function (el) {
    var box = el.getBoundingClientRect();
    if (box.right > root.clientWidth + 0.5 && !el.closest('.scroll')) {
      wide.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ':' + Math.round(box.right));
    }
  });
  doc.querySelectorAll('.scroll').forEach(function (frame) {
    if (frame.scrollWidth <= frame.clientWidth) return;
    scrolled += 1;
    frame.scrollLeft = frame.scrollWidth;
    var left = frame.getBoundingClientRect().left;
    frame.querySelectorAll('tr > :first-child').forEach(function (cell) {
      if (cell.getBoundingClientRect().left < left - 0.5) {
        hidden.push(cell.tagName.toLowerCase() + ':' + cell.textContent.slice(0, 20).replace(/\s+/g, '_'));
      }
    });
  });
  document.getElementById('result').textContent = 'measured scrollWidth=' + root.scrollWidth +
    ' clientWidth=' + root.clientWidth + ' scrolled=' + scrolled + ' hidden=' + hidden.slice(0, 20).join(' ') +
    ' outside=' + wide.slice(0, 20).join(' ') + ' end';
});
</script>
</body></html>
"#;

/// The measuring page for PAGE in a frame `width` px wide.
pub(crate) fn measuring(page: &str, width: u32) -> String {
    MEASURE.replace("PAGE", page).replace("WIDTH", &width.to_string())
}

#[derive(Debug)]
pub(crate) struct Measured {
    pub(crate) scroll_width: u32,
    pub(crate) client_width: u32,
    /// Table frames that scroll sideways.
    scrolled: u32,
    /// First cells of rows that left their frame when it was scrolled.
    hidden: String,
    /// Elements (outside table frames) whose right edge is past the page's.
    pub(crate) outside: String,
}

pub(crate) fn measure(chromium: &Path, page: &Path) -> Measured {
    let dom = headless(
        chromium,
        &[
            "--allow-file-access-from-files",
            "--virtual-time-budget=10000",
            "--dump-dom",
            &file_url(page),
        ],
    );
    let found =
        regex::Regex::new(
            r"measured scrollWidth=(\d+) clientWidth=(\d+) scrolled=(\d+) hidden=(.*?) outside=(.*?) end",
        )
            .unwrap()
            .captures(&dom)
            .unwrap_or_else(|| {
                panic!("the measuring page did not report; chromium printed:\n{dom}")
            });
    Measured {
        scroll_width: found[1].parse().unwrap(),
        client_width: found[2].parse().unwrap(),
        scrolled: found[3].parse().unwrap(),
        hidden: found[4].trim().to_owned(),
        outside: found[5].to_owned(),
    }
}

fn headless(chromium: &Path, args: &[&str]) -> String {
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--hide-scrollbars",
            "--no-first-run",
        ])
        .args(args)
        .output()
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.canonicalize().expect("the file exists").display())
}

/// Chromium on the PATH, under the names Debian and others give it.
pub(crate) fn chromium() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}
