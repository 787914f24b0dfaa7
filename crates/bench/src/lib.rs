//! Deterministic synthetic corpora for benchmarking qda.
//!
//! A [`Generator`] makes a large codebook (100 and more codes, with `any`,
//! `all` and `not` terms, `*` wildcards, regexes, Korean and Japanese terms and
//! one exclusive parent) and transcripts in qda's format that use its terms at
//! a realistic rate: most participant turns match none to three codes.
//! Everything follows from one seed, so the same seed gives the same files
//! byte for byte on every machine.
//!
//! The `qda-corpus` binary writes a corpus to disk; `scripts/bench.sh` uses it
//! for end-to-end timings and `crates/coding/benches/rules.rs` uses the library
//! for micro-benchmarks.
//!
//! # Example
//! ```
//! use qda_bench::{Generator, plan};
//!
//! let generator = Generator::new(120, 7);
//! let codebook = generator.codebook_toml();
//! assert!(codebook.contains("interviewer = [\"I\"]"));
//! let sizes = plan(7, 2_000_000, 50_000, 500_000);
//! assert!(sizes.iter().sum::<usize>() >= 2_000_000);
//! let text = generator.transcript(0, sizes[0]);
//! assert!(text.starts_with("+++\n"));
//! assert!(text.len() >= sizes[0]);
//! ```

use std::fmt::Write as _;

mod words;

pub use mutation::mutate;

pub mod edits;

mod mutation;

use words::{
    CJK_FILLER, CJK_SENTENCES, CJK_TERMS, CJK_WILDCARD_FORMS, CONTENT, FAMILY, FUNCTION, MODIFIERS,
    NOUNS, QUESTIONS, REGEXES, SITES, TOPIC_QUESTIONS,
};

/// The smallest number of codes a generated codebook has: the exclusive
/// group's children plus a few more.
pub const MIN_CODES: usize = 8;

/// How many children the exclusive parent `motive` has.
const MOTIVES: usize = 4;

/// How many codes share one (non-exclusive) theme parent.
const THEME_SIZE: usize = 12;

