//! Tests of qda-serve, in one binary.
//!
//! - `api`: the HTTP API in process: access checks, saving, stale writes,
//!   bad bodies;
//! - `browser`: the coding page end to end in headless Chromium;
//! - `class`: class mode's teacher's page in headless Chromium, following
//!   two students' edits;
//! - `speed`: how long an edit takes on a long interview (ignored; a
//!   measurement, not a check).

mod api;
mod browser;
mod class;
mod speed;
