//! Class mode: one server for a class, each student coding into their own
//! codings file through their own token, and a teacher's page that follows
//! the class's progress and agreement.
//!
//! Each student is served exactly as a single coder is (`server::desk_app`:
//! the same checks at start, their own save lock, the file re-checked
//! before every save), by a router of their own that knows only their file;
//! a request goes to the router of the token it carries. No route names a
//! student, so a student's token cannot reach another student's file, and
//! the teacher's router has no route that writes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, get};
use qda_coding::{AgreementData, CoderCodings, sha256_hex};
use qda_stats::{Level, Undefined, Weights};
use serde::{Deserialize, Serialize};
use tower::ServiceExt;

use crate::error::{ApiError, ServeError};
use crate::state::Desk;
use crate::study::Study;
use crate::{compare, security, store};

const PAGE: &str = include_str!("../assets/class.html");
const SCRIPT: &str = include_str!("../assets/class.js");
const STYLE: &str = include_str!("../assets/class.css");

/// One student of a class.
#[derive(Debug)]
pub struct Student {
    /// The student's coder name.
    pub name: String,
    /// The student's codings file (created on the first edit).
    pub codings: PathBuf,
    /// The student's access token.
    pub token: String,
    /// The `qda reanchor` command for the student's codings file.
    pub reanchor_command: String,
    /// The provenance object written into the student's codings file.
    pub provenance: serde_json::Value,
}

/// What a class's server is started with.
#[derive(Debug)]
pub struct ClassConfig {
    /// The codebook and transcripts.
    pub study: Study,
    /// The students, in the order of the class list.
    pub students: Vec<Student>,
    /// A reference coding to measure each student against (`--compare`):
    /// a name for the page, and the file. Students do not see it.
    pub reference: Option<(String, PathBuf)>,
    /// Blind coding for every student (see [`crate::Config::blind`]).
    pub blind: bool,
    /// The teacher's access token: the class page, read only.
    pub teacher_token: String,
    /// The `Host` header values accepted.
    pub allowed_hosts: Vec<String>,
}

/// What the teacher's page reads.
#[derive(Debug)]
struct Roster {
    study: Arc<Study>,
    /// Each student's name and codings file.
    students: Vec<(String, PathBuf)>,
    reference: Option<(String, PathBuf)>,
    token: String,
    allowed_hosts: Vec<String>,
}

/// Where each request goes: to the router of the token it carries.
#[derive(Debug)]
struct Dispatch {
    students: Vec<(String, Router)>,
    teacher: Router,
}

/// Builds a class's application after checking every student's codings file
/// against the study, as [`crate::app`] does for one coder. The caller
/// holds every codings file's lock ([`crate::CodingsLock`]).
///
/// # Errors
/// No student, a name that is not a coder's name, two students with one
/// name, codings file or token, a codings file that does not fit the
/// study, or a reference that cannot be read.
pub fn class_app(config: ClassConfig) -> Result<Router, ServeError> {
    let ClassConfig { study, students, reference, blind, teacher_token, allowed_hosts } = config;
    if students.is_empty() {
        return Err(ServeError::Setup("a class needs at least one student".to_owned()));
    }
    let mut names = BTreeSet::new();
    let mut files = BTreeSet::new();
    let mut tokens = BTreeSet::from([teacher_token.clone()]);
    for student in &students {
        crate::coders::check_name(&student.name)
            .map_err(|problem| ServeError::Setup(format!("{:?}: {problem}", student.name)))?;
        if !names.insert(student.name.clone()) || !files.insert(student.codings.clone()) {
            return Err(ServeError::Setup(format!(
                "{:?}: two students with one name or one codings file; give each their own",
                student.name
            )));
        }
        if !tokens.insert(student.token.clone()) {
            return Err(ServeError::Setup("two people with one access token".to_owned()));
        }
    }
    let study = Arc::new(study);
    if let Some((name, path)) = &reference {
        compare::read_other(name, path, &study)?;
    }
    let mut routers = Vec::new();
    let mut roster = Vec::new();
    for student in students {
        roster.push((student.name.clone(), student.codings.clone()));
        let desk = Desk {
            study: Arc::clone(&study),
            coder: student.name,
            codings: student.codings,
            // The reference is the teacher's: a student comparing with it
            // would see the answers.
            compare: Vec::new(),
            reanchor_command: student.reanchor_command,
            provenance: student.provenance,
            blind,
            token: student.token.clone(),
            allowed_hosts: allowed_hosts.clone(),
            memos: None,
        };
        routers.push((student.token, crate::server::desk_app(desk)?));
    }
    let roster = Arc::new(Roster {
        study,
        students: roster,
        reference,
        token: teacher_token,
        allowed_hosts,
    });
    let teacher = teacher_routes(roster);
    let dispatch = Arc::new(Dispatch { students: routers, teacher });
    Ok(Router::new().fallback(dispatch_request).with_state(dispatch))
}

