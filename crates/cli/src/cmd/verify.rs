//! `qda verify`: a reviewer's check that a published result still follows
//! from its inputs.
//!
//! For each result: every input named in its provenance must exist with the
//! recorded SHA-256; then the recorded command line is run again (writing
//! to a temporary file) and the new JSON is compared with the published one,
//! value by value. Exit 0 only when everything matches.
//!
//! Codings made by hand (`qda serve`), carried over to edited transcripts
//! (`qda reanchor`) or converted from another tool (`qda import`) have no
//! command that makes them again; for those only the inputs are checked,
//! and the report says so.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;

use crate::args::VerifyArgs;
use crate::outcome::Outcome;
use crate::provenance::display_path;
use crate::study::read_bytes;

pub(crate) fn run(args: &VerifyArgs) -> Result<Outcome> {
    let mut out = std::io::stdout().lock();
    let mut all_ok = true;
    for path in &args.results {
        let (problems, rerun) = verify(path)?;
        let shown = display_path(path);
        if problems.is_empty() {
            let checked = match rerun {
                Rerun::Done => "every input unchanged and every value reproduced".to_owned(),
                Rerun::NotPossible(command) => format!(
                    "every input unchanged (made by `qda {command}`, which cannot be re-run: only the inputs are checked)"
                ),
            };
            writeln!(out, "ok: {shown}: {checked}")?;
        } else {
            all_ok = false;
            writeln!(out, "FAIL: {shown}")?;
            for problem in problems {
                writeln!(out, "  {problem}")?;
            }
        }
    }
    Ok(if all_ok { Outcome::Success } else { Outcome::Failure })
}

/// Whether the result's values were re-made and compared.
enum Rerun {
    Done,
    /// The result was made by this command, which cannot be re-run.
    NotPossible(String),
}

/// Commands whose results are not re-made by running them again: hand-made
/// codings (also when carried over to edited transcripts), and codings
/// converted from another tool's project, and codings merged from two
/// sides (`qda merge-codings`).
const NOT_RERUNNABLE: [&str; 4] = ["serve", "reanchor", "import", "merge-codings"];

/// Everything that differs, one line each (empty when the result holds),
/// and whether the values were re-made.
fn verify(path: &Path) -> Result<(Vec<String>, Rerun)> {
    let shown = display_path(path);
    let bytes = read_bytes(path)?;
    let published: Value = serde_json::from_slice(&bytes)
        .map_err(|e| anyhow!("{shown}:{}:{}: not JSON: {e}", e.line(), e.column()))?;
    let provenance = published.get("provenance").filter(|p| p.is_object()).ok_or_else(|| {
        anyhow!("{shown}: no `provenance` object; only JSON results written by qda can be verified")
    })?;
    let command = provenance["command"].as_str().unwrap_or_default();
    let rerunnable = !NOT_RERUNNABLE.contains(&command);
    let arguments: Option<Vec<String>> = provenance["arguments"]
        .as_array()
        .and_then(|a| a.iter().map(|v| v.as_str().map(str::to_owned)).collect());
    if rerunnable && arguments.is_none() {
        bail!(
            "{shown}: the provenance records no command line (`arguments`); re-make the result with this qda version"
        );
    }

    let mut problems = Vec::new();
    if let Some(conflicts) = published["conflicts"].as_array().filter(|c| !c.is_empty()) {
        problems.push(format!(
            "{} left by `qda merge-codings`; settle them and delete `conflicts`",
            crate::output::count(conflicts.len(), "unresolved merge conflict")
        ));
    }
    // A merged tally also names its partials (`qda tally --partials`).
    let shards = provenance["shards"].as_array().into_iter().flatten();
    for entry in provenance["inputs"].as_array().into_iter().flatten().chain(shards) {
        let (Some(input), Some(expected)) = (entry["path"].as_str(), entry["sha256"].as_str())
        else {
            continue;
        };
        match std::fs::read(input) {
            Ok(bytes) => {
                let actual = qda_coding::sha256_hex(&bytes);
                if actual != expected {
                    problems.push(format!(
                        "{input}: changed (SHA-256 expected {expected}, found {actual})"
                    ));
                }
            }
            Err(e) => problems.push(format!("{input}: missing ({e}; SHA-256 expected {expected})")),
        }
    }

    let Some(arguments) = arguments.filter(|_| rerunnable) else {
        return Ok((problems, Rerun::NotPossible(command.to_owned())));
    };
    let rerun = tempfile::Builder::new()
        .suffix(".json")
        .tempfile()
        .context("cannot create a temporary file")?;
    let mut command_line = without_output(&arguments);
    command_line.push("--output".to_owned());
    command_line.push(rerun.path().to_string_lossy().into_owned());
    let status = Command::new(qda_executable()?)
        .args(&command_line)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .context("cannot re-run the recorded command")?;
    if !status.success() {
        problems.push(format!(
            "re-running `qda {}` failed (exit {}); run it to see why",
            arguments.join(" "),
            status.code().map_or_else(|| "by signal".to_owned(), |c| c.to_string())
        ));
        return Ok((problems, Rerun::Done));
    }
    let mut again: Value = serde_json::from_slice(&std::fs::read(rerun.path())?)
        .with_context(|| format!("the re-run of {shown} did not write JSON"))?;
    // The re-run wrote elsewhere; its command line is otherwise the same.
    if let Some(recorded) = again.pointer_mut("/provenance/arguments") {
        *recorded = provenance["arguments"].clone();
    }
    if published.get("provenance").map(|p| &p["tool"])
        != again.get("provenance").map(|p| &p["tool"])
    {
        bail!("{shown}: the re-run wrote a different kind of result");
    }
    let mut differences = Vec::new();
    compare("", &published, &again, &mut differences);
    problems.extend(differences);
    Ok((problems, Rerun::Done))
}

