//! `qda serve --coders FILE`: one server for a class. Every student on the
//! class list codes into `codings/NAME.json` with a URL of their own, each
//! file locked as a single coder's is; the teacher's URL shows the class.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use qda_serve::{ClassConfig, LoadedTranscript, Student};

use super::serve::{changed_transcripts, host_names, listen, provenance, warn_remote};
use crate::args::ServeArgs;
use crate::outcome::Outcome;
use crate::provenance::display_path;
use crate::study::{LoadedStudy, reanchor_command};

/// Where the students' codings files are, relative to the working folder,
/// as a single coder's are by default.
const CODINGS_FOLDER: &str = "codings";

pub(super) fn run(
    args: &ServeArgs,
    list: &Path,
    study: LoadedStudy,
    loaded: Vec<LoadedTranscript>,
) -> Result<Outcome> {
    let names = qda_serve::read_class_list(list)?;
    if args.compare.len() > 1 {
        bail!(
            "--compare: a class is measured against one reference coding; give --compare once (the students' agreement with each other is shown anyway)"
        );
    }
    if let Some(path) = args.compare.first()
        && !path.is_file()
    {
        bail!(
            "--compare {}: no such file; the reference is a codings file of one coder, such as a model answer coded with `qda serve --coder`",
            display_path(path)
        );
    }
    let reference = args.compare.first().map(|path| {
        let name = path
            .file_stem()
            .map_or_else(|| display_path(path), |s| s.to_string_lossy().into_owned());
        (name, path.clone())
    });
    if !Path::new(CODINGS_FOLDER).is_dir() {
        bail!(
            "the folder {CODINGS_FOLDER} does not exist; create it: each student's work is saved to {CODINGS_FOLDER}/NAME.json"
        );
    }
    let files: Vec<PathBuf> =
        names.iter().map(|name| Path::new(CODINGS_FOLDER).join(format!("{name}.json"))).collect();
    if let Some(out) = &args.tokens_out {
        let mut inputs: Vec<&Path> = vec![list, &args.codebook];
        inputs.extend(args.compare.iter().map(PathBuf::as_path));
        inputs.extend(files.iter().map(PathBuf::as_path));
        refuse_input(out, &inputs)?;
    }
    let provenances =
        names.iter().map(|name| provenance(&study, name)).collect::<Result<Vec<_>>>()?;
    let served = qda_serve::Study::new(study.codebook, loaded)?;

    // Held until the server stops, as a single coder's file is.
    let mut locks = files
        .iter()
        .map(|file| qda_serve::CodingsLock::acquire(file, "qda serve, starting"))
        .collect::<Result<Vec<_>, _>>()?;
    let listener = listen(args)?;
    let address = listener.local_addr()?;
    for lock in &mut locks {
        lock.describe(&format!("qda serve at http://{address}/"))?;
    }
    let hosts = host_names(args, address)?;
    let mut stderr = std::io::stderr().lock();
    let mut students = Vec::new();
    for ((name, codings), provenance) in names.iter().zip(&files).zip(provenances) {
        let reanchor = reanchor_command(&args.codebook, &args.input.transcripts, codings);
        for path in changed_transcripts(codings, &served) {
            writeln!(
                stderr,
                "warning: {path} changed since the codings in {} were made; the student's page offers to carry them over to the new text, or stop the server and run `{reanchor}`",
                display_path(codings),
            )?;
        }
        students.push(Student {
            name: name.clone(),
            codings: codings.clone(),
            token: qda_serve::new_token()?,
            reanchor_command: reanchor,
            provenance,
        });
    }
    let urls: Vec<(String, String)> = students
        .iter()
        .map(|s| (s.name.clone(), format!("http://{address}/?token={}", s.token)))
        .collect();
    let teacher_token = qda_serve::new_token()?;
    let app = qda_serve::class_app(ClassConfig {
        study: served,
        students,
        reference,
        blind: args.blind,
        teacher_token: teacher_token.clone(),
        allowed_hosts: qda_serve::allowed_hosts(address, &hosts),
    })?;

    let table = url_table(&urls)?;
    if let Some(out) = &args.tokens_out {
        write_private(out, &table)?;
        crate::output::wrote(out, format!("{} students' URLs", urls.len()));
    }
    warn_remote(&mut stderr, args, address, &hosts)?;
    let blind = if args.blind { ", blind" } else { "" };
    writeln!(
        stderr,
        "Class of {} from {}{blind}; each student's work is saved to codings/NAME.json. The teacher's page is at the URL below{} (Ctrl-C stops):",
        urls.len(),
        display_path(list),
        match &args.tokens_out {
            Some(out) => format!("; hand each student their own line of {}", display_path(out)),
            None => ", then each student's URL, one line each to hand out".to_owned(),
        }
    )?;
    drop(stderr);
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "http://{address}/?token={teacher_token}")?;
    if args.tokens_out.is_none() {
        stdout.write_all(&table)?;
    }
    stdout.flush()?;
    drop(stdout);
    qda_serve::run(listener, app)?;
    drop(locks);
    Ok(Outcome::Success)
}

/// The students' URLs as CSV: `name,url`, one row per student.
fn url_table(urls: &[(String, String)]) -> Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["name", "url"])?;
    for (name, url) in urls {
        writer.write_record([name, url])?;
    }
    Ok(writer.into_inner().map_err(|e| e.into_error())?)
}

fn refuse_input(out: &Path, inputs: &[&Path]) -> Result<()> {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    if let Some(input) = inputs.iter().find(|input| same(out, input)) {
        bail!(
            "--tokens-out {}: refusing to write the URLs over {}, an input; choose another file",
            display_path(out),
            display_path(input)
        );
    }
    Ok(())
}

/// Writes the URLs, which carry the tokens, atomically and readable by the
/// owner only: a temporary file (created 0600) renamed over `path`.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let shown = display_path(path);
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(folder)
        .with_context(|| format!("--tokens-out {shown}: cannot create a file in its folder"))?;
    temp.write_all(bytes).with_context(|| format!("{shown}: cannot write"))?;
    temp.as_file().sync_all().with_context(|| format!("{shown}: cannot write"))?;
    temp.persist(path).map_err(|e| e.error).with_context(|| format!("{shown}: cannot write"))?;
    Ok(())
}
