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
    let loaded = transcripts
        .into_iter()
        .map(|t| LoadedTranscript {
            file: t.path().to_owned(),
            shown_path: display_path(t.path()),
            transcript: t,
        })
        .collect();
    match (&args.coders, &args.coder) {
        (Some(list), _) => super::serve_class::run(args, list, study, loaded),
        (None, Some(coder)) => single(args, coder, study, loaded),
        (None, None) => {
            bail!("name the person coding with --coder NAME, or a class with --coders FILE")
        }
    }
}

/// The provenance written into `coder`'s codings file. No `arguments`:
/// `qda verify` must not start a server to re-make the file.
pub(super) fn provenance(study: &LoadedStudy, coder: &str) -> Result<serde_json::Value> {
    let mut provenance = serde_json::to_value(study.provenance("serve").option("coder", coder))?;
    if let Some(object) = provenance.as_object_mut() {
        object.shift_remove("arguments");
    }
    Ok(provenance)
}

/// Listens on `--bind` and `--port`.
pub(super) fn listen(args: &ServeArgs) -> Result<std::net::TcpListener> {
    std::net::TcpListener::bind(SocketAddr::new(args.bind, args.port.unwrap_or(0))).with_context(
        || {
            format!(
                "cannot listen on {}:{}; choose another --port, or leave it out to use a free one",
                args.bind,
                args.port.unwrap_or(0)
            )
        },
    )
}

/// Says on standard error that the server is reachable from other machines.
pub(super) fn warn_remote(
    stderr: &mut impl Write,
    args: &ServeArgs,
    address: SocketAddr,
    names: &[String],
) -> Result<()> {
    if !args.bind.is_loopback() {
        writeln!(
            stderr,
            "warning: listening on {address}, reachable from other machines; anyone with the URL can read the transcripts and edit the codings"
        )?;
        if !names.is_empty() {
            writeln!(
                stderr,
                "From another machine, open the URL below with {} replaced by one of: {}",
                address.ip(),
                names.join(", ")
            )?;
        }
    }
    Ok(())
}

/// One coder (`--coder`).
fn single(
    args: &ServeArgs,
    coder: &str,
    study: LoadedStudy,
    loaded: Vec<LoadedTranscript>,
) -> Result<Outcome> {
    let provenance = provenance(&study, coder)?;
    let served = qda_serve::Study::new(study.codebook, loaded)?;

    let codings =
        args.codings.clone().unwrap_or_else(|| PathBuf::from(format!("codings/{coder}.json")));
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
    let listener = listen(args)?;
    let address = listener.local_addr()?;
    lock.describe(&format!("qda serve at http://{address}/"))?;
    let token = qda_serve::new_token()?;
    let names = host_names(args, address)?;
    let changed = changed_transcripts(&codings, &served);
    let app = qda_serve::app(Config {
        study: served,
        coder: coder.to_owned(),
        codings: codings.clone(),
        compare,
        reanchor_command: reanchor_command(&args.codebook, &args.input.transcripts, &codings),
        provenance,
        blind: args.blind,
        token: token.clone(),
        allowed_hosts: qda_serve::allowed_hosts(address, &names),
        memos: crate::study::memos_folder_for_saving(args.memos.folder.as_deref()),
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
    warn_remote(&mut stderr, args, address, &names)?;
    let blind = if args.blind {
        " blind (no rule suggestions or other codings until you turn blind mode off)"
    } else {
        ""
    };
    writeln!(
        stderr,
        "Coding as `{coder}`{blind}; every change is saved to {}. Open this URL in a browser (Ctrl-C stops):",
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
pub(super) fn changed_transcripts(codings: &Path, study: &qda_serve::Study) -> Vec<String> {
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

/// The names a browser may reach the server by besides its address and the
/// loopback names: every `--host`, and, when it listens beyond loopback, the
/// machine's host name and its addresses.
pub(super) fn host_names(args: &ServeArgs, address: SocketAddr) -> Result<Vec<String>> {
    for name in &args.hosts {
        let bad = name.is_empty()
            || name.chars().any(|c| c.is_whitespace() || matches!(c, '/' | '@' | '?' | '#'))
            || (name.contains(':') && name.parse::<std::net::Ipv6Addr>().is_err());
        if bad {
            bail!(
                "--host {name:?}: give a host name or address without port or scheme, such as `--host seminar-room.local`"
            );
        }
    }
    let mut names = args.hosts.clone();
    if !address.ip().is_loopback() {
        names.extend(machine_names(address.port()));
    }
    let mut seen = std::collections::BTreeSet::new();
    names.retain(|n| seen.insert(n.to_ascii_lowercase()));
    Ok(names)
}

/// The machine's host name (and `NAME.local`, as the local network's name
/// service announces it) and its addresses: those the name resolves to, and
/// the one it reaches other machines from (a route lookup; nothing is sent).
fn machine_names(port: u16) -> Vec<String> {
    use std::net::ToSocketAddrs;
    let mut names = Vec::new();
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty());
    if let Some(hostname) = hostname {
        if let Ok(addresses) = (hostname.as_str(), port).to_socket_addrs() {
            // Loopback addresses are accepted anyway, and useless elsewhere.
            names.extend(addresses.filter(|a| !a.ip().is_loopback()).map(|a| a.ip().to_string()));
        }
        if !hostname.contains('.') {
            names.push(format!("{hostname}.local"));
        }
        names.insert(0, hostname);
    }
    if let Ok(socket) = std::net::UdpSocket::bind("0.0.0.0:0")
        && socket.connect("192.0.2.1:9").is_ok()
        && let Ok(local) = socket.local_addr()
    {
        names.push(local.ip().to_string());
    }
    names
}
