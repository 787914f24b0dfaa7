use super::*;

fn table(csv: &str) -> PseudonymTable {
    PseudonymTable::parse(Path::new("pseudonyms.csv"), csv.as_bytes()).unwrap()
}

fn found<'t>(text: &'t str, leaks: &[Leak]) -> Vec<(&'t str, usize)> {
    leaks.iter().map(|l| (&text[l.range.clone()], l.row)).collect()
}

#[test]
fn originals_are_found_case_insensitively_and_across_line_breaks() {
    let t = table("original,pseudonym\nPark Soo-jin,Min-seo\nHoeryong,[town]\n");
    let text = "I met PARK\n   soo-jin in hoeryong. Parkside is a street.";
    assert_eq!(found(text, &t.find(text)), [("PARK\n   soo-jin", 2), ("hoeryong", 3)]);
}

#[test]
fn both_normal_forms_of_a_korean_name_are_found() {
    let nfc = "김민수";
    let nfd: String = nfc.nfd().collect();
    assert_ne!(nfc, nfd);
    let t = table(&format!("original,pseudonym\n{nfc},Kang-min\n"));
    let text = format!("{nfd}가 왔어요. 그리고 {nfc}씨.");
    assert_eq!(t.find(&text).len(), 2, "NFD and NFC, each followed by a particle");
}

#[test]
fn japanese_names_match_inside_a_sentence() {
    let t = table("original,pseudonym\n田中,Tanaka-P\n");
    let text = "田中さんが来ました。";
    assert_eq!(found(text, &t.find(text)), [("田中", 2)]);
}

#[test]
fn leaks_name_the_row_not_the_original() {
    let t = table("original,pseudonym\nSecret Name,Pseudo\n");
    let leak = &t.find("a Secret Name here")[0];
    assert_eq!((leak.row, leak.pseudonym.as_str()), (2, "Pseudo"));
}

#[test]
fn a_table_without_the_columns_is_an_error() {
    let err = PseudonymTable::parse(Path::new("p.csv"), b"name,alias\nA,B\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "p.csv:1:1: the pseudonym table needs the columns `original` and `pseudonym`"
    );
}

#[test]
fn suspects_are_emails_phones_full_dates_and_unknown_names() {
    let text = "I came with Hyun-woo and Sato. Write to kim.j@example.org or call +81 90-1234-5678. \
                I was born on 12 March 1971, in 1971. Tokyo was cold.";
    let allowed = |w: &str| ["hyun-woo", "tokyo"].contains(&w.to_lowercase().as_str());
    let kinds: Vec<(SuspectKind, &str)> =
        suspects(text, &allowed).iter().map(|s| (s.kind, &text[s.range.clone()])).collect();
    assert_eq!(
        kinds,
        [
            (SuspectKind::Name, "Sato"),
            (SuspectKind::Email, "kim.j@example.org"),
            (SuspectKind::Phone, "+81 90-1234-5678"),
            (SuspectKind::FullDate, "12 March 1971"),
        ]
    );
}

#[test]
fn timestamps_and_years_are_not_phone_numbers() {
    let text = "[00:12:05] In 2008 we paid 1,200 dollars.";
    assert!(suspects(text, &|_| true).is_empty());
}
