//! Rule engine benchmarks.

fn main() {}
