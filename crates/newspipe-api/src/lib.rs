//! newspipe-api: the read-only HTTP API and web pages over the archive.
//!
//! JSON endpoints (`/search`, `/articles…`, `/cdx`), Memento (`/timemap/link/…`, `/timegate/…`,
//! `/web/{timestamp}/…`), server-rendered pages (`/`, and `/articles/{id}` plus its diff page
//! when the client asks for HTML), `/healthz`, `/metrics` and `/openapi.json`. Every error is an
//! RFC 9457 problem. All SQL runs in `newspipe-store`; this crate only parses, validates and
//! renders.

pub mod diff;
pub mod html;
mod openapi;
pub mod params;
pub mod problem;

use std::{sync::Arc, time::Instant};

use axum::{
    Json, Router,
    extract::{MatchedPath, Path, RawQuery, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, Uri, header},
    middleware::{self, Next},
    response::{Html, IntoResponse, Redirect, Response},
    routing::get,
};
use chrono::{DateTime, Utc};
use newspipe_store::{
    ArticleRecord, CdxQuery, MAX_CDX_LIMIT, MAX_SEARCH_LIMIT, MatchType, RevisionInfo, SearchQuery,
    Store,
};
use serde_json::{Value, json};

use crate::{
    diff::{Chunk, Differ},
    params::{Params, article_id, http_date, parse_time, short, timestamp14},
    problem::Problem,
};

/// Renders the Prometheus text exposition (the binary installs the recorder).
pub type MetricsRender = Arc<dyn Fn() -> String + Send + Sync>;

/// What the handlers share.
#[derive(Clone)]
pub struct ApiState {
    pub store: Store,
    pub metrics: Option<MetricsRender>,
    pub differ: Arc<dyn Differ>,
}

impl ApiState {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            metrics: None,
            differ: Arc::new(diff::WordDiff),
        }
    }
}

type ApiResult = Result<Response, Problem>;

/// Every route of the API and the web pages.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/search", get(search))
        .route("/articles", get(article_by_url))
        .route("/articles/{id}", get(article))
        .route("/articles/{id}/revisions", get(revisions))
        .route("/articles/{id}/revisions/{n}", get(revision))
        .route("/articles/{id}/diff", get(diff_revisions))
        .route("/cdx", get(cdx))
        .route("/timemap/link/{*url}", get(timemap))
        .route("/timegate/{*url}", get(timegate))
        .route("/web/{ts}/{*url}", get(memento))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(|| async { Json(openapi::document()) }))
        .fallback(|| async { Problem::not_found("no such endpoint; see /openapi.json") })
        .route_layer(middleware::from_fn(observe))
        .with_state(state)
}

