//! The development outbox: the sender's file transport writes each message as an `.eml` file
//! into a directory, and the hub admin reads them in the console. Parsed with `mail-parser`
//! (headers decoded, the body's transfer encoding undone).

use std::path::Path;

use serde::{Deserialize, Serialize};

/// One message as the file outbox holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filed {
    /// The file's name.
    pub file: String,
    /// The `Date` header, RFC 3339.
    pub date: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    /// The plain-text body.
    pub body: String,
}

fn address(a: Option<&mail_parser::Address<'_>>) -> String {
    a.and_then(|a| a.first())
        .map(|a| match (a.name(), a.address()) {
            (Some(n), Some(e)) => format!("{n} <{e}>"),
            (None, Some(e)) => e.to_owned(),
            (Some(n), None) => n.to_owned(),
            (None, None) => String::new(),
        })
        .unwrap_or_default()
}

/// Parses one message file.
pub fn parse(file: &str, raw: &[u8]) -> Option<Filed> {
    let m = mail_parser::MessageParser::default().parse(raw)?;
    Some(Filed {
        file: file.to_owned(),
        date: m.date().map(|d| d.to_rfc3339()).unwrap_or_default(),
        from: address(m.from()),
        to: address(m.to()),
        subject: m.subject().unwrap_or_default().to_owned(),
        body: m.body_text(0).map(|b| b.into_owned()).unwrap_or_default(),
    })
}

/// The newest `limit` messages in `dir` (none if it does not exist yet), newest first.
pub fn newest(dir: &Path, limit: usize) -> std::io::Result<Vec<Filed>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".eml") {
            continue;
        }
        let modified = entry.metadata()?.modified()?;
        files.push((modified, name, entry.path()));
    }
    files.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let mut out = Vec::with_capacity(limit.min(files.len()));
    for (_, name, path) in files.into_iter().take(limit) {
        let raw = std::fs::read(&path)?;
        if let Some(m) = parse(&name, &raw) {
            out.push(m);
        }
    }
    Ok(out)
}
