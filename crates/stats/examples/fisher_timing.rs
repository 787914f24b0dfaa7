//! Times Fisher's test on each table of a reference file written by
//! `scripts/fisher_reference.R`, beside R's p-value and time:
//!
//! ```sh
//! cargo run --release -p qda-stats --example fisher_timing -- crates/stats/tests/fixtures/fisher_r.csv
//! ```
//!
//! Prints one line per table: id, shape, n, qda's method, p-value and
//! seconds, then R's method, p-value and seconds.

use std::time::Instant;

use qda_stats::{ContingencyTable, FisherMethod, FisherOptions, fisher_exact};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: fisher_timing FIXTURE.csv")?;
    let text = std::fs::read_to_string(path)?;
    println!("id\tshape\tn\tmethod\tp\tseconds\tR_method\tR_p\tR_seconds");
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let columns: usize = fields[2].parse()?;
        let cells: Vec<u64> = fields[4].split(' ').map(str::parse).collect::<Result<_, _>>()?;
        let rows: Vec<&[u64]> = cells.chunks(columns).collect();
        let table = ContingencyTable::from_rows(&rows)?;
        let start = Instant::now();
        let test = fisher_exact(&table, &FisherOptions::default())?;
        let seconds = start.elapsed().as_secs_f64();
        let method = match test.method {
            FisherMethod::Exact => "exact",
            FisherMethod::MonteCarlo { .. } => "monte_carlo",
        };
        println!(
            "{}\t{}x{}\t{}\t{method}\t{:.6e}\t{seconds:.3}\t{}\t{}\t{}",
            fields[0],
            fields[1],
            fields[2],
            fields[3],
            test.p_value,
            fields[5],
            fields[8],
            fields[9]
        );
    }
    Ok(())
}