async fn dispatch_request(State(dispatch): State<Arc<Dispatch>>, request: Request) -> Response {
    let given = security::given_token(request.headers(), request.uri().query());
    let mut target = None;
    if let Some(given) = given {
        // Every token is compared in full, so timing tells nothing.
        for (token, router) in &dispatch.students {
            if security::constant_time_eq(given.as_bytes(), token.as_bytes()) && target.is_none() {
                target = Some(router);
            }
        }
    }
    let target = match target {
        Some(router) => router,
        // The coding page's script and style hold no data: any student's
        // router serves them, without a token.
        None if request.uri().path().starts_with("/assets/app.") => &dispatch.students[0].1,
        // The teacher's, or no one's: the teacher's router checks the token.
        None => &dispatch.teacher,
    };
    match target.clone().oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

fn teacher_routes(roster: Arc<Roster>) -> Router {
    Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route("/assets/class.js", get(script))
        .route("/assets/class.css", get(style))
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/api/class", get(class))
        .route("/api/edits", any(read_only))
        .route("/api/reanchor", any(read_only))
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "this address does not take that method; see docs/serve.md".to_owned(),
            )
        })
        .fallback(|| async {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "no such page or API for the teacher's token; see docs/serve.md".to_owned(),
            )
        })
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&roster), teacher_guard))
        .with_state(roster)
}

async fn teacher_guard(
    State(roster): State<Arc<Roster>>,
    request: Request,
    next: Next,
) -> Response {
    security::guarded(&roster.allowed_hosts, &roster.token, request, next).await
}

async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT).into_response()
}

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

async fn read_only() -> ApiError {
    ApiError::forbidden(
        "the teacher's token reads the class's work and changes none of it; each student codes with their own URL".to_owned(),
    )
}

/// The class as the teacher's page shows it.
#[derive(Serialize)]
struct ClassView {
    /// Changes whenever a student's codings file (or the reference) does.
    version: String,
    codebook: String,
    unit: &'static str,
    /// The codable segments of all transcripts.
    segments: usize,
    /// The reference's name, when there is one.
    reference: Option<String>,
    /// Why the reference cannot be read now, if it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    reference_error: Option<String>,
    students: Vec<StudentView>,
    /// Agreement among the students who have coded, as `qda agree` computes
    /// it over their files; `null` while fewer than two have.
    agreement: Option<Agreement>,
    /// Segments reviewed by two or more (students or the reference):
    /// where they differ first, then the others, each in text order.
    segment_codes: Vec<SegmentCodes>,
}

