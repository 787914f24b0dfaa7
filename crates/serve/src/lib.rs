//! `qda serve`: a local web page for coding transcripts by hand, saved
//! straight into a coder's codings file.
//!
//! The server listens on the loopback address, answers only requests that
//! carry its random access token, name its own `Host` and come from its own
//! page, and keeps no state but the codings file: every edit is checked
//! against the file's version (the SHA-256 of its bytes), applied, and
//! written atomically. In class mode ([`class_app`]) one server holds a
//! codings file, a lock and a token per student, and a teacher's read-only
//! page. See `docs/serve.md` for the API and the security model.

mod api;
mod changes;
mod class;
mod coders;
mod compare;
mod error;
mod lock;
mod memos;
mod reanchor;
mod security;
mod server;
mod similar;
mod state;
mod store;
mod study;

pub use class::{ClassConfig, Student, class_app};
pub use coders::read_class_list;
pub use error::ServeError;
pub use lock::{CodingsLock, lock_path};
pub use security::new_token;
pub use server::{allowed_hosts, app, run};
pub use state::Config;
pub use study::{Case, LoadedTranscript, SegmentView, Study};
