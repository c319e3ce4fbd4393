//! RFC 9457 problem details: every error the API returns, with a message for the user and never
//! a stack trace or SQL text.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use newspipe_store::StoreError;
use serde::Serialize;

/// An error answer: status, a short title and a detail meant for the person who sent the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub status: StatusCode,
    pub detail: String,
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    title: &'a str,
    status: u16,
    detail: &'a str,
}

impl Problem {
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            detail: detail.into(),
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            detail: detail.into(),
        }
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            detail: detail.into(),
        }
    }

    pub fn title(&self) -> &'static str {
        self.status.canonical_reason().unwrap_or("Error")
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        match &e {
            StoreError::Invalid(msg) => Self::bad_request(msg.clone()),
            _ if e.sqlstate().as_deref() == Some("57014") => {
                Self::unavailable("the query took longer than the server allows; narrow it down")
            }
            // websearch_to_tsquery and friends never reject input, but any data error (22*) is
            // still the request's fault, not the server's.
            _ if e.sqlstate().is_some_and(|c| c.starts_with("22")) => {
                Self::bad_request("a parameter has a value the archive cannot use")
            }
            _ if e.is_transient() => {
                tracing::warn!(error = %e, "archive database unavailable");
                Self::unavailable("the archive database is unreachable; retry in a few seconds")
            }
            _ => {
                tracing::error!(error = %e, "archive query failed");
                Self {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    detail: "the archive query failed; the server log has the cause".into(),
                }
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&Body {
            kind: "about:blank",
            title: self.title(),
            status: self.status.as_u16(),
            detail: &self.detail,
        })
        .unwrap_or_default();
        let mut r = (self.status, body).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        r
    }
}
