//! `--format csv`: one record per row, quoted where a cell needs it.

/// CSV of `records`, each as long as the first (the header).
pub(crate) fn write(records: Vec<Vec<String>>) -> Vec<u8> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    for record in records {
        writer.write_record(&record).expect("writing CSV to memory cannot fail");
    }
    writer.into_inner().expect("writing CSV to memory cannot fail")
}
