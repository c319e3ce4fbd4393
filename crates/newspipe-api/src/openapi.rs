//! The OpenAPI 3.1 document served at `/openapi.json`, written by hand: the API is small and a
//! generator would cost more than it saves.

use serde_json::{Value, json};

fn param(name: &str, location: &str, required: bool, schema: Value, description: &str) -> Value {
    json!({ "name": name, "in": location, "required": required, "schema": schema, "description": description })
}

fn text(name: &str, description: &str) -> Value {
    param(
        name,
        "query",
        false,
        json!({ "type": "string" }),
        description,
    )
}

fn id() -> Value {
    param(
        "id",
        "path",
        true,
        json!({ "type": "integer", "minimum": 1 }),
        "Article id",
    )
}

fn ok(description: &str, media: &str) -> Value {
    json!({
        "200": { "description": description, "content": { media: {} } },
        "400": { "$ref": "#/components/responses/Problem" },
        "404": { "$ref": "#/components/responses/Problem" },
        "503": { "$ref": "#/components/responses/Problem" }
    })
}

pub fn document() -> Value {
    let time = "RFC 3339, YYYY-MM-DD, or a 4–14 digit timestamp (YYYYMMDDhhmmss)";
    let url_path = param(
        "url",
        "path",
        true,
        json!({ "type": "string" }),
        "The archived URL, as is (its query string follows)",
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "newspipe archive API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Read-only access to the news archive: search, articles and their revisions, CDX captures and Memento (RFC 7089). Errors are RFC 9457 problem+json. Unknown query parameters are refused with 400."
        },
        "paths": {
            "/search": { "get": {
                "summary": "Full-text search (web-search syntax), best first, keyset pagination",
                "parameters": [
                    param("q", "query", true, json!({ "type": "string", "maxLength": 1000 }), "words, \"a phrase\", -excluded, or"),
                    text("site", "host name"), text("section", "section"), text("lang", "ISO 639-1 code"),
                    text("author", "an author's full name"), text("from", &format!("published at or after: {time}")),
                    text("to", &format!("published before: {time}")),
                    param("limit", "query", false, json!({ "type": "integer", "minimum": 1, "maximum": 100, "default": 20 }), "hits per page"),
                    text("cursor", "next_cursor of the previous page")
                ],
                "responses": ok("{hits: [...article fields, rank, snippet: [{text, hit}]], next_cursor}", "application/json")
            }},
            "/articles": { "get": {
                "summary": "The article a URL names (canonical URL or any URL that led to it)",
                "parameters": [param("url", "query", true, json!({ "type": "string" }), "a web URL")],
                "responses": ok("the article with its current body", "application/json")
            }},
            "/articles/{id}": { "get": {
                "summary": "One article (JSON, or a web page when Accept prefers text/html)",
                "parameters": [id()],
                "responses": ok("the article with its current body", "application/json")
            }},
            "/articles/{id}/revisions": { "get": {
                "summary": "Revisions, oldest first, numbered from 1",
                "parameters": [id()],
                "responses": ok("{article_id, revisions: [{number, fetched_at, title, content_hash, word_count, minor, reparse}]}", "application/json")
            }},
            "/articles/{id}/revisions/{n}": { "get": {
                "summary": "One revision with its body",
                "parameters": [id(), param("n", "path", true, json!({ "type": "integer", "minimum": 1 }), "revision number")],
                "responses": ok("the revision", "application/json")
            }},
            "/articles/{id}/diff": { "get": {
                "summary": "Field changes and word-level body diff between two revisions (a web page when Accept prefers text/html)",
                "parameters": [id(),
                    param("from", "query", false, json!({ "type": "integer", "minimum": 1 }), "revision number (default: to − 1)"),
                    param("to", "query", false, json!({ "type": "integer", "minimum": 1 }), "revision number (default: the latest)")],
                "responses": ok("{from, to, fields: [{field, from, to}], body: [{op: equal|insert|delete, text}]}", "application/json")
            }},
            "/cdx": { "get": {
                "summary": "CDX captures (Wayback conventions); digest is the article's content hash",
                "parameters": [
                    param("url", "query", true, json!({ "type": "string" }), "URL, URL prefix, host or domain"),
                    param("matchType", "query", false, json!({ "enum": ["exact", "prefix", "host", "domain"], "default": "exact" }), "how url matches"),
                    text("from", time), text("to", time),
                    param("limit", "query", false, json!({ "type": "integer", "minimum": 1, "maximum": 10000, "default": 1000 }), "rows"),
                    param("output", "query", false, json!({ "enum": ["json"] }), "json: an array of rows, the first naming the fields; absent: space-separated text"),
                    param("collapse", "query", false, json!({ "enum": ["digest"] }), "drop captures whose digest equals the previous one's")
                ],
                "responses": ok("urlkey timestamp original mimetype statuscode digest length", "application/json")
            }},
            "/timemap/link/{url}": { "get": {
                "summary": "Memento TimeMap (RFC 7089)", "parameters": [url_path.clone()],
                "responses": ok("link-format list of mementos", "application/link-format")
            }},
            "/timegate/{url}": { "get": {
                "summary": "Memento TimeGate: 302 to the capture nearest Accept-Datetime (default now)",
                "parameters": [url_path.clone(), param("Accept-Datetime", "header", false, json!({ "type": "string" }), "an HTTP date")],
                "responses": { "302": { "description": "Location: /web/{timestamp}/{url}; Vary: accept-datetime" },
                               "400": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" } }
            }},
            "/web/{timestamp}/{url}": { "get": {
                "summary": "The stored raw page (Memento-Datetime); 302 to the nearest capture's own timestamp",
                "parameters": [param("timestamp", "path", true, json!({ "type": "string", "pattern": "^[0-9]{14}$" }), "YYYYMMDDhhmmss"), url_path],
                "responses": ok("the page as fetched", "text/html")
            }},
            "/healthz": { "get": { "summary": "200 when the database answers, else 503", "responses": ok("{status: ok}", "application/json") } },
            "/metrics": { "get": { "summary": "Prometheus metrics", "responses": { "200": { "description": "text exposition" } } } },
            "/": { "get": { "summary": "Search page (HTML)", "responses": { "200": { "description": "HTML" } } } }
        },
        "components": {
            "responses": {
                "Problem": {
                    "description": "RFC 9457 problem details",
                    "content": { "application/problem+json": { "schema": {
                        "type": "object",
                        "properties": { "type": { "type": "string" }, "title": { "type": "string" },
                                        "status": { "type": "integer" }, "detail": { "type": "string" } }
                    }}}
                }
            }
        }
    })
}