/// The arguments without `-o FILE`, `--output FILE` or `--output=FILE`.
fn without_output(arguments: &[String]) -> Vec<String> {
    let mut kept = Vec::new();
    let mut skip = false;
    for argument in arguments {
        let glued =
            argument.starts_with("--output=") || (argument.starts_with("-o") && argument.len() > 2);
        if skip {
            skip = false;
        } else if argument == "-o" || argument == "--output" {
            skip = true;
        } else if !glued {
            kept.push(argument.clone());
        }
    }
    kept
}

/// Every value that differs, as `path: published → now`.
fn compare(at: &str, published: &Value, again: &Value, out: &mut Vec<String>) {
    match (published, again) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let here = if at.is_empty() { key.clone() } else { format!("{at}.{key}") };
                match b.get(key) {
                    Some(other) => compare(&here, value, other, out),
                    None => out.push(format!("{here}: {} → (absent)", short(value))),
                }
            }
            for key in b.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!(
                    "{}: (absent) → {}",
                    if at.is_empty() { key.clone() } else { format!("{at}.{key}") },
                    short(&b[key])
                ));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare(&format!("{at}[{i}]"), x, y, out);
            }
            if a.len() != b.len() {
                out.push(format!("{at}: {} items → {} items", a.len(), b.len()));
            }
        }
        (x, y) if x != y => out.push(format!("{at}: {} → {}", short(x), short(y))),
        _ => {}
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(79).collect::<String>())
    } else {
        text
    }
}

/// The `qda` to re-run a command with: this executable, unless the command
/// runs inside another program (the Python package's `qda` console script
/// runs it in the interpreter), then the program it was started as.
fn qda_executable() -> Result<std::path::PathBuf> {
    let exe = std::env::current_exe().context("cannot find the qda executable to re-run")?;
    if exe.file_stem().is_some_and(|stem| stem == "qda") {
        return Ok(exe);
    }
    crate::provenance::program()
        .map(std::path::PathBuf::from)
        .context("cannot find the qda command to re-run")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_options_are_dropped_from_the_rerun() {
        let args: Vec<String> =
            ["tally", "cb.toml", "-o", "out.json", "--format", "json", "--output=x", "-oy"]
                .map(String::from)
                .to_vec();
        assert_eq!(without_output(&args), ["tally", "cb.toml", "--format", "json"]);
    }

    #[test]
    fn differences_name_the_value() {
        let a: Value = serde_json::json!({"groups": [{"rows": [{"cases": 13}]}], "n": 26});
        let b: Value = serde_json::json!({"groups": [{"rows": [{"cases": 12}]}], "n": 26});
        let mut out = Vec::new();
        compare("", &a, &b, &mut out);
        assert_eq!(out, ["groups[0].rows[0].cases: 13 → 12"]);
    }
}
