//! Segments like those that have a code: TF-IDF cosine similarity to the
//! centroid of the code's segments (`qda suggest`, the coding page's
//! "suggest similar").
//!
//! Each segment is a bag of terms ([`similarity_terms`]): its words, case
//! folded, and for runs of Han, Hangul and kana (written without spaces
//! between words) the character bigrams of each run. A term's weight in a
//! segment is `(1 + ln tf) · idf`, with the smoothed
//! `idf = ln((1 + n) / (1 + df))` over all `n` segments (without the `+ 1`
//! some libraries add, so that words in nearly every segment, `the` and
//! `and`, weigh next to nothing). Each segment's vector has length 1. A
//! candidate's score is the cosine between its vector and the mean vector
//! of the seed segments, from 0 (no term in common) to 1.
//!
//! Everything is summed in one fixed order, so a ranking is the same on
//! every run and machine; ties go by case, then by the segment's place in
//! its transcript.

use indexmap::IndexMap;
use rayon::prelude::*;
use unicode_script::{Script, UnicodeScript};

/// How many of the terms that made a suggestion similar it lists.
pub const SHARED_TERMS: usize = 5;

/// What a segment is to the ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentRole {
    /// It has the code: part of the centroid.
    Seed,
    /// It does not have the code: ranked.
    Candidate,
    /// Neither ranked nor a seed (a suggestion the coder rejected); it
    /// still counts in the document frequencies.
    Excluded,
}

/// A segment ranked like the seeds, with the terms that made it so.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Suggestion {
    /// The segment's case.
    pub case: String,
    /// The segment id.
    pub segment: String,
    /// Cosine similarity to the seeds' centroid, 0 to 1.
    pub score: f64,
    /// The terms contributing most to the score, largest first.
    pub terms: Vec<SharedTerm>,
}

/// One term's share of a suggestion's score.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SharedTerm {
    /// The term: a case-folded word, or a CJK character bigram.
    pub term: String,
    /// Its part of the score (the scores of all shared terms add up to it).
    pub weight: f64,
}

/// Segments as bags of terms, ready to rank. Add every segment of the
/// corpus (so document frequencies are the corpus's), then [`Self::rank`].
#[derive(Debug, Default)]
pub struct SimilarityIndex {
    /// Term → (id, document frequency), ids in order of first sight.
    vocabulary: IndexMap<String, u32>,
    df: Vec<u32>,
    cases: IndexMap<String, ()>,
    documents: Vec<Document>,
}

#[derive(Debug)]
struct Document {
    case: u32,
    segment: String,
    role: SegmentRole,
    /// (term id, count), by term id.
    terms: Vec<(u32, u32)>,
}

impl SimilarityIndex {
    /// An empty index.
    pub fn new() -> Self {
        SimilarityIndex::default()
    }

    /// Adds a segment with its text. Add segments in a fixed order (by
    /// case, then in transcript order): ties keep it.
    pub fn add(&mut self, case: &str, segment: &str, role: SegmentRole, text: &str) {
        self.add_terms(case, segment, role, &SegmentTerms::of(text));
    }

    /// Adds a segment by its terms, which callers may work out in parallel
    /// ([`SegmentTerms::of`]).
    pub fn add_terms(
        &mut self,
        case: &str,
        segment: &str,
        role: SegmentRole,
        terms: &SegmentTerms,
    ) {
        let mut ids: Vec<(u32, u32)> = Vec::with_capacity(terms.counts.len());
        for (term, &count) in terms.terms().zip(&terms.counts) {
            let next = self.vocabulary.len() as u32;
            let id = match self.vocabulary.get(term) {
                Some(&id) => id,
                None => {
                    self.vocabulary.insert(term.to_owned(), next);
                    self.df.push(0);
                    next
                }
            };
            self.df[id as usize] += 1;
            ids.push((id, count));
        }
        ids.sort_unstable();
        let case = match self.cases.get_index_of(case) {
            Some(i) => i,
            None => self.cases.insert_full(case.to_owned(), ()).0,
        } as u32;
        self.documents.push(Document { case, segment: segment.to_owned(), role, terms: ids });
    }

    /// How many segments have the role.
    pub fn count(&self, role: SegmentRole) -> usize {
        self.documents.iter().filter(|d| d.role == role).count()
    }

