//! Sharded tallies (`--shard K/N --partial`, `--partials`): the merge equals
//! a single run, bad sets of partials are errors naming the files, and the
//! recipes of docs/scale.md run under GNU parallel and Slurm.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::{QdaTest, workspace};

/// The options of the single run, given to the merge too.
const BY: [&str; 4] = ["--adjudications", "adjudications.toml", "--by", "settled_in"];

/// Runs the N shards and the merge; returns the merged JSON and table.
fn shard_and_merge(
    test: &QdaTest,
    codebook: &str,
    corpus: &str,
    n: u64,
    by: &[&str],
) -> (Vec<u8>, String) {
    let mut partials = Vec::new();
    for k in 0..n {
        let out = format!("part-{k}-of-{n}.json");
        let shard = format!("{k}/{n}");
        test.run(&["tally", codebook, corpus, "--shard", &shard, "--partial", "-o", &out]).ok();
        partials.push(out);
    }
    let merge = |extra: &[&str]| {
        let mut args = vec!["tally", codebook, "--partials"];
        args.extend(partials.iter().map(String::as_str));
        args.extend(by);
        args.extend(extra);
        test.run(&args)
    };
    let out = format!("merged-{n}.json");
    merge(&["--format", "json", "-o", &out]).ok();
    let table = merge(&[]).ok().to_owned();
    (test.read(&out), table)
}

/// The merged JSON with the two provenance fields a merge changes
/// (`arguments`, `shards`) taken out, after checking `shards`.
fn without_merge_fields(bytes: &[u8], n: u64) -> String {
    let mut json: Value = serde_json::from_slice(bytes).unwrap();
    let provenance = json["provenance"].as_object_mut().unwrap();
    let shards = provenance.remove("shards").expect("a merged tally lists its shards");
    let listed: Vec<&str> =
        shards.as_array().unwrap().iter().map(|s| s["shard"].as_str().unwrap()).collect();
    let expected: Vec<String> = (0..n).map(|k| format!("{k}/{n}")).collect();
    assert_eq!(listed, expected, "shards in shard order");
    provenance.remove("arguments");
    serde_json::to_string_pretty(&json).unwrap()
}

fn single_without_arguments(bytes: &[u8]) -> String {
    let mut json: Value = serde_json::from_slice(bytes).unwrap();
    json["provenance"].as_object_mut().unwrap().remove("arguments");
    serde_json::to_string_pretty(&json).unwrap()
}

#[test]
fn merged_shards_equal_the_single_run_on_the_bundled_study() {
    let test = QdaTest::study();
    let codebook = "codebooks/motives.toml";
    let mut args = vec!["tally", codebook, "transcripts/"];
    args.extend(BY);
    let table = test.run(&args).ok().to_owned();
    args.extend(["--format", "json", "-o", "single.json"]);
    test.run(&args).ok();
    let single = single_without_arguments(&test.read("single.json"));
    for n in [1, 2, 7, 64] {
        let (merged, merged_table) = shard_and_merge(&test, codebook, "transcripts/", n, &BY);
        assert_eq!(without_merge_fields(&merged, n), single, "JSON, {n} shards");
        assert_eq!(merged_table, table, "table, {n} shards");
    }
    // The merge re-runs and its inputs (transcripts and partials) check out.
    let verified = test.run(&["verify", "merged-7.json", "part-3-of-7.json"]);
    assert!(verified.ok().matches("ok: ").count() == 2, "{}", verified.stdout);
}

/// A generated corpus (crates/bench): 90 transcripts of 2 to 6 kB.
fn generated() -> QdaTest {
    let test = QdaTest::new();
    let generator = qda_bench::Generator::new(40, 7);
    test.write("codebook.toml", generator.codebook_toml());
    let sizes = qda_bench::plan(7, 360_000, 2_000, 6_000);
    assert!(sizes.len() > 60, "a corpus of many cases");
    for (index, size) in sizes.into_iter().enumerate() {
        let case = qda_bench::case_id(index);
        test.write(&format!("corpus/{case}.txt"), generator.transcript(index, size));
    }
    test
}

#[test]
fn merged_shards_equal_the_single_run_on_a_generated_corpus() {
    let test = generated();
    let table = test.run(&["tally", "codebook.toml", "corpus"]).ok().to_owned();
    test.run(&["tally", "codebook.toml", "corpus", "--format", "json", "-o", "single.json"]).ok();
    let single = single_without_arguments(&test.read("single.json"));
    for n in [1, 2, 7, 64] {
        let (merged, merged_table) = shard_and_merge(&test, "codebook.toml", "corpus", n, &[]);
        assert_eq!(without_merge_fields(&merged, n), single, "JSON, {n} shards");
        assert_eq!(merged_table, table, "table, {n} shards");
    }
}

