//! Writing results: to standard output, or atomically to a file that is
//! never one of the inputs.

use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::provenance::display_path;

/// Writes `bytes` to `path` (atomically: a temporary file in the same folder,
/// then a rename) or to standard output.
pub(crate) fn write(path: Option<&Path>, bytes: &[u8], inputs: &[&Path]) -> Result<()> {
    let Some(path) = path else {
        let mut stdout = io::stdout().lock();
        stdout.write_all(bytes)?;
        return Ok(stdout.flush()?);
    };
    if let Ok(target) = path.canonicalize() {
        for input in inputs {
            if input.canonicalize().is_ok_and(|i| i == target) {
                bail!(
                    "{}: refusing to write the output over an input file; choose another -o/--output path",
                    display_path(path)
                );
            }
        }
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let shown = display_path(path);
    let mut temp = tempfile::NamedTempFile::new_in(folder).with_context(|| {
        format!("{shown}: cannot create a temporary file in {}", display_path(folder))
    })?;
    temp.write_all(bytes).with_context(|| format!("{shown}: cannot write"))?;
    temp.as_file().sync_all().with_context(|| format!("{shown}: cannot write"))?;
    temp.persist(path).map_err(|e| e.error).with_context(|| format!("{shown}: cannot write"))?;
    Ok(())
}
