//! `--shard K/N`: which cases a shard processes.
//!
//! A case belongs to shard `u64::from_be_bytes(first 8 bytes of
//! SHA-256(case id as UTF-8)) mod N`. The case id alone decides, so the
//! partition does not depend on file names, file order, thread count or
//! machine, a case never splits, and a repeated case id lands in one shard
//! where it is reported as in a single run.
//!
//! Finding a file's case id reads only its front matter; a file whose
//! front matter cannot be read that way is parsed in full (and reported as
//! in a single run, if it is broken).

use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use qda_coding::sha256_hex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::provenance::display_path;

/// Shard `index` of `count` (`--shard 3/8`; shards count from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub(crate) struct Shard {
    pub(crate) index: u64,
    pub(crate) count: u64,
}

/// The shard of `case` among `count` shards.
pub(crate) fn shard_of(case: &str, count: u64) -> u64 {
    let digest = Sha256::digest(case.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) % count
}

impl Shard {
    /// Whether `case` is in this shard.
    pub(crate) fn contains(self, case: &str) -> bool {
        shard_of(case, self.count) == self.index
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let usage = "give K/N, shard K (from 0) of N shards, such as 3/8";
        let (k, n) = text.split_once('/').ok_or_else(|| format!("`{text}`: {usage}"))?;
        let parse = |part: &str| part.trim().parse::<u64>().ok();
        let (Some(index), Some(count)) = (parse(k), parse(n)) else {
            return Err(format!("`{text}`: {usage}"));
        };
        if count == 0 {
            return Err(format!("`{text}`: there must be at least one shard; {usage}"));
        }
        if index >= count {
            return Err(format!(
                "`{text}`: shards count from 0, so the last of {count} is {}/{count}; \
                 Slurm's $SLURM_ARRAY_TASK_ID with --array=0-{} fits",
                count - 1,
                count - 1
            ));
        }
        Ok(Shard { index, count })
    }
}

impl TryFrom<String> for Shard {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        text.parse()
    }
}

impl From<Shard> for String {
    fn from(shard: Shard) -> String {
        shard.to_string()
    }
}

/// SHA-256 of the full list of transcript files and case tables, one
/// display path per line in command-line order (`T path` or `C path`):
/// every shard of one run must record the same.
pub(crate) fn input_list_sha256(files: &[PathBuf], case_tables: &[PathBuf]) -> String {
    let mut list = String::new();
    for (tag, paths) in [("T", files), ("C", case_tables)] {
        for path in paths {
            list.push_str(tag);
            list.push(' ');
            list.push_str(&display_path(path));
            list.push('\n');
        }
    }
    sha256_hex(list.as_bytes())
}

/// The case id in a transcript's front matter, read from the start of the
/// file only; `None` when it cannot be read that way (the file is then
/// parsed in full).
pub(crate) fn peek_case(path: &Path) -> Option<String> {
    // Front matters are a few lines: read a kilobyte at a time, and give a
    // longer one to the full parse.
    const MOST: u64 = 16 * 1024;
    let file = std::fs::File::open(path).ok()?;
    let mut lines = BufReader::with_capacity(1024, file.take(MOST)).lines();
    if lines.next()?.ok()?.trim_end() != "+++" {
        return None;
    }
    let mut front = String::new();
    for line in lines {
        let line = line.ok()?;
        if line.trim_end() == "+++" {
            let table: toml::Table = toml::from_str(&front).ok()?;
            return table.get("case")?.as_str().map(str::to_owned);
        }
        front.push_str(&line);
        front.push('\n');
    }
    None
}

