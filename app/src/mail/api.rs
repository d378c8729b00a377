//! The hub admin's view of the mail outbox. A guard, one domain call, the error mapping.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// One message of the file outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailView {
    pub file: String,
    pub date: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// What the page shows: the newest messages, or why there are none to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outbox {
    /// `None`: mail goes out by SMTP, so there is no file outbox to read.
    pub dir: Option<String>,
    pub messages: Vec<MailView>,
}

/// Hub admin: the newest 50 messages of the development file outbox.
#[server(prefix = "/api", endpoint = "admin/mail", input = GetUrl, output = crate::codec::Answer)]
pub async fn mail_outbox() -> Result<Outbox, ApiError> {
    use tenants::access::HubAdmin;

    use crate::context::{app_state, run};
    run(|_admin: HubAdmin| async move {
        let state = app_state()?;
        let Some(dir) = state.mail_dir.clone() else {
            return Ok(Outbox {
                dir: None,
                messages: Vec::new(),
            });
        };
        let read = dir.clone();
        let found = tokio::task::spawn_blocking(move || tenants::mail::files::newest(&read, 50))
            .await
            .map_err(|e| ApiError::Conflict(format!("could not read the outbox: {e}")))?
            .map_err(|e| ApiError::Conflict(format!("could not read the outbox: {e}")))?;
        Ok(Outbox {
            dir: Some(dir.display().to_string()),
            messages: found
                .into_iter()
                .map(|m| MailView {
                    file: m.file,
                    date: m.date,
                    from: m.from,
                    to: m.to,
                    subject: m.subject,
                    body: m.body,
                })
                .collect(),
        })
    })
    .await
}