#[test]
fn each_case_is_coded_by_one_shard() {
    let test = QdaTest::study();
    let mut cases = Vec::new();
    for k in 0..3 {
        let out = format!("codings-{k}.json");
        let shard = format!("{k}/3");
        test.run(&[
            "code",
            "codebooks/motives.toml",
            "transcripts/",
            "--shard",
            &shard,
            "-o",
            &out,
        ])
        .ok();
        let json: Value = serde_json::from_slice(&test.read(&out)).unwrap();
        assert_eq!(json["provenance"]["options"]["shard"], shard.as_str());
        cases.extend(
            json["transcripts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["case"].as_str().unwrap().to_owned()),
        );
    }
    cases.sort();
    let all: Vec<String> = (1..=26).map(|i| format!("P{i:02}")).collect();
    assert_eq!(cases, all);
    // The shards' codings files, read together, give the single run's tally.
    let single = test
        .run(&["tally", "codebooks/motives.toml", "transcripts/", BY[0], BY[1]])
        .ok()
        .to_owned();
    let merged = test.run(&[
        "tally",
        "codebooks/motives.toml",
        "transcripts/",
        BY[0],
        BY[1],
        "--codings",
        "codings-0.json",
        "codings-1.json",
        "codings-2.json",
    ]);
    assert_eq!(merged.ok(), single);
    // Without one shard's codings file, its cases would count as uncoded.
    let missing = test.run(&[
        "tally",
        "codebooks/motives.toml",
        "transcripts/",
        BY[0],
        BY[1],
        "--codings",
        "codings-0.json",
        "codings-2.json",
    ]);
    insta::assert_snapshot!(missing.failure());
}

/// Three partials of the bundled study (shards of 3), for the error tests.
fn three_partials() -> QdaTest {
    let test = QdaTest::study();
    for k in 0..3 {
        let shard = format!("{k}/3");
        let out = format!("part-{k}.json");
        test.run(&[
            "tally",
            "codebooks/motives.toml",
            "transcripts/",
            "--shard",
            &shard,
            "--partial",
            "-o",
            &out,
        ])
        .ok();
    }
    test
}

fn merge(test: &QdaTest, codebook: &str, partials: &[&str]) -> String {
    let mut args = vec!["tally", codebook, "--partials"];
    args.extend(partials);
    args.extend(["-o", "merged.json"]);
    let run = test.run(&args);
    assert!(!test.path("merged.json").exists(), "no output on error");
    run.failure()
}

#[test]
fn a_missing_shard_is_named() {
    let test = three_partials();
    insta::assert_snapshot!(merge(
        &test,
        "codebooks/motives.toml",
        &["part-0.json", "part-2.json"]
    ));
    insta::assert_snapshot!(merge(&test, "codebooks/motives.toml", &["part-1.json"]));
}

#[test]
fn the_same_shard_twice_is_named() {
    let test = three_partials();
    std::fs::copy(test.path("part-1.json"), test.path("part-1-again.json")).unwrap();
    insta::assert_snapshot!(merge(
        &test,
        "codebooks/motives.toml",
        &["part-0.json", "part-1.json", "part-1-again.json", "part-2.json"]
    ));
}

#[test]
fn a_shard_of_another_codebook_is_named() {
    let test = three_partials();
    test.run(&[
        "tally",
        "codebooks/strategies.toml",
        "transcripts/",
        "--shard",
        "1/3",
        "--partial",
        "-o",
        "other.json",
    ])
    .ok();
    insta::assert_snapshot!(merge(
        &test,
        "codebooks/motives.toml",
        &["part-0.json", "other.json", "part-2.json"]
    ));
}

#[test]
fn a_shard_of_another_qda_version_is_named() {
    let test = three_partials();
    let text = String::from_utf8(test.read("part-2.json")).unwrap();
    let edited = text.replacen(
        &format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION")),
        "\"version\": \"0.0.1\"",
        1,
    );
    assert_ne!(edited, text);
    test.write("part-2.json", edited);
    let failure =
        merge(&test, "codebooks/motives.toml", &["part-0.json", "part-1.json", "part-2.json"]);
    insta::assert_snapshot!(failure.replace(env!("CARGO_PKG_VERSION"), "[VERSION]"));
}

#[test]
fn a_shard_of_another_list_of_transcripts_is_named() {
    let test = three_partials();
    // Shard 1 made from the folder without one transcript.
    std::fs::remove_file(test.path("transcripts/P26.txt")).unwrap();
    test.run(&[
        "tally",
        "codebooks/motives.toml",
        "transcripts/",
        "--shard",
        "1/3",
        "--partial",
        "-o",
        "part-1.json",
    ])
    .ok();
    insta::assert_snapshot!(merge(
        &test,
        "codebooks/motives.toml",
        &["part-0.json", "part-1.json", "part-2.json"]
    ));
}

#[test]
fn shards_of_another_split_and_non_partials_are_named() {
    let test = three_partials();
    test.run(&[
        "tally",
        "codebooks/motives.toml",
        "transcripts/",
        "--shard",
        "1/4",
        "--partial",
        "-o",
        "quarter.json",
    ])
    .ok();
    insta::assert_snapshot!(merge(
        &test,
        "codebooks/motives.toml",
        &["part-0.json", "quarter.json", "part-2.json"]
    ));
    test.write("not-a-partial.json", "{\"n\": 3}\n");
    insta::assert_snapshot!(merge(
        &test,
        "codebooks/motives.toml",
        &["part-0.json", "not-a-partial.json"]
    ));
    let bad = test.run(&[
        "tally",
        "codebooks/motives.toml",
        "transcripts/",
        "--shard",
        "3/3",
        "--partial",
    ]);
    insta::assert_snapshot!(bad.failure());
}

/// Writes the code block of docs/scale.md marked `<!-- MARK -->` into the test folder.
fn recipe(mark: &str) -> String {
    let doc = std::fs::read_to_string(workspace().join("docs/scale.md")).unwrap();
    let after = doc
        .split(&format!("<!-- {mark} -->\n"))
        .nth(1)
        .unwrap_or_else(|| panic!("docs/scale.md has <!-- {mark} -->"));
    let body = after.split_once('\n').unwrap().1;
    body.split("\n```").next().unwrap().to_owned() + "\n"
}

/// PATH with the qda under test first.
fn path_with_qda() -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_qda")).parent().unwrap().to_owned();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin];
    dirs.extend(std::env::split_paths(&path));
    std::env::join_paths(dirs).unwrap().into_string().unwrap()
}