/// Codings files of `qda code --shard` read together must be every shard
/// of one run, once: the error names the missing, repeated or foreign
/// shards. Files without a shard are not checked.
pub(crate) fn check_sharded_codings(
    files: &[(String, Option<&serde_json::Value>)],
) -> Result<(), String> {
    let mut sharded: Vec<(&str, Shard, &str)> = Vec::new();
    for (path, provenance) in files {
        let Some(options) = provenance.and_then(|p| p.get("options")) else { continue };
        let Some(shard) = options.get("shard").and_then(|s| s.as_str()) else { continue };
        let shard: Shard =
            shard.parse().map_err(|e| format!("{path}: provenance.options.shard {e}"))?;
        let list = options.get("input_list_sha256").and_then(|s| s.as_str()).unwrap_or_default();
        sharded.push((path, shard, list));
    }
    let Some(&(first, first_shard, first_list)) = sharded.first() else { return Ok(()) };
    let count = first_shard.count;
    let mut problems = Vec::new();
    let mut seen: std::collections::BTreeMap<u64, &str> = std::collections::BTreeMap::new();
    for &(path, shard, list) in &sharded {
        if shard.count != count {
            problems.push(format!(
                "{path}: codings of shard {shard}, but {first} is shard {first_shard}; give the codings files of one --shard K/{count} run"
            ));
        } else if list != first_list {
            problems.push(format!(
                "{path}: coded from another list of transcripts than {first}; every shard must name the same transcripts, in the same order"
            ));
        } else if let Some(other) = seen.insert(shard.index, path) {
            problems.push(format!(
                "{other} and {path} are both codings of shard {shard}; give each shard once"
            ));
        }
    }
    let missing: Vec<String> =
        (0..count).filter(|k| !seen.contains_key(k)).map(|k| format!("{k}/{count}")).collect();
    if !missing.is_empty() && problems.is_empty() {
        let files = if missing.len() == 1 { "file of shard" } else { "files of shards" };
        let verb = if missing.len() == 1 { "is" } else { "are" };
        problems.push(format!(
            "the codings {files} {} {verb} missing ({} of {count} shards given); make them with `qda code CODEBOOK TRANSCRIPTS --shard K/{count} -o FILE` and give every shard's codings file",
            missing.join(", "),
            seen.len()
        ));
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("\nerror: ")) }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Any case ids, any number of shards: each case is in exactly one
        /// shard, the same one whatever the order the cases come in.
        #[test]
        fn every_case_is_in_exactly_one_shard(
            count in 1u64..300,
            mut cases in proptest::collection::vec("\\PC{0,16}", 0..40),
        ) {
            let homes = |cases: &[String]| -> Vec<(String, u64)> {
                let mut homes: Vec<(String, u64)> = cases
                    .iter()
                    .map(|case| {
                        let owners: Vec<u64> = (0..count)
                            .filter(|&index| Shard { index, count }.contains(case))
                            .collect();
                        assert_eq!(owners.len(), 1, "case {case:?} in shards {owners:?} of {count}");
                        (case.clone(), owners[0])
                    })
                    .collect();
                homes.sort();
                homes
            };
            let before = homes(&cases);
            cases.reverse();
            prop_assert_eq!(before, homes(&cases));
        }
    }

    #[test]
    fn shards_parse_and_print() {
        assert_eq!("3/8".parse::<Shard>(), Ok(Shard { index: 3, count: 8 }));
        assert_eq!("0/1".parse::<Shard>().unwrap().to_string(), "0/1");
        assert!("8/8".parse::<Shard>().unwrap_err().contains("the last of 8 is 7/8"));
        assert!("1/0".parse::<Shard>().is_err());
        assert!("3".parse::<Shard>().is_err());
        assert!("-1/4".parse::<Shard>().is_err());
    }

    /// The documented hash, worked outside qda: SHA-256("P01") begins
    /// 2758a1c329d45c03 (`printf P01 | sha256sum`), and that number mod 7
    /// is 5 (Python: `0x2758a1c329d45c03 % 7`).
    #[test]
    fn the_shard_is_the_hash_of_the_case_id_mod_n() {
        assert_eq!(shard_of("P01", 7), 5);
        assert_eq!(shard_of("P01", 1), 0);
    }

    #[test]
    fn the_case_id_is_read_from_the_front_matter() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "+++\ncase = \"P07\"\nage = 30\n+++\nI: Hello\n").unwrap();
        assert_eq!(peek_case(&path).as_deref(), Some("P07"));
        std::fs::write(&path, "no front matter\n").unwrap();
        assert_eq!(peek_case(&path), None);
    }
}
