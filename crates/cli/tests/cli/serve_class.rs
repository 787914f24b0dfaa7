//! `qda serve --coders FILE`: one server for a class. Thirty students code
//! at once through the HTTP API without losing a write or reaching another
//! student's file; the teacher's token reads the class and writes nothing;
//! the teacher's numbers are `qda agree`'s; a bad class list is refused.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::support::{self, QdaTest, json, split_url};

/// A spawned class server: where it listens, the teacher's token, and each
/// student's token by name.
struct Class {
    child: Child,
    address: String,
    teacher: String,
    students: BTreeMap<String, String>,
}

impl Drop for Class {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `name,url` table of the students' URLs.
fn url_table(text: &str) -> BTreeMap<String, String> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.headers().unwrap(), vec!["name", "url"], "{text}");
    reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            (record[0].to_owned(), split_url(&record[1]).1)
        })
        .collect()
}

/// Starts `qda serve codebooks/motives.toml transcripts --coders coders.csv`
/// with `extra` arguments; the students' URLs are read from standard output,
/// or from `--tokens-out` when it is given.
fn start(test: &QdaTest, extra: &[&str]) -> Class {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qda"))
        .args(["serve", "codebooks/motives.toml", "transcripts", "--coders", "coders.csv"])
        .args(extra)
        .current_dir(test.root())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let (address, teacher) = split_url(&line);
    // Killed on drop from here on, even when a check below fails.
    let mut class = Class { child, address, teacher, students: BTreeMap::new() };
    class.students = match extra.iter().position(|a| *a == "--tokens-out") {
        Some(i) => url_table(&String::from_utf8(test.read(extra[i + 1])).unwrap()),
        None => {
            let mut text = String::new();
            let mut line = String::new();
            while stdout.read_line(&mut line).unwrap() > 0 {
                text.push_str(&line);
                line.clear();
                if text.lines().count() == test.read_lines("coders.csv") {
                    break;
                }
            }
            url_table(&text)
        }
    };
    class
}

impl QdaTest {
    /// The rows of a CSV file, its header counted.
    fn read_lines(&self, relative: &str) -> usize {
        String::from_utf8(self.read(relative)).unwrap().lines().count()
    }
}

/// One request to the class server with `token`: the status and the body.
fn request(class: &Class, token: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    support::request(&class.address, token, (method, path, body), Duration::from_secs(30))
}

