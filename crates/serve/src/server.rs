//! Building the application and serving it.

use std::net::SocketAddr;

use axum::Router;

use crate::error::ServeError;
use crate::state::{AppState, Config, Desk, Saved};
use crate::{api, compare, security, store};

/// Builds the application after checking the codings file against the study,
/// removing the temporary files a killed save of it left behind. The caller
/// holds the file's lock ([`crate::CodingsLock`]).
///
/// # Errors
/// The coder name is reserved or empty, or the codings file is unreadable,
/// belongs to another coder, or holds codings that do not fit the study.
pub fn app(config: Config) -> Result<Router, ServeError> {
    if let Err(problem) = crate::coders::check_name(&config.coder) {
        return Err(ServeError::Setup(format!("--coder {:?}: {problem}", config.coder)));
    }
    desk_app(Desk::from(config))
}

/// [`app`] for one coder whose name is checked: the codings file checked
/// against the study, then the routes behind the access checks.
pub(crate) fn desk_app(config: Desk) -> Result<Router, ServeError> {
    store::remove_stale_temp_files(&config.codings);
    let snapshot = store::read(&config.codings, &config.coder)?;
    store::check(&config.codings, &snapshot, &config.study, &config.coder)?;
    store::check_blind(&config.codings, &snapshot.file, config.blind)?;
    for (name, path) in &config.compare {
        compare::read_other(name, path, &config.study)?;
    }
    let saved = Saved { version: snapshot.version, bytes: snapshot.bytes, file: snapshot.file };
    let state = AppState::new(config, saved);
    Ok(api::routes(state.clone())
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::guard))
        .with_state(state))
}

/// The `Host` values a browser sends for a server on `addr`: the address
/// itself, the loopback names (`127.0.0.1`, `localhost`, `[::1]`), and
/// `names` (such as the machine's host name and addresses, and each
/// `--host`), each with the port, and without it as well on port 80.
pub fn allowed_hosts(addr: SocketAddr, names: &[String]) -> Vec<String> {
    let port = addr.port();
    let loopback = ["127.0.0.1", "localhost", "::1"].map(str::to_owned);
    let mut hosts: Vec<String> = vec![format!("{addr}")];
    for name in std::iter::once(addr.ip().to_string()).chain(loopback).chain(names.iter().cloned())
    {
        let name = name.trim().trim_end_matches('.').to_owned();
        if name.is_empty() {
            continue;
        }
        let host =
            if name.parse::<std::net::Ipv6Addr>().is_ok() { format!("[{name}]") } else { name };
        hosts.push(format!("{host}:{port}"));
        if port == 80 {
            hosts.push(host);
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    hosts.retain(|h| seen.insert(h.to_ascii_lowercase()));
    hosts
}

/// Serves `app` on `listener` until Ctrl-C.
///
/// # Errors
/// The listener cannot be used, or the server fails.
pub fn run(listener: std::net::TcpListener, app: Router) -> Result<(), ServeError> {
    listener.set_nonblocking(true).map_err(ServeError::io("cannot serve"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .build()
        .map_err(ServeError::io("cannot serve"))?;
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::from_std(listener).map_err(ServeError::io("cannot serve"))?;
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                // Without a signal handler the server still stops with the process.
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(ServeError::io("cannot serve"))
    })
}