/// Request count and latency per route pattern (bounded label values: no URLs).
async fn observe(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let start = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("newspipe_api_requests_total", "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("newspipe_api_request_seconds", "route" => route)
        .record(start.elapsed().as_secs_f64());
    res
}

/// The client wants a web page: it lists `text/html` before any JSON type (a browser).
fn wants_html(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match (accept.find("text/html"), accept.find("json")) {
        (Some(h), Some(j)) => h < j,
        (Some(_), None) => true,
        _ => false,
    }
}

fn html_response(status: StatusCode, body: String) -> Response {
    (status, Html(body)).into_response()
}

/// A problem, as a page for a browser and as problem+json otherwise.
fn for_client(html: bool, p: Problem) -> Response {
    if html {
        html_response(p.status, html::error(p.status.as_u16(), &p.detail))
    } else {
        p.into_response()
    }
}

fn search_query(p: &Params) -> Result<SearchQuery, Problem> {
    let q = p
        .string("q")
        .ok_or_else(|| Problem::bad_request("q is empty: give words to search for"))?;
    Ok(SearchQuery {
        q,
        site: p.string("site"),
        section: p.string("section"),
        lang: p.string("lang"),
        author: p.string("author"),
        from: p.time("from", false)?,
        to: p.time("to", false)?,
        limit: p.int("limit", 20, 1, MAX_SEARCH_LIMIT)?,
        cursor: p.string("cursor"),
    })
}

const SEARCH_PARAMS: &[&str] = &[
    "q", "site", "section", "lang", "author", "from", "to", "limit", "cursor",
];

async fn search(State(s): State<ApiState>, RawQuery(raw): RawQuery) -> ApiResult {
    let p = Params::parse(raw.as_deref(), SEARCH_PARAMS)?;
    let query = search_query(&p)?;
    let page = s.store.search_archive(&query).await?;
    let hits: Vec<Value> = page
        .hits
        .iter()
        .map(|h| {
            let mut v = serde_json::to_value(h).unwrap_or(Value::Null);
            if let Some(o) = v.as_object_mut() {
                o.remove("body");
            }
            v
        })
        .collect();
    Ok(Json(json!({ "hits": hits, "next_cursor": page.next_cursor })).into_response())
}

async fn home(State(s): State<ApiState>, RawQuery(raw): RawQuery) -> Response {
    let p = match Params::parse(raw.as_deref(), SEARCH_PARAMS) {
        Ok(p) => p,
        Err(e) => {
            return html_response(
                e.status,
                html::search(&html::Form::default(), None, Some(&e.detail)),
            );
        }
    };
    let form = html::Form {
        q: p.string("q").unwrap_or_default(),
        site: p.string("site").unwrap_or_default(),
        section: p.string("section").unwrap_or_default(),
        lang: p.string("lang").unwrap_or_default(),
        author: p.string("author").unwrap_or_default(),
        from: p.string("from").unwrap_or_default(),
        to: p.string("to").unwrap_or_default(),
    };
    if form.q.trim().is_empty() {
        return html_response(StatusCode::OK, html::search(&form, None, None));
    }
    let result = match search_query(&p) {
        Ok(q) => s.store.search_archive(&q).await.map_err(Problem::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(page) => html_response(StatusCode::OK, html::search(&form, Some(&page), None)),
        Err(e) => html_response(e.status, html::search(&form, None, Some(&e.detail))),
    }
}

async fn load_article(s: &ApiState, id: &str) -> Result<ArticleRecord, Problem> {
    let id = article_id(id)?;
    s.store
        .article(id)
        .await?
        .ok_or_else(|| Problem::not_found(format!("no article {id}")))
}

async fn article(
    State(s): State<ApiState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let html = wants_html(&headers);
    let r: ApiResult = async {
        Params::parse(raw.as_deref(), &[])?;
        let a = load_article(&s, &id).await?;
        if html {
            let revs = s.store.revisions(a.id).await?.unwrap_or_default();
            return Ok(html_response(StatusCode::OK, html::article(&a, &revs)));
        }
        Ok(Json(a).into_response())
    }
    .await;
    r.unwrap_or_else(|p| for_client(html, p))
}

async fn article_by_url(State(s): State<ApiState>, RawQuery(raw): RawQuery) -> ApiResult {
    let p = Params::parse(raw.as_deref(), &["url"])?;
    let url = p
        .get("url")
        .ok_or_else(|| Problem::bad_request("url is required: /articles?url=https://…"))?;
    let a = s.store.article_by_url(url).await?.ok_or_else(|| {
        Problem::not_found(format!("no article was archived from {:?}", short(url)))
    })?;
    Ok(Json(a).into_response())
}

async fn revisions(
    State(s): State<ApiState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    Params::parse(raw.as_deref(), &[])?;
    let id = article_id(&id)?;
    let revs = s
        .store
        .revisions(id)
        .await?
        .ok_or_else(|| Problem::not_found(format!("no article {id}")))?;
    Ok(Json(json!({ "article_id": id, "revisions": revs })).into_response())
}

async fn revision(
    State(s): State<ApiState>,
    Path((id, n)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    Params::parse(raw.as_deref(), &[])?;
    let id = article_id(&id)?;
    let n = n.parse::<i64>().ok().filter(|n| *n >= 1).ok_or_else(|| {
        Problem::bad_request(format!(
            "revision number must be 1 or more, not {:?}",
            short(&n)
        ))
    })?;
    let r = s
        .store
        .revision(id, n)
        .await?
        .ok_or_else(|| Problem::not_found(format!("article {id} has no revision {n}")))?;
    Ok(Json(r).into_response())
}

/// The fields compared between two revisions, as display text.
fn field_changes(
    a: &newspipe_store::Revision,
    b: &newspipe_store::Revision,
) -> Vec<html::FieldChange> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let date = |v: &Option<DateTime<Utc>>| v.map(|d| d.to_rfc3339()).unwrap_or_default();
    let pairs = [
        ("title", opt(&a.title), opt(&b.title)),
        ("authors", a.authors.join(", "), b.authors.join(", ")),
        ("published_at", date(&a.published_at), date(&b.published_at)),
        ("modified_at", date(&a.modified_at), date(&b.modified_at)),
        ("section", opt(&a.section), opt(&b.section)),
        ("description", opt(&a.description), opt(&b.description)),
        ("language", opt(&a.language), opt(&b.language)),
        (
            "lead_image_url",
            opt(&a.lead_image_url),
            opt(&b.lead_image_url),
        ),
        ("tags", a.tags.join(", "), b.tags.join(", ")),
        ("url", a.url.clone(), b.url.clone()),
    ];
    pairs
        .into_iter()
        .filter(|(_, x, y)| x != y)
        .map(|(k, x, y)| (k.to_string(), x, y))
        .collect()
}

async fn diff_revisions(
    State(s): State<ApiState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let html = wants_html(&headers);
    let r: ApiResult = async {
        let p = Params::parse(raw.as_deref(), &["from", "to"])?;
        let a = load_article(&s, &id).await?;
        let revs: Vec<RevisionInfo> = s.store.revisions(a.id).await?.unwrap_or_default();
        let n = revs.len() as i64;
        if n < 2 {
            return Err(Problem::not_found(format!(
                "article {} has only one revision",
                a.id
            )));
        }
        let to = p.int("to", n, 1, n)?;
        let from = p.int("from", (to - 1).max(1), 1, n)?;
        if from == to {
            return Err(Problem::bad_request("from and to name the same revision"));
        }
        let (ra, rb) = match (
            s.store.revision(a.id, from).await?,
            s.store.revision(a.id, to).await?,
        ) {
            (Some(x), Some(y)) => (x, y),
            _ => return Err(Problem::not_found("a revision vanished; retry")),
        };
        let fields = field_changes(&ra, &rb);
        let chunks: Vec<Chunk> = s.differ.diff(&ra.body, &rb.body);
        if html {
            let info = |n: i64| revs[(n - 1) as usize].clone();
            return Ok(html_response(
                StatusCode::OK,
                html::diff(&a, &info(from), &info(to), &fields, &chunks),
            ));
        }
        let fields: Vec<Value> = fields
            .iter()
            .map(|(k, x, y)| json!({ "field": k, "from": x, "to": y }))
            .collect();
        Ok(Json(json!({
            "article_id": a.id,
            "from": revs[(from - 1) as usize],
            "to": revs[(to - 1) as usize],
            "fields": fields,
            "body": chunks,
        }))
        .into_response())
    }
    .await;
    r.unwrap_or_else(|p| for_client(html, p))
}

/// SURT form of a URL for CDX `urlkey`: host labels reversed, `www` dropped, then `)` and path.
fn surt(u: &str) -> String {
    match url::Url::parse(u) {
        Ok(p) => {
            let host = p.host_str().unwrap_or("");
            let host = host.strip_prefix("www.").unwrap_or(host);
            let mut labels: Vec<&str> = host.split('.').collect();
            labels.reverse();
            let mut s = labels.join(",");
            if let Some(port) = p.port() {
                s.push_str(&format!(":{port}"));
            }
            s.push(')');
            s.push_str(p.path());
            if let Some(q) = p.query() {
                s.push('?');
                s.push_str(q);
            }
            s.to_lowercase()
        }
        Err(_) => u.to_lowercase(),
    }
}

const CDX_FIELDS: [&str; 7] = [
    "urlkey",
    "timestamp",
    "original",
    "mimetype",
    "statuscode",
    "digest",
    "length",
];

async fn cdx(State(s): State<ApiState>, RawQuery(raw): RawQuery) -> ApiResult {
    let p = Params::parse(
        raw.as_deref(),
        &[
            "url",
            "matchType",
            "from",
            "to",
            "limit",
            "output",
            "collapse",
        ],
    )?;
    let url = p
        .string("url")
        .ok_or_else(|| Problem::bad_request("url is required"))?;
    let match_type: MatchType = p.get("matchType").unwrap_or("exact").parse()?;
    let json_out = match p.get("output") {
        None => false,
        Some("json") => true,
        Some(o) => {
            return Err(Problem::bad_request(format!(
                "output must be json (or absent for text), not {:?}",
                short(o)
            )));
        }
    };
    let collapse_digest = match p.get("collapse") {
        None => false,
        Some("digest") => true,
        Some(c) => {
            return Err(Problem::bad_request(format!(
                "collapse supports only digest, not {:?}",
                short(c)
            )));
        }
    };
    let q = CdxQuery {
        url,
        match_type,
        from: p.time("from", false)?,
        to: p.time("to", true)?,
        limit: p.int("limit", 1000, 1, MAX_CDX_LIMIT)?,
        collapse_digest,
    };
    let rows = s.store.cdx(&q).await?;
    let cells = |c: &newspipe_store::Capture| -> [String; 7] {
        [
            surt(&c.url),
            timestamp14(c.fetched_at),
            c.url.clone(),
            c.content_type
                .as_deref()
                .map(|t| t.split(';').next().unwrap_or("").trim().to_string())
                .unwrap_or_else(|| "-".into()),
            c.status.to_string(),
            c.digest.clone().unwrap_or_else(|| "-".into()),
            c.length.to_string(),
        ]
    };
    if json_out {
        let mut out: Vec<Vec<String>> = vec![CDX_FIELDS.iter().map(|s| s.to_string()).collect()];
        out.extend(rows.iter().map(|c| cells(c).to_vec()));
        return Ok(Json(out).into_response());
    }
    let mut text = String::new();
    for c in &rows {
        text.push_str(&cells(c).join(" "));
        text.push('\n');
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

/// The archived URL named by the rest of the path (and the query string, which belongs to it).
fn target_url(uri: &Uri, prefix_segments: usize) -> Result<String, Problem> {
    let path = uri.path();
    let mut rest = path;
    for _ in 0..prefix_segments {
        rest = rest
            .trim_start_matches('/')
            .split_once('/')
            .map(|x| x.1)
            .unwrap_or("");
    }
    let mut u = rest.to_string();
    // Some clients collapse `//` in paths.
    for scheme in ["http:/", "https:/"] {
        if u.starts_with(scheme) && !u.starts_with(&format!("{scheme}/")) {
            u.insert(scheme.len(), '/');
        }
    }
    if let Some(q) = uri.query() {
        u.push('?');
        u.push_str(q);
    }
    newspipe_store::parse_url(&u).map_err(Problem::from)
}

fn link_header(original: &str, base: &str) -> String {
    format!(
        "<{original}>; rel=\"original\", <{base}/timemap/link/{original}>; rel=\"timemap\"; type=\"application/link-format\", <{base}/timegate/{original}>; rel=\"timegate\""
    )
}

async fn timemap(State(s): State<ApiState>, uri: Uri) -> ApiResult {
    let url = target_url(&uri, 2)?;
    let caps = s.store.captures(&url, MAX_CDX_LIMIT).await?;
    if caps.is_empty() {
        return Err(Problem::not_found(format!(
            "{} was never archived",
            short(&url)
        )));
    }
    let mut out = format!(
        "<{url}>; rel=\"original\",\n</timemap/link/{url}>; rel=\"self\"; type=\"application/link-format\",\n</timegate/{url}>; rel=\"timegate\""
    );
    let last = caps.len() - 1;
    for (i, c) in caps.iter().enumerate() {
        let rel = match (i == 0, i == last) {
            (true, true) => "first last memento",
            (true, false) => "first memento",
            (false, true) => "last memento",
            _ => "memento",
        };
        out.push_str(&format!(
            ",\n</web/{}/{url}>; rel=\"{rel}\"; datetime=\"{}\"",
            timestamp14(c.fetched_at),
            http_date(c.fetched_at)
        ));
    }
    out.push('\n');
    Ok(([(header::CONTENT_TYPE, "application/link-format")], out).into_response())
}

async fn timegate(State(s): State<ApiState>, uri: Uri, headers: HeaderMap) -> ApiResult {
    let url = target_url(&uri, 1)?;
    let at = match headers.get("accept-datetime") {
        None => Utc::now(),
        Some(v) => {
            let v = v.to_str().unwrap_or("");
            DateTime::parse_from_rfc2822(v)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| {
                    Problem::bad_request(format!(
                        "Accept-Datetime {:?} is not an HTTP date (e.g. Tue, 01 Dec 2026 04:00:00 GMT)",
                        short(v)
                    ))
                })?
        }
    };
    let page = s
        .store
        .raw_page_near(&url, at)
        .await?
        .ok_or_else(|| Problem::not_found(format!("{} was never archived", short(&url))))?;
    let mut r =
        Redirect::to(&format!("/web/{}/{url}", timestamp14(page.fetched_at))).into_response();
    *r.status_mut() = StatusCode::FOUND;
    let h = r.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("accept-datetime"));
    if let Ok(v) = HeaderValue::from_str(&link_header(&url, "")) {
        h.insert(header::LINK, v);
    }
    Ok(r)
}

async fn memento(
    State(s): State<ApiState>,
    Path((ts, _)): Path<(String, String)>,
    uri: Uri,
) -> ApiResult {
    let url = target_url(&uri, 2)?;
    if ts.len() != 14 {
        return Err(Problem::bad_request(format!(
            "the timestamp must have 14 digits (YYYYMMDDhhmmss), not {:?}",
            short(&ts)
        )));
    }
    let at = parse_time("timestamp", &ts, false)?;
    let page = s
        .store
        .raw_page_near(&url, at)
        .await?
        .ok_or_else(|| Problem::not_found(format!("{} was never archived", short(&url))))?;
    let exact = timestamp14(page.fetched_at);
    if exact != ts {
        let mut r = Redirect::to(&format!("/web/{exact}/{url}")).into_response();
        *r.status_mut() = StatusCode::FOUND;
        return Ok(r);
    }
    let ctype = page
        .content_type
        .clone()
        .unwrap_or_else(|| format!("text/html; charset={}", page.charset));
    let mut r = (StatusCode::OK, page.body).into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&ctype) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&http_date(page.fetched_at)) {
        h.insert("memento-datetime", v);
    }
    if let Ok(v) = HeaderValue::from_str(&link_header(&url, "")) {
        h.insert(header::LINK, v);
    }
    // Archived pages are someone else's HTML: sandboxed, so their scripts cannot act as this
    // origin.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
    Ok(r)
}

async fn healthz(State(s): State<ApiState>) -> ApiResult {
    s.store.ping().await?;
    Ok(Json(json!({ "status": "ok" })).into_response())
}

async fn metrics(State(s): State<ApiState>) -> Response {
    let text = s.metrics.as_ref().map(|f| f()).unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surt_keys() {
        assert_eq!(
            surt("https://www.Example.org/a/b?x=1"),
            "org,example)/a/b?x=1"
        );
        assert_eq!(
            surt("http://news.example.org:8080/"),
            "org,example,news:8080)/"
        );
    }

    #[test]
    fn target_urls_keep_their_query() {
        let u: Uri = "/web/20250101000000/https://example.org/a?b=1"
            .parse()
            .unwrap();
        assert_eq!(target_url(&u, 2).unwrap(), "https://example.org/a?b=1");
        let u: Uri = "/timegate/https:/example.org/".parse().unwrap();
        assert_eq!(target_url(&u, 1).unwrap(), "https://example.org/");
        let u: Uri = "/timegate/notaurl".parse().unwrap();
        assert!(target_url(&u, 1).is_err());
    }
}