/// A small, fast pseudo-random generator (splitmix64).
///
/// Not for cryptography; chosen so that corpora do not change when a
/// dependency's algorithm does.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// A generator for item `index` of a stream seeded with `seed`,
    /// independent of the order in which items are generated.
    pub fn for_item(seed: u64, index: u64) -> Self {
        let mut mixer = Rng::new(seed ^ index.wrapping_mul(0xA076_1D64_78BD_642F));
        Rng::new(mixer.next_u64())
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// A number in `range` (not empty).
    pub fn range(&mut self, range: std::ops::Range<usize>) -> usize {
        range.start + self.below(range.end - range.start)
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One item of a non-empty slice.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Sizes in bytes of the transcripts of a corpus of at least `total_bytes`:
/// each is drawn between `min_bytes` and `max_bytes` (log-uniformly, so small
/// transcripts are more common than large ones), and the last is cut so that
/// the sizes add up to about `total_bytes`.
pub fn plan(seed: u64, total_bytes: u64, min_bytes: usize, max_bytes: usize) -> Vec<usize> {
    let min_bytes = min_bytes.max(1);
    let max_bytes = max_bytes.max(min_bytes);
    let mut rng = Rng::for_item(seed, u64::MAX);
    let (low, high) = ((min_bytes as f64).ln(), (max_bytes as f64).ln());
    let mut sizes = Vec::new();
    let mut sum = 0u64;
    while sum < total_bytes {
        let size = (low + (high - low) * rng.unit()).exp() as usize;
        let size = size.clamp(min_bytes, max_bytes);
        let left = usize::try_from(total_bytes - sum).unwrap_or(usize::MAX);
        let size = if left < size + min_bytes { left.max(min_bytes) } else { size };
        sum += size as u64;
        sizes.push(size);
    }
    sizes
}

/// The case id of transcript `index` (`B00001` for index 0); also its file
/// name without `.txt`.
pub fn case_id(index: usize) -> String {
    format!("B{:05}", index + 1)
}

/// A term of a generated rule.
#[derive(Debug, Clone)]
enum Term {
    /// A word or phrase, written and emitted as is.
    Plain(String),
    /// `stem*`, emitted with one of the suffixes.
    Suffix(String),
    /// `*stem`, emitted with one of the prefixes.
    Prefix(String),
    /// A Korean or Japanese wildcard term, emitted as one of the forms.
    CjkWildcard(String),
}

impl Term {
    fn written(&self) -> String {
        match self {
            Term::Plain(s) => s.clone(),
            Term::Suffix(s) | Term::CjkWildcard(s) => format!("{s}*"),
            Term::Prefix(s) => format!("*{s}"),
        }
    }

    fn emit(&self, rng: &mut Rng, out: &mut String) {
        match self {
            Term::Plain(s) => out.push_str(s),
            Term::Suffix(s) => {
                out.push_str(s);
                out.push_str(rng.pick(&["", "s", "s"]));
            }
            Term::Prefix(s) => {
                out.push_str(rng.pick(&["black", "night", "sub"]));
                out.push_str(s);
            }
            Term::CjkWildcard(_) => out.push_str(rng.pick(CJK_WILDCARD_FORMS)),
        }
    }
}

/// One generated code.
#[derive(Debug, Clone)]
struct CodeSpec {
    id: String,
    label: String,
    parent: String,
    topic: &'static str,
    any: Vec<Term>,
    all: Vec<Term>,
    not: Vec<Term>,
    regex: Option<usize>,
}

impl CodeSpec {
    fn new(index: usize) -> Self {
        let pairs = NOUNS.len() / 2;
        let round = index / pairs;
        let a = NOUNS[(2 * index) % NOUNS.len()];
        let b = NOUNS[(2 * index + 1) % NOUNS.len()];
        // Beyond the first round of nouns, qualify them so every code's terms differ.
        let qualify = |noun: &str, k: usize| -> String {
            if round == 0 {
                noun.to_owned()
            } else {
                format!("{} {noun}", MODIFIERS[(index + k + round) % MODIFIERS.len()])
            }
        };
        let first = match index % 23 {
            7 if round == 0 => Term::Prefix(a.to_owned()),
            _ if index % 5 == 1 && round == 0 => Term::Suffix(a.to_owned()),
            _ => Term::Plain(qualify(a, 0)),
        };
        let modifier = MODIFIERS[(index * 7 + 3) % MODIFIERS.len()];
        let mut any = vec![first, Term::Plain(qualify(b, 1))];
        any.push(Term::Plain(format!("{modifier} {b}")));
        if index.is_multiple_of(3) {
            let other = MODIFIERS[(index * 11 + 5) % MODIFIERS.len()];
            if other != modifier {
                any.push(Term::Plain(format!("{other} {a}")));
            }
        }
        if index.is_multiple_of(4) {
            let cjk = CJK_TERMS[(index / 4) % CJK_TERMS.len()];
            any.push(match cjk.strip_suffix('*') {
                Some(stem) => Term::CjkWildcard(stem.to_owned()),
                None => Term::Plain(cjk.to_owned()),
            });
        }
        let family = || Term::Plain(FAMILY[index % FAMILY.len()].to_owned());
        let mut all = Vec::new();
        if index % 20 == 11 {
            // A rule of `all` terms only: the topic and a family member together.
            all = vec![Term::Plain(qualify(a, 0)), family()];
            any.clear();
        } else if index % 8 == 3 {
            all.push(family());
        }
        let not = if index % 6 == 1 {
            vec![Term::Plain(format!("no {}", qualify(a, 0))), Term::Plain(format!("without {b}"))]
        } else {
            Vec::new()
        };
        let regex = [2, 5, 9, 14].iter().position(|&i| i == index);
        let id = format!("c{:03}_{}", index + 1, a);
        let mut label = a.replace(' ', "-");
        if let Some(first) = label.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        label = format!("{label} and {b}");
        let parent = if index < MOTIVES {
            "motive".to_owned()
        } else {
            format!("theme{:02}", (index - MOTIVES) / THEME_SIZE + 1)
        };
        CodeSpec { id, label, parent, topic: a, any, all, not, regex }
    }

    /// Writes a text that the rule codes: one `any` term or a regex sample,
    /// and every `all` term (somewhere in `parts`).
    fn trigger(&self, rng: &mut Rng, parts: &mut Vec<String>) {
        let regex_samples = self.regex.map(|r| REGEXES[r].1);
        let choices = self.any.len() + usize::from(regex_samples.is_some());
        if choices > 0 {
            let choice = rng.below(choices);
            let mut text = String::new();
            match self.any.get(choice) {
                Some(term) => term.emit(rng, &mut text),
                None => text.push_str(rng.pick(regex_samples.unwrap_or(&[]))),
            }
            parts.push(text);
        }
        for term in &self.all {
            let mut text = String::new();
            term.emit(rng, &mut text);
            parts.push(text);
        }
    }

    /// Writes a vetoed mention (a `not` term), when the rule has one.
    fn veto(&self, rng: &mut Rng, parts: &mut Vec<String>) -> bool {
        if self.not.is_empty() {
            return false;
        }
        let mut text = String::new();
        self.not[rng.below(self.not.len())].emit(rng, &mut text);
        parts.push(text);
        true
    }
}

/// Makes a codebook of `codes` codes and transcripts that use its terms.
#[derive(Debug, Clone)]
pub struct Generator {
    seed: u64,
    codes: Vec<CodeSpec>,
}

impl Generator {
    /// A generator for a codebook of `codes` codable codes (at least
    /// [`MIN_CODES`]) and transcripts seeded with `seed`.
    pub fn new(codes: usize, seed: u64) -> Self {
        let codes = (0..codes.max(MIN_CODES)).map(CodeSpec::new).collect();
        Generator { seed, codes }
    }

    /// Number of codable codes (each has a rule).
    pub fn code_count(&self) -> usize {
        self.codes.len()
    }

    /// The ids of the codable codes, in codebook order.
    pub fn code_ids(&self) -> Vec<&str> {
        self.codes.iter().map(|c| c.id.as_str()).collect()
    }

    /// The codebook, as TOML: an exclusive parent `motive` with four
    /// children, the other codes grouped under `themeNN` parents, and a rule
    /// with examples on every codable code.
    pub fn codebook_toml(&self) -> String {
        let mut out = String::with_capacity(400 * self.codes.len());
        out.push_str(
            "# Synthetic codebook generated by qda-corpus (crates/bench) for benchmarks.\n\
             # The same seed and number of codes give the same file.\n\n\
             [codebook]\n\
             name = \"Synthetic benchmark codebook\"\n\
             version = \"1.0\"\n\
             unit = \"turn\"\n\
             interviewer = [\"I\"]\n\n\
             [[code]]\n\
             id = \"motive\"\n\
             label = \"Reason for leaving\"\n\
             codable = false\n\
             exclusive = true\n\
             resolve = \"majority\"\n\n",
        );
        let mut theme = String::new();
        for code in &self.codes {
            if code.parent != "motive" && code.parent != theme {
                theme.clone_from(&code.parent);
                let _ = writeln!(
                    out,
                    "[[code]]\nid = \"{theme}\"\nlabel = \"Theme {}\"\ncodable = false\n",
                    &theme[5..]
                );
            }
            let _ = writeln!(out, "[[code]]\nid = \"{}\"\nparent = \"{}\"", code.id, code.parent);
            let _ = writeln!(out, "label = \"{}\"", code.label);
            let _ = writeln!(
                out,
                "definition = \"Talk about {} and what it meant for the participant.\"",
                code.topic
            );
            let mut rng = Rng::for_item(self.seed, 1 << 40);
            let mut parts = Vec::new();
            code.trigger(&mut rng, &mut parts);
            let example = parts.join(" and ");
            let _ = writeln!(out, "examples = [\"We talked about {example} for a long time.\"]");
            parts.clear();
            if code.veto(&mut rng, &mut parts) {
                let veto = &parts[0];
                let sentence = if veto.starts_with("no ") { "There was" } else { "We lived" };
                let _ = writeln!(out, "counterexamples = [\"{sentence} {veto} then.\"]");
            }
            out.push_str("\n[code.rule]\n");
            let list = |terms: &[Term]| -> String {
                let quoted: Vec<String> =
                    terms.iter().map(|t| format!("\"{}\"", t.written())).collect();
                format!("[{}]", quoted.join(", "))
            };
            if !code.any.is_empty() {
                let _ = writeln!(out, "any = {}", list(&code.any));
            }
            if !code.all.is_empty() {
                let _ = writeln!(out, "all = {}", list(&code.all));
            }
            if !code.not.is_empty() {
                let _ = writeln!(out, "not = {}", list(&code.not));
            }
            if let Some(r) = code.regex {
                let _ = writeln!(out, "regex = ['{}']", REGEXES[r].0);
            }
            out.push('\n');
        }
        out
    }

    /// Transcript `index` of the corpus, of at least `target_bytes` bytes
    /// (it stops after the turn that reaches the target). Its case id is
    /// [`case_id`]`(index)`.
    pub fn transcript(&self, index: usize, target_bytes: usize) -> String {
        let mut rng = Rng::for_item(self.seed, index as u64);
        let mut out = String::with_capacity(target_bytes + 4096);
        self.front_matter(&mut rng, index, &mut out);
        let motive = rng.below(MOTIVES);
        let mut writer = Writer::new(rng, motive, true);
        while out.len() < target_bytes {
            writer.interviewer_turn(self, &mut out);
            writer.participant_turn(self, &mut out);
        }
        writer.interviewer_turn_closing(&mut out);
        out
    }

    /// Participant text with the same mix of filler and topic terms as the
    /// transcripts, cut into turns: about `total_bytes` bytes in all. For
    /// benchmarks of the matcher alone.
    pub fn participant_turns(&self, total_bytes: usize) -> Vec<String> {
        self.turns(total_bytes, true)
    }

    /// Participant text like [`Generator::participant_turns`] but with no
    /// topic terms, which no rule of the codebook codes (except where a
    /// family word happens to stand, which only completes `all` clauses).
    pub fn filler_turns(&self, total_bytes: usize) -> Vec<String> {
        self.turns(total_bytes, false)
    }

    fn turns(&self, total_bytes: usize, topics: bool) -> Vec<String> {
        let mut writer = Writer::new(Rng::for_item(self.seed, 1 << 41), 0, topics);
        let mut turns = Vec::new();
        let mut sum = 0;
        while sum < total_bytes {
            let mut turn = String::new();
            writer.participant_text(self, &mut turn);
            sum += turn.len();
            turns.push(turn);
        }
        turns
    }

    fn front_matter(&self, rng: &mut Rng, index: usize, out: &mut String) {
        let case = case_id(index);
        let settled = if rng.chance(0.8) { "Japan" } else { "South Korea" };
        let crossing = 1995 + rng.below(20);
        let interviewed = (crossing + 3 + rng.below(10)).min(2024);
        let _ = write!(
            out,
            "+++\n# Synthetic transcript generated by qda-corpus; not a real interview.\n\
             case = \"{case}\"\nsite = \"{}\"\nyear = {interviewed}\nsettled_in = \"{settled}\"\n\
             crossing_year = {crossing}\ngender = \"{}\"\nage_group = \"{}0s\"\n",
            rng.pick(SITES),
            rng.pick(&["female", "male"]),
            rng.range(2..8),
        );
        if rng.chance(0.5) {
            out.push_str("speakers = [\"I\", \"P\"]\n");
        }
        out.push_str("+++\n");
    }

    /// A code other than the exclusive group's, skewed so that some codes
    /// are common and many are rare.
    fn pick_code(&self, rng: &mut Rng) -> &CodeSpec {
        let u = rng.unit();
        &self.codes[MOTIVES + ((u * u) * (self.codes.len() - MOTIVES) as f64) as usize]
    }
}

/// Writes turns, keeping the interview clock for timestamps.
struct Writer {
    rng: Rng,
    /// Seconds since the interview began.
    clock: u32,
    /// Topic texts waiting to be placed in the current turn.
    parts: Vec<String>,
    /// The child of the exclusive parent this participant mostly talks about.
    motive: usize,
    /// Whether to place topic terms at all.
    topics: bool,
}

impl Writer {
    fn new(rng: Rng, motive: usize, topics: bool) -> Self {
        Writer { rng, clock: 0, parts: Vec::new(), motive, topics }
    }

    fn timestamp(&mut self, out: &mut String) {
        let t = self.clock;
        let _ = write!(out, "[{:02}:{:02}:{:02}]", t / 3600, (t / 60) % 60, t % 60);
    }

    fn interviewer_turn(&mut self, generator: &Generator, out: &mut String) {
        out.push_str("I: ");
        if self.topics && self.rng.chance(0.15) {
            let topic = generator.pick_code(&mut self.rng).topic;
            let template = self.rng.pick(TOPIC_QUESTIONS);
            out.push_str(&template.replace("{}", topic));
        } else {
            if self.rng.chance(0.3) {
                out.push_str(self.rng.pick(&["I see. ", "Thank you. ", "Mm. ", "Right. "]));
            }
            out.push_str(self.rng.pick(QUESTIONS));
        }
        out.push('\n');
        self.clock += 5 + self.rng.below(20) as u32;
    }

    fn interviewer_turn_closing(&mut self, out: &mut String) {
        out.push_str("I: Thank you very much for your time and for sharing this with me.\n");
    }

    fn participant_turn(&mut self, generator: &Generator, out: &mut String) {
        out.push_str("P: ");
        if self.rng.chance(0.4) {
            self.timestamp(out);
            out.push(' ');
        }
        let start = out.len();
        self.participant_text(generator, out);
        out.push('\n');
        self.clock += ((out.len() - start) / 14) as u32;
    }

    /// A participant turn's text, without the label: paragraphs separated by
    /// blank lines, lines of a few sentences, topic terms placed in it.
    fn participant_text(&mut self, generator: &Generator, out: &mut String) {
        // Most turns match no code, few match more than three.
        let codes = match self.rng.below(100) {
            _ if !self.topics => 0,
            0..45 => 0,
            45..75 => 1,
            75..92 => 2,
            _ => 3,
        };
        self.parts.clear();
        // The exclusive group: mostly this participant's own motive, now and
        // then another one (a conflict that `resolve` settles).
        if self.topics && self.rng.chance(0.05) {
            let motive = if self.rng.chance(0.8) { self.motive } else { self.rng.below(MOTIVES) };
            generator.codes[motive].trigger(&mut self.rng, &mut self.parts);
        }
        for _ in 0..codes {
            let code = generator.pick_code(&mut self.rng);
            if !(self.rng.chance(0.1) && code.veto(&mut self.rng, &mut self.parts)) {
                code.trigger(&mut self.rng, &mut self.parts);
            }
        }
        let sentences = self.rng.range(2..22);
        let mut placed: Vec<(usize, usize)> =
            (0..self.parts.len()).map(|p| (self.rng.below(sentences), p)).collect();
        placed.sort_unstable();
        let paragraphs = if sentences > 6 && self.rng.chance(0.3) { 2 } else { 1 };
        let mut next = placed.iter().peekable();
        let mut on_line = 0;
        let parts = std::mem::take(&mut self.parts);
        for s in 0..sentences {
            if s > 0 {
                if paragraphs == 2 && s == sentences / 2 {
                    out.push_str("\n\n   ");
                    on_line = 0;
                } else if on_line >= 3 && self.rng.chance(0.3) {
                    out.push('\n');
                    if self.rng.chance(0.7) {
                        out.push_str("   ");
                    }
                    if self.rng.chance(0.05) {
                        self.clock += 10 + self.rng.below(30) as u32;
                        self.timestamp(out);
                        out.push(' ');
                    }
                    on_line = 0;
                } else {
                    out.push(' ');
                }
            }
            let mut here: Vec<&str> = Vec::new();
            while let Some(&(_, p)) = next.next_if(|&&(at, _)| at == s) {
                here.push(&parts[p]);
            }
            self.sentence(&here, out);
            on_line += 1;
        }
        self.parts = parts;
    }

    /// One sentence of filler with `topics` placed at random word positions.
    fn sentence(&mut self, topics: &[&str], out: &mut String) {
        if topics.is_empty() && self.rng.chance(0.01) {
            out.push_str(self.rng.pick(CJK_SENTENCES));
            return;
        }
        let words = self.rng.range(5..19);
        let mut at: Vec<usize> = topics.iter().map(|_| self.rng.below(words + 1)).collect();
        at.sort_unstable();
        let mut topics = topics.iter().zip(at).peekable();
        let sentence_start = out.len();
        for w in 0..=words {
            while let Some((topic, _)) = topics.next_if(|&(_, a)| a == w) {
                if out.len() > sentence_start {
                    out.push(' ');
                }
                out.push_str(topic);
            }
            if w == words {
                break;
            }
            if out.len() > sentence_start {
                out.push(if w > 3 && self.rng.chance(0.06) { ',' } else { ' ' });
                if out.ends_with(',') {
                    out.push(' ');
                }
            }
            let roll = self.rng.below(1000);
            let word = match roll {
                0..4 => self.rng.pick(FAMILY),
                4..20 => self.rng.pick(CJK_FILLER),
                20..520 => self.rng.pick(FUNCTION),
                _ => self.rng.pick(CONTENT),
            };
            out.push_str(word);
        }
        if let Some(first) = out.get_mut(sentence_start..sentence_start + 1) {
            first.make_ascii_uppercase();
        }
        out.push(if self.rng.chance(0.08) { '?' } else { '.' });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_text() {
        let a = Generator::new(120, 3).transcript(5, 20_000);
        let b = Generator::new(120, 3).transcript(5, 20_000);
        let c = Generator::new(120, 4).transcript(5, 20_000);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn plan_adds_up() {
        let sizes = plan(1, 10_000_000, 50_000, 500_000);
        let sum: usize = sizes.iter().sum();
        assert!((10_000_000..10_000_000 + 500_000).contains(&sum), "{sum}");
        assert!(sizes.iter().all(|&s| (50_000..=500_000).contains(&s)));
    }

    #[test]
    fn rng_below_stays_in_range() {
        let mut rng = Rng::new(9);
        assert!((0..10_000).all(|_| rng.below(7) < 7));
    }
}