#[derive(Serialize)]
struct StudentView {
    name: String,
    codings_file: String,
    /// The file's version (`none` before the first edit).
    version: Option<String>,
    codings: usize,
    /// Cases the student has coded or reviewed any of.
    cases: usize,
    /// Codable segments the student has reviewed (coded or decided against).
    reviewed: usize,
    /// The student against the reference, over the segments both reviewed.
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<Stats>,
    /// Why the file cannot be read now (edited outside the server).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
struct Agreement {
    coders: Vec<String>,
    /// Segment units.
    units: usize,
    /// One row per codable code, `all codes` pooled, one per exclusive group.
    rows: Vec<Stats>,
}

/// The coefficients of a row of `qda agree`, rounded as it rounds them;
/// `null` where one is undefined.
#[derive(Serialize)]
struct Stats {
    /// `code`, `pooled` (all codes) or `group` (an exclusive parent, over cases).
    scope: &'static str,
    code: String,
    units: usize,
    percent_agreement: Option<f64>,
    cohen_kappa: Option<f64>,
    scott_pi: Option<f64>,
    fleiss_kappa: Option<f64>,
    gwet_ac1: Option<f64>,
    krippendorff_alpha: Option<f64>,
}

#[derive(Serialize)]
struct SegmentCodes {
    case: String,
    segment: String,
    text: String,
    /// Whether the sides that reviewed it gave it different codes.
    differ: bool,
    /// Per student who reviewed it, their codes on it (codebook order).
    students: BTreeMap<String, Vec<String>>,
    /// The reference's codes, when it reviewed the segment.
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<Vec<String>>,
}

fn round(result: Result<f64, Undefined>) -> Option<f64> {
    result.ok().map(|v| (v * 1e6).round() / 1e6)
}

fn stats(scope: &'static str, code: &str, values: &[Vec<Option<f64>>]) -> Stats {
    Stats {
        scope,
        code: code.to_owned(),
        units: values.iter().filter(|r| r.iter().flatten().count() >= 2).count(),
        percent_agreement: round(qda_stats::percent_agreement(values)),
        cohen_kappa: round(qda_stats::cohen_kappa(values, Weights::Unweighted).map(|c| c.value)),
        scott_pi: round(qda_stats::scott_pi(values).map(|c| c.value)),
        fleiss_kappa: round(qda_stats::fleiss_kappa(values).map(|c| c.value)),
        gwet_ac1: round(qda_stats::gwet_ac1(values).map(|c| c.value)),
        krippendorff_alpha: round(
            qda_stats::krippendorff_alpha(values, Level::Nominal).map(|c| c.value),
        ),
    }
}

/// The rows `qda agree` gives at its default, nominal level: per code,
/// pooled, and per exclusive group.
fn rows(data: &AgreementData) -> Vec<Stats> {
    let mut rows: Vec<Stats> =
        data.codes.iter().map(|c| stats("code", &c.code, &c.values)).collect();
    rows.push(stats("pooled", "all codes", &data.pooled()));
    rows.extend(data.groups.iter().map(|g| stats("group", &g.parent, &g.values)));
    rows
}

/// `GET /api/class?since=VERSION`: nothing new (`{"version", "unchanged":
/// true}`) while no file changed since `VERSION`, the page's last answer.
#[derive(Deserialize)]
struct ClassQuery {
    since: Option<String>,
}

/// `GET /api/class`: every student's progress, agreement and codes per
/// segment, read from the files as they are now.
async fn class(
    State(roster): State<Arc<Roster>>,
    Query(query): Query<ClassQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    // Reading every file and computing the statistics takes a while for a
    // large class: off the threads that answer the students' edits.
    tokio::task::spawn_blocking(move || class_view(&roster, query.since.as_deref()))
        .await
        .map_err(|e| ApiError::from(ServeError::Setup(format!("the class view failed: {e}"))))?
}

fn class_view(roster: &Roster, since: Option<&str>) -> Result<Json<serde_json::Value>, ApiError> {
    let study = &roster.study;
    let codebook = &study.codebook;
    // The files first: their versions tell whether anything changed.
    let mut version = String::new();
    let reference_bytes = roster.reference.as_ref().map(|(_, path)| std::fs::read(path).ok());
    if let Some(bytes) = &reference_bytes {
        version.push_str(&bytes.as_deref().map(sha256_hex).unwrap_or_default());
    }
    let snapshots: Vec<_> = roster
        .students
        .iter()
        .map(|(name, path)| {
            let snapshot = store::read(path, name);
            match &snapshot {
                Ok(snapshot) => version.push_str(&format!("\n{name}: {}", snapshot.version)),
                Err(e) => version.push_str(&format!("\n{name}: unreadable: {e}")),
            }
            (name, path, snapshot)
        })
        .collect();
    let version = sha256_hex(version.as_bytes());
    if since == Some(version.as_str()) {
        return Ok(Json(serde_json::json!({ "version": version, "unchanged": true })));
    }
    let segments = study.codable_segments();
    let (reference, reference_error) = match &roster.reference {
        Some((name, path)) => match compare::read_other(name, path, study) {
            Ok(other) => (Some(other), None),
            Err(e) => (None, Some(e.to_string())),
        },
        None => (None, None),
    };
    let mut views = Vec::new();
    // The students who have coded, for the agreement among them.
    let mut working: Vec<CoderCodings> = Vec::new();
    for (name, path, snapshot) in snapshots {
        let shown = path.display().to_string();
        let snapshot = match snapshot {
            Ok(snapshot) => snapshot,
            Err(e) => {
                views.push(StudentView {
                    name: name.clone(),
                    codings_file: shown,
                    version: None,
                    codings: 0,
                    cases: 0,
                    reviewed: 0,
                    reference: None,
                    error: Some(e.to_string()),
                });
                continue;
            }
        };
        let codings = CoderCodings::from_files(name, std::iter::once(&*snapshot.file));
        let reviewed = segments
            .iter()
            .flat_map(|(case, ids)| ids.iter().map(move |id| (case, id)))
            .filter(|(case, id)| codings.reviewed(case, id))
            .count();
        let against = reference.as_ref().map(|other| {
            let data =
                AgreementData::new(codebook, &segments, &[codings.clone(), other.clone()], false);
            stats("pooled", "all codes", &data.pooled())
        });
        views.push(StudentView {
            name: name.clone(),
            codings_file: shown,
            version: Some(snapshot.version),
            codings: snapshot.file.codings.len(),
            cases: snapshot.file.transcripts.len(),
            reviewed,
            reference: against,
            error: None,
        });
        if snapshot.bytes.is_some() {
            working.push(codings);
        }
    }
    let agreement = (working.len() >= 2).then(|| {
        let data = AgreementData::new(codebook, &segments, &working, false);
        Agreement { coders: data.coders.clone(), units: data.units.len(), rows: rows(&data) }
    });
    let view = ClassView {
        version,
        codebook: codebook.name().to_owned(),
        unit: codebook.unit().as_str(),
        segments: segments.iter().map(|(_, ids)| ids.len()).sum(),
        reference: roster.reference.as_ref().map(|(name, _)| name.clone()),
        reference_error,
        students: views,
        agreement,
        segment_codes: segment_codes(study, &working, reference.as_ref()),
    };
    serde_json::to_value(view).map(Json).map_err(|e| ServeError::from(e).into())
}

/// Who gave which codes to each segment that two or more sides reviewed.
fn segment_codes(
    study: &Study,
    students: &[CoderCodings],
    reference: Option<&CoderCodings>,
) -> Vec<SegmentCodes> {
    let order: BTreeMap<&str, usize> =
        study.codebook.codes().iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
    let per_student: Vec<_> = students.iter().map(|s| (s, applied(s, &order))).collect();
    let reference = reference.map(|r| (r, applied(r, &order)));
    let mut rows = Vec::new();
    for (case_id, case) in &study.cases {
        for segment in case.segments.iter().filter(|s| !s.interviewer) {
            let key = (case_id.as_str(), segment.id.as_str());
            let codes_of =
                |(coder, codes): &(&CoderCodings, BTreeMap<(&str, &str), Vec<String>>)| {
                    coder
                        .reviewed(case_id, &segment.id)
                        .then(|| codes.get(&key).cloned().unwrap_or_default())
                };
            let by_student: BTreeMap<String, Vec<String>> = per_student
                .iter()
                .filter_map(|side| codes_of(side).map(|codes| (side.0.coder.clone(), codes)))
                .collect();
            let by_reference = reference.as_ref().and_then(&codes_of);
            let sides = by_student.len() + usize::from(by_reference.is_some());
            if by_student.is_empty() || sides < 2 {
                continue;
            }
            let distinct: BTreeSet<&Vec<String>> =
                by_student.values().chain(by_reference.as_ref()).collect();
            rows.push(SegmentCodes {
                case: case_id.clone(),
                segment: segment.id.clone(),
                text: segment.text.clone(),
                differ: distinct.len() > 1,
                students: by_student,
                reference: by_reference,
            });
        }
    }
    // Stable: the text order is kept within each part.
    rows.sort_by_key(|row| !row.differ);
    rows
}

/// A coder's codes per (case, segment), each list in codebook order.
fn applied<'a>(
    coder: &'a CoderCodings,
    order: &BTreeMap<&str, usize>,
) -> BTreeMap<(&'a str, &'a str), Vec<String>> {
    let mut codes: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for coding in &coder.codings {
        let entry = codes.entry((coding.case.as_str(), coding.segment.as_str())).or_default();
        if !entry.contains(&coding.code) {
            entry.push(coding.code.clone());
        }
    }
    for list in codes.values_mut() {
        list.sort_by_key(|code| order.get(code.as_str()).copied().unwrap_or(usize::MAX));
    }
    codes
}