    /// The `top` candidates most like the seeds, best first; only those
    /// sharing at least one term with a seed. Empty without seeds.
    pub fn rank(&self, top: usize) -> Vec<Suggestion> {
        let n = self.documents.len() as f64;
        let idf: Vec<f64> =
            self.df.iter().map(|&df| ((1.0 + n) / (1.0 + f64::from(df))).ln()).collect();
        let weights = |d: &Document| -> Vec<(u32, f64)> {
            let raw: Vec<(u32, f64)> = d
                .terms
                .iter()
                .map(|&(t, tf)| (t, (1.0 + f64::from(tf).ln()) * idf[t as usize]))
                .collect();
            let norm = raw.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
            raw.into_iter().map(|(t, w)| (t, if norm > 0.0 { w / norm } else { 0.0 })).collect()
        };
        let mut centroid = vec![0.0f64; self.vocabulary.len()];
        let mut seeds = 0usize;
        for d in self.documents.iter().filter(|d| d.role == SegmentRole::Seed) {
            seeds += 1;
            for (t, w) in weights(d) {
                centroid[t as usize] += w;
            }
        }
        let length = centroid.iter().map(|w| w * w).sum::<f64>().sqrt();
        if seeds == 0 || length == 0.0 {
            return Vec::new();
        }
        // The centroid's length 1: the mean's scale does not change a cosine.
        for w in &mut centroid {
            *w /= length;
        }
        let mut scored: Vec<(usize, f64)> = self
            .documents
            .par_iter()
            .enumerate()
            .filter(|(_, d)| d.role == SegmentRole::Candidate)
            .filter_map(|(i, d)| {
                let score: f64 = weights(d).iter().map(|&(t, w)| w * centroid[t as usize]).sum();
                (score > 0.0).then_some((i, score))
            })
            .collect();
        let order = |a: &(usize, f64), b: &(usize, f64)| {
            b.1.total_cmp(&a.1)
                .then_with(|| {
                    let (ca, cb) = (self.documents[a.0].case, self.documents[b.0].case);
                    self.cases.get_index(ca as usize).cmp(&self.cases.get_index(cb as usize))
                })
                .then(a.0.cmp(&b.0))
        };
        if scored.len() > top && top > 0 {
            scored.select_nth_unstable_by(top - 1, order);
            scored.truncate(top);
        }
        scored.truncate(top);
        scored.sort_by(order);
        scored
            .into_iter()
            .map(|(i, score)| {
                let d = &self.documents[i];
                let mut shared: Vec<(u32, f64)> = weights(d)
                    .into_iter()
                    .map(|(t, w)| (t, w * centroid[t as usize]))
                    .filter(|&(_, w)| w > 0.0)
                    .collect();
                shared.sort_by(|a, b| b.1.total_cmp(&a.1).then(self.term(a.0).cmp(self.term(b.0))));
                shared.truncate(SHARED_TERMS);
                Suggestion {
                    case: self
                        .cases
                        .get_index(d.case as usize)
                        .map(|(c, _)| c.clone())
                        .unwrap_or_default(),
                    segment: d.segment.clone(),
                    score,
                    terms: shared
                        .into_iter()
                        .map(|(t, weight)| SharedTerm { term: self.term(t).to_owned(), weight })
                        .collect(),
                }
            })
            .collect()
    }

    fn term(&self, id: u32) -> &str {
        self.vocabulary.get_index(id as usize).map_or("", |(t, _)| t.as_str())
    }
}

/// A segment's distinct terms ([`similarity_terms`]) with their counts,
/// packed into one string: what a worker thread hands on per segment, a
/// small fraction of the memory of a string per term.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SegmentTerms {
    /// The distinct terms in sorted order, each followed by `\n` (a term
    /// never holds one).
    packed: String,
    counts: Vec<u32>,
}

impl SegmentTerms {
    /// The terms of `text`, counted.
    pub fn of(text: &str) -> Self {
        let mut counted: std::collections::BTreeMap<String, u32> =
            std::collections::BTreeMap::new();
        for term in similarity_terms(text) {
            *counted.entry(term).or_insert(0) += 1;
        }
        let mut packed = String::with_capacity(counted.keys().map(|t| t.len() + 1).sum());
        let mut counts = Vec::with_capacity(counted.len());
        for (term, count) in counted {
            packed.push_str(&term);
            packed.push('\n');
            counts.push(count);
        }
        SegmentTerms { packed, counts }
    }

    fn terms(&self) -> impl Iterator<Item = &str> {
        self.packed.split_terminator('\n')
    }
}

/// The terms of a text for similarity, in order: each run of letters and
/// digits outside Han, Hangul and kana as one lower-cased word (words of one
/// character and numbers are left out: `I`, `a` and timestamps say nothing
/// about a segment's topic), and each run of Han, Hangul or kana as its
/// character bigrams (a run of one character as itself).
pub fn similarity_terms(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut word = String::new();
    let mut cjk: Vec<char> = Vec::new();
    let flush_word = |word: &mut String, terms: &mut Vec<String>| {
        if word.chars().nth(1).is_some() && !word.chars().all(|c| c.is_numeric()) {
            terms.push(word.to_lowercase());
        }
        word.clear();
    };
    let flush_cjk = |cjk: &mut Vec<char>, terms: &mut Vec<String>| {
        match cjk.len() {
            0 => {}
            1 => terms.push(cjk[0].to_string()),
            _ => terms.extend(cjk.windows(2).map(|pair| pair.iter().collect::<String>())),
        }
        cjk.clear();
    };
    for c in text.chars() {
        if is_cjk(c) {
            flush_word(&mut word, &mut terms);
            cjk.push(c);
        } else if c.is_alphanumeric() || (c == '\'' || c == '’') && !word.is_empty() {
            flush_cjk(&mut cjk, &mut terms);
            word.push(if c == '’' { '\'' } else { c });
        } else {
            flush_word(&mut word, &mut terms);
            flush_cjk(&mut cjk, &mut terms);
        }
    }
    flush_word(&mut word, &mut terms);
    flush_cjk(&mut cjk, &mut terms);
    terms
}

