//! Tests of qda-serve, in one binary.
//!
//! - `api`: the HTTP API in process: access checks, saving, stale writes,
//!   bad bodies;
//! - `browser`: the coding page end to end in headless Chromium;
//! - `class`: class mode's teacher's page in headless Chromium, following
//!   two students' edits;
//! - `page_speed`: first paint and key press to saved coding in headless
//!   Chromium at 5,000 codings (ignored; a measurement);
//! - `similar`: "suggest similar" in the API and on the page;
//! - `speed`: how long an edit takes on a long interview (ignored; a
//!   measurement, not a check).

mod api;
mod browser;
mod class;
mod page_speed;
mod similar;
mod speed;
