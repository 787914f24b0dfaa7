//! Rule engine micro-benchmarks: compiling a codebook's rules, scanning and
//! deciding segments, and coding one transcript.
//!
//! The codebook (120 codes, about 460 patterns) and the text come from the
//! seeded generator in `crates/bench` (`qda-bench`), so every run measures the
//! same input. Run with `cargo bench -p qda-coding --bench rules`.
//!
//! These measure the library alone. For end-to-end timings of the `qda`
//! binary over a generated 200 MB corpus (wall time, MB/s, peak memory) run
//! `scripts/bench.sh` from the repository root.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use qda_bench::Generator;
use qda_coding::{Codebook, RuleSet, Transcript};

const SEED: u64 = 42;
const CODES: usize = 120;
/// Participant text scanned per iteration of the matching benchmarks.
const SCAN_BYTES: usize = 3_000_000;
/// Size of the transcript coded whole (a typical long interview).
const TRANSCRIPT_BYTES: usize = 300_000;

fn codebook(generator: &Generator) -> Codebook {
    Codebook::parse(Path::new("codebook.toml"), &generator.codebook_toml())
        .expect("the generated codebook is valid")
}

/// Reading and validating the codebook, then compiling its rules: measured
/// separately, since `Codebook::parse` also checks every regex on its own.
fn compile(c: &mut Criterion) {
    let generator = Generator::new(CODES, SEED);
    let text = generator.codebook_toml();
    let codebook = codebook(&generator);
    let mut group = c.benchmark_group("compile");
    group.sample_size(20);
    group.throughput(Throughput::Elements(CODES as u64));
    group.bench_function("codebook_parse", |b| {
        b.iter(|| Codebook::parse(Path::new("codebook.toml"), black_box(&text)).unwrap());
    });
    group.bench_function("ruleset_new", |b| {
        b.iter(|| RuleSet::new(black_box(&codebook)).unwrap());
    });
    // A freshly built set has not yet filled its lazy DFA: the first scan
    // pays for that. This measures compiling plus one warm-up segment.
    let first = generator.participant_turns(1_000).remove(0);
    group.bench_function("ruleset_new_and_first_scan", |b| {
        b.iter_batched(
            || first.clone(),
            |turn| {
                let rules = RuleSet::new(black_box(&codebook)).unwrap();
                rules.scan(&turn)
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

/// Scanning participant turns (one prefilter pass plus locating each
/// candidate), then finding the rules that apply, as coding does; and the
/// two halves alone.
fn matching(c: &mut Criterion) {
    let generator = Generator::new(CODES, SEED);
    let codebook = codebook(&generator);
    let rules = RuleSet::new(&codebook).unwrap();
    let turns = generator.participant_turns(SCAN_BYTES);
    let bytes: usize = turns.iter().map(String::len).sum();
    // Warm the lazy DFA so that every sample sees the same state.
    for turn in &turns {
        black_box(rules.scan(turn));
    }
    let hits: Vec<_> = turns.iter().map(|t| rules.scan(t)).collect();

    let mut group = c.benchmark_group("match");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("scan_and_decide", |b| {
        b.iter(|| {
            let mut coded = 0usize;
            for turn in &turns {
                let hits = rules.scan(black_box(turn));
                coded += rules.applying(&hits).count();
            }
            coded
        });
    });
    group.bench_function("scan", |b| {
        b.iter(|| {
            for turn in &turns {
                black_box(rules.scan(black_box(turn)));
            }
        });
    });
    group.bench_function("applying", |b| {
        b.iter(|| hits.iter().map(|h| rules.applying(black_box(h)).count()).sum::<usize>());
    });
    group.finish();
}

/// Parsing one transcript, and coding it whole (segmenting, skipping the
/// interviewer, scanning, deciding, building codings with code-point offsets).
fn transcript(c: &mut Criterion) {
    let generator = Generator::new(CODES, SEED);
    let codebook = codebook(&generator);
    let rules = RuleSet::new(&codebook).unwrap();
    let text = generator.transcript(0, TRANSCRIPT_BYTES);
    let parsed = Transcript::parse(Path::new("B00001.txt"), text.as_bytes()).unwrap();
    black_box(rules.code_transcript(&codebook, &parsed));

    let mut group = c.benchmark_group("transcript");
    group.sample_size(20);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("parse", |b| {
        b.iter(|| Transcript::parse(Path::new("B00001.txt"), black_box(text.as_bytes())).unwrap());
    });
    group.bench_function("code_transcript", |b| {
        b.iter(|| rules.code_transcript(black_box(&codebook), black_box(&parsed)));
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1));
    targets = compile, matching, transcript
}
criterion_main!(benches);