/// Every (start, end) inside a codable segment of P01 that starts with it.
fn spans(class: &Class, token: &str) -> Vec<(usize, usize)> {
    let (_, case) = request(class, token, "GET", "/api/cases/P01", "");
    json(&case)["segments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["interviewer"] == false)
        .flat_map(|s| {
            let start = s["start"].as_u64().unwrap() as usize;
            let end = s["end"].as_u64().unwrap() as usize;
            (start + 1..=end).map(move |e| (start, e))
        })
        .collect()
}

fn add_body(version: &str, (start, end): (usize, usize)) -> String {
    format!(
        r#"{{"version":"{version}","edits":[{{"op":"add","case":"P01","code":"survival","start":{start},"end":{end}}}]}}"#
    )
}

/// The (start, end) of every coding in a codings file, and its coders.
fn written(test: &QdaTest, name: &str) -> (BTreeSet<(usize, usize)>, BTreeSet<String>) {
    let path = format!("codings/{name}.json");
    if !test.path(&path).exists() {
        return Default::default();
    }
    let file = json(&String::from_utf8(test.read(&path)).unwrap());
    let codings = file["codings"].as_array().unwrap();
    let spans = codings
        .iter()
        .map(|c| (c["start"].as_u64().unwrap() as usize, c["end"].as_u64().unwrap() as usize))
        .collect();
    let coders = codings.iter().map(|c| c["coder"].as_str().unwrap().to_owned()).collect();
    (spans, coders)
}

/// 30 students, each on a thread of their own, add codings at once through
/// the API: every acknowledged add is in that student's file, and in no
/// other's. Prints the lost-write figure.
#[test]
fn thirty_students_coding_at_once_lose_nothing_and_keep_to_their_own_files() {
    const STUDENTS: usize = 30;
    const ADDS: usize = 5;
    let test = QdaTest::study();
    let names: Vec<String> = (1..=STUDENTS).map(|i| format!("s{i:02}")).collect();
    test.write("coders.csv", format!("name\n{}\n", names.join("\n")));
    let class = start(&test, &["--tokens-out", "urls.csv"]);
    assert_eq!(class.students.keys().cloned().collect::<Vec<_>>(), names);
    for name in &names {
        let lock = String::from_utf8(test.read(&format!("codings/.{name}.json.lock"))).unwrap();
        assert_eq!(
            lock,
            format!("pid {}\nqda serve at http://{}/\n", class.child.id(), class.address)
        );
    }
    let spans = spans(&class, &class.students["s01"]);
    assert!(spans.len() >= STUDENTS * ADDS, "{}", spans.len());

    let acknowledged: BTreeMap<String, BTreeSet<(usize, usize)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let (class, spans) = (&class, &spans);
                let token = &class.students[name];
                scope.spawn(move || {
                    let mut done = BTreeSet::new();
                    for j in 0..ADDS {
                        let span = spans[i * ADDS + j];
                        for _attempt in 0..20 {
                            let (_, study) = request(class, token, "GET", "/api/study", "");
                            let study = json(&study);
                            assert_eq!(study["coder"], name.as_str());
                            let version = study["version"].as_str().unwrap().to_owned();
                            let (status, answer) = request(
                                class,
                                token,
                                "POST",
                                "/api/edits",
                                &add_body(&version, span),
                            );
                            match status {
                                200 => {
                                    done.insert(span);
                                    break;
                                }
                                409 => {}
                                _ => panic!("{name}: {status} {answer}"),
                            }
                        }
                    }
                    (name.clone(), done)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let total: usize = acknowledged.values().map(BTreeSet::len).sum();
    let mut lost = 0;
    for name in &names {
        let (spans, coders) = written(&test, name);
        let mine = &acknowledged[name];
        lost += mine.difference(&spans).count();
        assert_eq!(&spans, mine, "{name}'s file holds exactly {name}'s acknowledged codings");
        assert_eq!(
            coders,
            BTreeSet::from([name.clone()]),
            "{name}'s file holds only {name}'s codings"
        );
    }
    println!("{lost} of {total} acknowledged writes lost, {STUDENTS} students at once");
    assert_eq!(total, STUDENTS * ADDS, "every add is acknowledged in the end");
    assert_eq!(lost, 0);
    // The teacher's page counts what each student saved.
    let (status, view) = request(&class, &class.teacher, "GET", "/api/class", "");
    assert_eq!(status, 200, "{view}");
    let view = json(&view);
    for student in view["students"].as_array().unwrap() {
        assert_eq!(student["codings"], ADDS, "{student}");
    }
}

#[test]
fn a_students_token_reaches_only_their_own_file_and_the_teachers_writes_nothing() {
    let test = QdaTest::study();
    test.write("coders.csv", "name\ndora\nemil\n");
    let class = start(&test, &[]);
    let (dora, emil) = (&class.students["dora"], &class.students["emil"]);
    let span = spans(&class, dora)[0];

    // Each student's page and API are their own.
    let (status, page) = request(&class, dora, "GET", &format!("/?token={dora}"), "");
    assert_eq!(status, 200);
    assert!(page.contains("/assets/app.js"), "{page}");
    let (_, study) = request(&class, dora, "GET", "/api/study", "");
    let study = json(&study);
    assert_eq!(
        (study["coder"].as_str(), study["codings"].as_str()),
        (Some("dora"), Some("codings/dora.json"))
    );
    assert_eq!(study["compare"], serde_json::json!([]), "no other student to compare with");
    let (status, _) = request(&class, dora, "POST", "/api/edits", &add_body("none", span));
    assert_eq!(status, 200);
    assert_eq!(written(&test, "dora").0, BTreeSet::from([span]));
    assert!(!test.path("codings/emil.json").exists(), "dora's edit went to dora's file only");

    // Nothing names another student: not a comparison, not the class.
    for path in ["/api/compare?with=emil", "/api/compare?with=dora", "/api/class"] {
        let (status, body) = request(&class, emil, "GET", path, "");
        assert_eq!(status, 404, "{path}: {body}");
    }
    // Emil's token edits emil's file, even when the query names dora's token.
    let (_, study) = request(&class, emil, "GET", &format!("/api/study?token={dora}"), "");
    assert_eq!(json(&study)["coder"], "emil");
    let dora_before = test.read("codings/dora.json");
    let (status, _) =
        request(&class, emil, "POST", &format!("/api/edits?token={dora}"), &add_body("none", span));
    assert_eq!(status, 200);
    assert_eq!(test.read("codings/dora.json"), dora_before);
    assert_eq!(written(&test, "emil").1, BTreeSet::from(["emil".to_owned()]));
    // A wrong token, or none, reaches no one.
    let (status, _) = request(&class, "0123456789abcdef0123456789abcdef", "GET", "/api/study", "");
    assert_eq!(status, 401);
    let (status, _) = request(&class, "", "GET", "/api/class", "");
    assert_eq!(status, 401);

    // The teacher reads the class, and writes nothing.
    let teacher = &class.teacher;
    let (status, page) = request(&class, teacher, "GET", &format!("/?token={teacher}"), "");
    assert_eq!(status, 200);
    assert!(page.contains("/assets/class.js"), "{page}");
    let emil_before = test.read("codings/emil.json");
    for path in ["/api/edits", "/api/reanchor"] {
        let (status, body) = request(&class, teacher, "POST", path, &add_body("none", span));
        assert_eq!(status, 403, "{path}: {body}");
    }
    for path in ["/api/study", "/api/cases/P01", "/api/compare?with=rules"] {
        let (status, body) = request(&class, teacher, "GET", path, "");
        assert_eq!(status, 404, "{path}: {body}");
    }
    assert_eq!(test.read("codings/dora.json"), dora_before);
    assert_eq!(test.read("codings/emil.json"), emil_before);
    let (status, view) = request(&class, teacher, "GET", "/api/class", "");
    assert_eq!(status, 200);
    let view = json(&view);
    let counts: Vec<(&str, u64)> = view["students"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["codings"].as_u64().unwrap()))
        .collect();
    assert_eq!(counts, [("dora", 1), ("emil", 1)]);
    // Both coded the same span alike: one segment, no difference.
    let segments = view["segment_codes"].as_array().unwrap();
    assert_eq!(segments.len(), 1, "{segments:?}");
    assert_eq!(segments[0]["differ"], false);

    // The page asks what changed since its last answer: nothing, until a
    // student saves.
    let since = format!("/api/class?since={}", view["version"].as_str().unwrap());
    let (_, same) = request(&class, teacher, "GET", &since, "");
    assert_eq!(json(&same), serde_json::json!({"version": view["version"], "unchanged": true}));
    let (_, study) = request(&class, emil, "GET", "/api/study", "");
    let version = json(&study)["version"].as_str().unwrap().to_owned();
    let freedom = add_body(&version, span).replace("survival", "freedom");
    let (status, _) = request(&class, emil, "POST", "/api/edits", &freedom);
    assert_eq!(status, 200);
    let (_, changed) = request(&class, teacher, "GET", &since, "");
    let changed = json(&changed);
    assert_ne!(changed["version"], view["version"]);
    assert_eq!(changed["students"][1]["codings"], 2);
    let segment = &changed["segment_codes"][0];
    assert_eq!(segment["differ"], true);
    assert_eq!(
        segment["students"],
        serde_json::json!({"dora": ["survival"], "emil": ["survival", "freedom"]})
    );

    // Each student's file is locked as a single coder's is.
    let run = test.run(&["serve", "codebooks/motives.toml", "transcripts", "--coder", "dora"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "error: codings/dora.json: in use by process {} (qda serve at http://{}/)",
            class.child.id(),
            class.address
        )),
        "{}",
        run.stderr
    );
}

/// A statistic of `qda agree --format json`: its value, `None` when undefined.
fn agree_value(stat: &Value) -> Option<f64> {
    stat.as_f64()
}

/// The teacher's numbers for anna and ben (the bundled study's two coders)
/// are those `qda agree` gives for their files, and each student's against
/// the reference those of `qda agree` with the rules' file.
#[test]
fn the_teachers_numbers_are_those_of_qda_agree() {
    let test = QdaTest::study();
    // carl has not started: he is listed, and left out of the agreement.
    test.write("coders.csv", "name,email\nanna,anna@example.org\nben,ben@example.org\ncarl,\n");
    let class = start(&test, &["--compare", "codings/rules.json"]);
    let (status, view) = request(&class, &class.teacher, "GET", "/api/class", "");
    assert_eq!(status, 200, "{view}");
    let view = json(&view);
    let agree = |files: &[&str], extra: &[&str]| {
        let mut args = vec!["agree", "codebooks/motives.toml", "transcripts", "--format", "json"];
        for file in files {
            args.extend(["--codings", file]);
        }
        args.extend(extra);
        let run = test.run(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        json(&run.stdout)
    };
    let stats = [
        "percent_agreement",
        "cohen_kappa",
        "scott_pi",
        "fleiss_kappa",
        "gwet_ac1",
        "krippendorff_alpha",
    ];

    let expected = agree(&["codings/anna.json", "codings/ben.json"], &[]);
    let agreement = &view["agreement"];
    assert_eq!(agreement["coders"], serde_json::json!(["anna", "ben"]));
    let rows = agreement["rows"].as_array().unwrap();
    let expected_rows = expected["rows"].as_array().unwrap();
    assert_eq!(rows.len(), expected_rows.len());
    for (row, want) in rows.iter().zip(expected_rows) {
        assert_eq!(row["code"], want["name"]);
        assert_eq!(row["scope"], want["scope"]);
        assert_eq!(row["units"], want["units"], "{}", row["code"]);
        for stat in stats {
            assert_eq!(row[stat].as_f64(), agree_value(&want[stat]), "{} {stat}", row["code"]);
        }
    }

    for name in ["anna", "ben"] {
        let file = format!("codings/{name}.json");
        let want = agree(&[&file, "codings/rules.json"], &[]);
        let pooled =
            want["rows"].as_array().unwrap().iter().find(|r| r["scope"] == "pooled").unwrap();
        let student =
            view["students"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap();
        let got = &student["reference"];
        assert_eq!(got["units"], pooled["units"], "{name}");
        for stat in stats {
            assert_eq!(got[stat].as_f64(), agree_value(&pooled[stat]), "{name} {stat}");
        }
    }
    let carl = &view["students"][2];
    assert_eq!(
        (carl["name"].as_str(), carl["version"].as_str(), carl["codings"].as_u64()),
        (Some("carl"), Some("none"), Some(0))
    );

    // The segments where anna and ben differ are those where `qda agree
    // --disagreements` finds a code they differ on, and they come first.
    let disagreements = agree(&["codings/anna.json", "codings/ben.json"], &["--disagreements"]);
    let want: BTreeSet<(String, String)> = disagreements
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["unit"].is_string())
        .map(|d| (d["case"].as_str().unwrap().to_owned(), d["unit"].as_str().unwrap().to_owned()))
        .collect();
    assert!(!want.is_empty());
    let segments = view["segment_codes"].as_array().unwrap();
    let differ = |s: &Value| {
        let (anna, ben) = (&s["students"]["anna"], &s["students"]["ben"]);
        anna.is_array() && ben.is_array() && anna != ben
    };
    let got: BTreeSet<(String, String)> = segments
        .iter()
        .filter(|s| differ(s))
        .map(|s| {
            (s["case"].as_str().unwrap().to_owned(), s["segment"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(got, want);
    // `differ` also counts the reference; those first, in text order after.
    let flags: Vec<bool> = segments.iter().map(|s| s["differ"].as_bool().unwrap()).collect();
    assert!(flags.windows(2).all(|w| w[0] || !w[1]), "differing segments first");
    assert!(got.iter().all(|(case, segment)| segments.iter().any(|s| s["case"] == case.as_str()
        && s["segment"] == segment.as_str()
        && s["differ"] == true)));
}

#[test]
fn the_students_urls_go_to_a_private_file_and_the_teachers_to_standard_output() {
    let test = QdaTest::study();
    test.write("coders.csv", "name\nanna\n\"Ben, Jr\"\n");
    let class = start(&test, &["--tokens-out", "urls.csv"]);
    let text = String::from_utf8(test.read("urls.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[2].starts_with("\"Ben, Jr\",http://"), "{text}");
    assert_eq!(class.students.len(), 2);
    let tokens: BTreeSet<&String> =
        class.students.values().chain(std::iter::once(&class.teacher)).collect();
    assert_eq!(tokens.len(), 3, "a token each");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(test.path("urls.csv")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let (_, study) = request(&class, &class.students["Ben, Jr"], "GET", "/api/study", "");
    assert_eq!(json(&study)["codings"], "codings/Ben, Jr.json");
}

/// Runs a class server that must refuse to start: its failure.
fn refused(test: &QdaTest, list: &str, extra: &[&str]) -> String {
    test.write("coders.csv", list);
    let mut args = vec!["serve", "codebooks/motives.toml", "transcripts", "--coders", "coders.csv"];
    args.extend(extra);
    test.run(&args).failure()
}

#[test]
fn a_bad_class_list_is_refused_with_its_line() {
    let test = QdaTest::study();
    insta::assert_snapshot!(refused(&test, "student\nanna\n", &[]), @r"
    exit: 2
    error: coders.csv:1:1: the first column must be `name`; add a header row `name`, then one student's name per row
    ");
    insta::assert_snapshot!(refused(&test, "name\nanna\nben\nAnna\n", &[]), @r"
    exit: 2
    error: coders.csv:4:1: `Anna` is already a student on line 2 (names are compared without case, as they name files); give each student one row and a name of their own
    ");
    insta::assert_snapshot!(refused(&test, "name\nanna\nrules\n", &[]), @r#"
    exit: 2
    error: coders.csv:3:1: "rules": name the person coding (`rules` is reserved for rule codings; no surrounding spaces)
    "#);
    insta::assert_snapshot!(refused(&test, "name\n\"../anna\"\n", &[]), @r#"
    exit: 2
    error: coders.csv:2:1: "../anna": the name "../anna" also names the student's codings file (codings/NAME.json): leave out `/`, `\`, `:` and control characters, and do not start it with `.`
    "#);
    insta::assert_snapshot!(refused(&test, "name\n\" anna\"\n", &[]), @r#"
    exit: 2
    error: coders.csv:2:1: " anna": name the person coding (`rules` is reserved for rule codings; no surrounding spaces)
    "#);
    insta::assert_snapshot!(refused(&test, "name\n\n", &[]), @r"
    exit: 2
    error: coders.csv:1:1: no student: add one name per row under the header `name`
    ");
    // An unclosed quote runs to the end of the file.
    insta::assert_snapshot!(refused(&test, "name\nanna\n\"ben\n", &[]), @r#"
    exit: 2
    error: coders.csv:3:1: "ben\n": name the person coding (`rules` is reserved for rule codings; no surrounding spaces)
    "#);
}

#[test]
fn class_mode_options_are_checked() {
    let test = QdaTest::study();
    insta::assert_snapshot!(refused(&test, "name\nanna\n", &["--coder", "anna"]), @r"
    exit: 2
    error: the argument '--coders <FILE>' cannot be used with '--coder <NAME>'

    Usage: qda serve --coders <FILE> <CODEBOOK> <TRANSCRIPTS>...

    For more information, try '--help'.
    ");
    insta::assert_snapshot!(refused(&test, "name\nanna\n", &["--codings", "x.json"]), @r"
    exit: 2
    error: the argument '--coders <FILE>' cannot be used with '--codings <FILE>'

    Usage: qda serve --coders <FILE> <CODEBOOK> <TRANSCRIPTS>...

    For more information, try '--help'.
    ");
    let two = ["--compare", "codings/rules.json", "--compare", "codings/ben.json"];
    insta::assert_snapshot!(refused(&test, "name\nanna\n", &two), @r"
    exit: 2
    error: --compare: a class is measured against one reference coding; give --compare once (the students' agreement with each other is shown anyway)
    ");
    insta::assert_snapshot!(refused(&test, "name\nanna\n", &["--compare", "nowhere.json"]), @r"
    exit: 2
    error: --compare nowhere.json: no such file; the reference is a codings file of one coder, such as a model answer coded with `qda serve --coder`
    ");
    insta::assert_snapshot!(refused(&test, "name\nanna\n", &["--tokens-out", "coders.csv"]), @r"
    exit: 2
    error: --tokens-out coders.csv: refusing to write the URLs over coders.csv, an input; choose another file
    ");
    assert_eq!(test.read("coders.csv"), b"name\nanna\n");
    assert!(!test.path("codings/.anna.json.lock").exists(), "no lock left behind");
    let run =
        test.run(&["serve", "codebooks/motives.toml", "transcripts", "--tokens-out", "urls.csv"]);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: the following required arguments were not provided:
      --coders <FILE>
      --coder <NAME>

    Usage: qda serve --coders <FILE> --tokens-out <FILE> --coder <NAME> <CODEBOOK> <TRANSCRIPTS>...

    For more information, try '--help'.
    ");
    assert!(!test.path("urls.csv").exists());
    std::fs::remove_dir_all(test.path("codings")).unwrap();
    insta::assert_snapshot!(refused(&test, "name\nanna\n", &[]), @r"
    exit: 2
    error: the folder codings does not exist; create it: each student's work is saved to codings/NAME.json
    ");
}
