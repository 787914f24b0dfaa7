//! `qda report`.

use anyhow::{Result, bail};

use crate::args::ReportArgs;
use crate::outcome::Outcome;

pub(crate) fn run(_args: &ReportArgs) -> Result<Outcome> {
    bail!("not yet")
}