/// Whether a tool is there; when `require` is set in the environment (as
/// CI does), its absence fails the test instead of skipping it.
fn available(tool: &str, probe: &[&str], require: &str, install: &str) -> bool {
    let there = Command::new(tool).args(probe).output().is_ok_and(|o| o.status.success());
    if !there {
        let message = format!("test skipped: `{tool} {}` failed ({install})", probe.join(" "));
        assert!(std::env::var_os(require).is_none(), "{message}");
        eprintln!("{message}");
    }
    there
}

/// A study folder as docs/scale.md has it: codebook.toml and corpus/.
fn scale_study() -> QdaTest {
    let test = generated();
    test.run(&["tally", "codebook.toml", "corpus", "--format", "json", "-o", "single.json"]).ok();
    test
}

fn assert_merge_equals_single(test: &QdaTest, n: u64) {
    let single = single_without_arguments(&test.read("single.json"));
    assert_eq!(without_merge_fields(&test.read("tally.json"), n), single);
}

#[test]
fn the_gnu_parallel_recipe_runs() {
    if !available(
        "parallel",
        &["--version"],
        "QDA_REQUIRE_PARALLEL",
        "GNU parallel is not installed: apt-get install parallel",
    ) {
        return;
    }
    let test = scale_study();
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &recipe("command: parallel")])
        .current_dir(test.root())
        .env("PATH", path_with_qda())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_merge_equals_single(&test, 8);
}

#[test]
fn the_slurm_recipe_runs_on_a_job_array() {
    if !available(
        "sinfo",
        &["-h"],
        "QDA_REQUIRE_SLURM",
        "Slurm is not running: apt-get install slurm-wlm munge, then eval \"$(scripts/slurm-local.sh start)\"",
    ) {
        return;
    }
    let test = scale_study();
    test.write("shard.sbatch", recipe("file: shard.sbatch"));
    test.write("merge.sbatch", recipe("file: merge.sbatch"));
    // The documented submission, with 4 tasks of 1 CPU instead of 64 of 32,
    // bounded in time.
    let submit = recipe("command: slurm")
        .replace(
            "sbatch --parsable shard.sbatch",
            "sbatch --parsable --array=0-3 --cpus-per-task=1 shard.sbatch",
        )
        .replace("sbatch --dependency", "sbatch --wait --dependency");
    assert!(submit.contains("--array=0-3") && submit.contains("--wait"), "{submit}");
    let out = Command::new("timeout")
        .args(["300", "bash", "-euo", "pipefail", "-c", &submit])
        .current_dir(test.root())
        .env("PATH", path_with_qda())
        .output()
        .unwrap();
    let logs = |name: &str| std::fs::read_to_string(test.path(name)).unwrap_or_default();
    assert!(
        out.status.success(),
        "{}\nmerge log:\n{}\nshard 0 log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        logs("logs/merge.out"),
        logs("logs/shard-0.out")
    );
    assert_merge_equals_single(&test, 4);
    assert!(logs("logs/merge.out").contains("ok: tally.json"), "the merge job verified");
}