/// Whether `c` is written without spaces between words: Han, Hangul, kana.
fn is_cjk(c: char) -> bool {
    matches!(c.script(), Script::Han | Script::Hangul | Script::Hiragana | Script::Katakana)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_folded_words_and_cjk_bigrams() {
        assert_eq!(
            similarity_terms("We crossed the Tumen, [00:01:02] I think. 자유를 찾아 東京へ"),
            ["we", "crossed", "the", "tumen", "think", "자유", "유를", "찾아", "東京", "京へ"]
        );
        assert_eq!(similarity_terms("Don’t go"), ["don't", "go"]);
        assert_eq!(similarity_terms("川"), ["川"]);
    }

    /// A worked example, computed by hand and checked with a `NumPy`
    /// implementation of the same formulas (weights `(1 + ln tf) · idf`,
    /// `idf = ln((1 + n) / (1 + df))`, rows of length 1, cosine with the
    /// seed's row): 1.0, 0.5024, 0.0, 0.7037 and 0.3553.
    #[test]
    fn scores_are_tf_idf_cosines_to_the_seed_centroid() {
        let mut index = SimilarityIndex::new();
        index.add("A", "A:t1", SegmentRole::Seed, "hunger hunger famine");
        index.add("A", "A:t2", SegmentRole::Candidate, "famine again");
        index.add("B", "B:t1", SegmentRole::Candidate, "freedom again");
        index.add("B", "B:t2", SegmentRole::Candidate, "hunger");
        index.add("B", "B:t3", SegmentRole::Candidate, "hunger freedom");
        let ranked = index.rank(10);
        // n = 5; hunger is in 3 segments, idf ln(6/4) = 0.4055; famine,
        // again and freedom in 2, idf ln(6/3) = 0.6931. The seed is
        // (hunger 1.6931 · 0.4055, famine 0.6931) = (0.6865, 0.6931),
        // length 1 as (0.7037, 0.7105). B:t2 is hunger alone: 0.7037.
        // A:t2 is famine and again, equal weights: 0.7105 / √2 = 0.5024.
        // B:t3 is hunger 0.4055 and freedom 0.6931, as a unit vector
        // (0.5049, 0.8632): 0.5049 · 0.7037 = 0.3553. B:t1 shares nothing.
        let scores: Vec<(&str, String)> =
            ranked.iter().map(|s| (s.segment.as_str(), format!("{:.4}", s.score))).collect();
        assert_eq!(
            scores,
            [
                ("B:t2", "0.7037".to_owned()),
                ("A:t2", "0.5024".to_owned()),
                ("B:t3", "0.3553".to_owned())
            ]
        );
        assert_eq!(
            ranked[1].terms,
            [SharedTerm { term: "famine".into(), weight: ranked[1].score }]
        );
        assert_eq!(
            ranked[2].terms,
            [SharedTerm { term: "hunger".into(), weight: ranked[2].score }]
        );
    }

    #[test]
    fn ties_go_by_case_then_place_and_excluded_segments_are_never_ranked() {
        let mut index = SimilarityIndex::new();
        index.add("B", "B:t1", SegmentRole::Candidate, "hunger");
        index.add("A", "A:t2", SegmentRole::Candidate, "hunger");
        index.add("A", "A:t9", SegmentRole::Seed, "hunger");
        index.add("A", "A:t10", SegmentRole::Candidate, "hunger");
        index.add("A", "A:t11", SegmentRole::Excluded, "hunger");
        // A word in every segment weighs nothing: one without it.
        index.add("C", "C:t1", SegmentRole::Candidate, "freedom");
        let ranked: Vec<String> = index.rank(10).into_iter().map(|s| s.segment).collect();
        assert_eq!(ranked, ["A:t2", "A:t10", "B:t1"]);
        let top: Vec<String> = index.rank(1).into_iter().map(|s| s.segment).collect();
        assert_eq!(top, ["A:t2"]);
    }

    #[test]
    fn without_seeds_nothing_is_suggested() {
        let mut index = SimilarityIndex::new();
        index.add("A", "A:t1", SegmentRole::Candidate, "hunger");
        index.add("A", "A:t2", SegmentRole::Candidate, "freedom");
        assert!(index.rank(10).is_empty());
    }
}
