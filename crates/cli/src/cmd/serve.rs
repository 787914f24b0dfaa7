//! `qda serve`: the local coding page. Loading and checking the inputs is
//! done here as for every command; the server itself is `qda-serve`.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use qda_coding::CodingsFile;
use qda_serve::{Config, LoadedTranscript};

use crate::args::ServeArgs;
use crate::outcome::Outcome;
use crate::provenance::display_path;
use crate::study::{LoadedStudy, reanchor_command};

pub(crate) fn run(args: &ServeArgs) -> Result<Outcome> {
    if !args.bind.is_loopback() && !args.allow_remote {
        bail!(
            "--bind {}: not a loopback address; anyone who can reach it could read the transcripts. Add --allow-remote if you mean it",
            args.bind
        );
    }
    let mut study = LoadedStudy::open(&args.codebook)?.with_transcripts(&args.input)?;
    let transcripts = study.transcripts()?;
    // No `arguments`: `qda verify` must not start a server to re-make the file.
    let mut provenance =
        serde_json::to_value(study.provenance("serve").option("coder", args.coder.as_str()))?;
    if let Some(object) = provenance.as_object_mut() {
        object.shift_remove("arguments");
    }
    let loaded = transcripts
        .into_iter()
        .map(|t| LoadedTranscript {
            file: t.path().to_owned(),
            shown_path: display_path(t.path()),
            transcript: t,
        })
        .collect();
    let served = qda_serve::Study::new(study.codebook, loaded)?;

    let codings = args
        .codings
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("codings/{}.json", args.coder)));
    let compare = args
        .compare
        .iter()
        .map(|path| {
            let name = path
                .file_stem()
                .map_or_else(|| display_path(path), |s| s.to_string_lossy().into_owned());
            (name, path.clone())
        })
        .collect();

    // Held until the server stops: no other `qda serve`, `qda import-sheet`
    // or `qda reanchor` writes this file meanwhile.
    let mut lock = qda_serve::CodingsLock::acquire(&codings, "qda serve, starting")?;
    let listener = std::net::TcpListener::bind(SocketAddr::new(args.bind, args.port.unwrap_or(0)))
        .with_context(|| {
            format!(
                "cannot listen on {}:{}; choose another --port, or leave it out to use a free one",
                args.bind,
                args.port.unwrap_or(0)
            )
        })?;
    let address = listener.local_addr()?;
    lock.describe(&format!("qda serve at http://{address}/"))?;
    let token = qda_serve::new_token()?;
    let changed = changed_transcripts(&codings, &served);
    let app = qda_serve::app(Config {
        study: served,
        coder: args.coder.clone(),
        codings: codings.clone(),
        compare,
        reanchor_command: reanchor_command(&args.codebook, &args.input.transcripts, &codings),
        provenance,
        blind: args.blind,
        token: token.clone(),
        allowed_hosts: qda_serve::allowed_hosts(address),
    })?;

    let mut stderr = std::io::stderr().lock();
    for path in changed {
        writeln!(
            stderr,
            "warning: {path} changed since the codings in {} were made; the page offers to carry them over to the new text, or stop the server and run `{}`",
            display_path(&codings),
            reanchor_command(&args.codebook, &args.input.transcripts, &codings)
        )?;
    }
    if !args.bind.is_loopback() {
        writeln!(
            stderr,
            "warning: listening on {address}, reachable from other machines; anyone with the URL can read the transcripts and edit the codings"
        )?;
    }
    let blind = if args.blind {
        " blind (no rule suggestions or other codings until you turn blind mode off)"
    } else {
        ""
    };
    writeln!(
        stderr,
        "Coding as `{}`{blind}; every change is saved to {}. Open this URL in a browser (Ctrl-C stops):",
        args.coder,
        display_path(&codings)
    )?;
    drop(stderr);
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "http://{address}/?token={token}")?;
    stdout.flush()?;
    drop(stdout);
    qda_serve::run(listener, app)?;
    drop(lock);
    Ok(Outcome::Success)
}

/// The transcripts that changed since the codings file's codings of them
/// were made; none when the file does not exist yet or cannot be read (the
/// server then says why).
fn changed_transcripts(codings: &Path, study: &qda_serve::Study) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(codings) else { return Vec::new() };
    let Ok(file) = CodingsFile::parse(codings, &text) else { return Vec::new() };
    file.transcripts
        .iter()
        .filter_map(|source| {
            let case = study.cases.get(&source.case)?;
            (case.transcript.sha256() != source.sha256).then(|| case.shown_path.clone())
        })
        .collect()
}
