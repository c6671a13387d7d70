//! The Service Workers spec's "Request Matches Cached Item": whether a query request
//! selects a cached request/response pair, given `ignoreSearch`, `ignoreMethod`,
//! `ignoreVary` and the cached response's `Vary` header.

use super::record::{HeaderList, RequestRecord, ResponseRecord};

/// `CacheQueryOptions`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct QueryOptions {
    pub(crate) ignore_search: bool,
    pub(crate) ignore_method: bool,
    pub(crate) ignore_vary: bool,
}

/// What a query compares: the query request's URL (serialized), method and headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Query {
    pub(crate) url: String,
    pub(crate) method: String,
    pub(crate) headers: HeaderList,
}

impl Query {
    /// A query made of a cached request (for put's replacement and a batch's duplicate
    /// check).
    pub(crate) fn of(request: &RequestRecord) -> Query {
        Query {
            url: request.url.clone(),
            method: request.method.clone(),
            headers: request.headers.clone(),
        }
    }
}

/// "Request Matches Cached Item" with `requestQuery` = `query`, `request` = `cached`,
/// `response` = `response`.
pub(crate) fn matches(
    query: &Query,
    cached: &RequestRecord,
    response: Option<&ResponseRecord>,
    options: QueryOptions,
) -> bool {
    if !options.ignore_method && cached.method != "GET" {
        return false;
    }
    if url_key(&query.url, options.ignore_search) != url_key(&cached.url, options.ignore_search) {
        return false;
    }
    let Some(response) = response else {
        return true;
    };
    if options.ignore_vary {
        return true;
    }
    let Some(vary) = combined(&response.headers, "vary") else {
        return true;
    };
    split_list(&vary).iter().all(|field| {
        *field != "*" && combined(&cached.headers, field) == combined(&query.headers, field)
    })
}

/// A URL as compared: without its fragment ("exclude fragments"), and with an empty
/// query for `ignoreSearch` (so `/x?a` and `/x` are equal, both being `/x?`).
fn url_key(url: &str, ignore_search: bool) -> &str {
    let url = url.split_once('#').map_or(url, |(u, _)| u);
    if ignore_search {
        url.split_once('?').map_or(url, |(u, _)| u)
    } else {
        url
    }
}

/// The Fetch Standard's "get" of a header list: the values of every header named `name`
/// (ASCII case-insensitively), joined with ", "; `None` when there is none.
fn combined(headers: &HeaderList, name: &str) -> Option<String> {
    let mut out: Option<String> = None;
    for (n, v) in headers {
        if n.eq_ignore_ascii_case(name) {
            match &mut out {
                Some(s) => {
                    s.push_str(", ");
                    s.push_str(v);
                }
                None => out = Some(v.clone()),
            }
        }
    }
    out
}

/// The Fetch Standard's "split" of a header value: comma-separated items, commas inside
/// double-quoted strings kept, each item without surrounding spaces and tabs.
fn split_list(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in value.char_indices() {
        if quoted {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                quoted = false;
            }
        } else if c == '"' {
            quoted = true;
        } else if c == ',' {
            out.push(value[start..i].trim_matches([' ', '\t']));
            start = i + 1;
        }
    }
    out.push(value[start..].trim_matches([' ', '\t']));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(url: &str, headers: &[(&str, &str)]) -> RequestRecord {
        RequestRecord {
            url: url.into(),
            method: "GET".into(),
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).into(), (*v).into()))
                .collect(),
            extra: String::new(),
        }
    }

    fn response(headers: &[(&str, &str)]) -> ResponseRecord {
        ResponseRecord {
            kind: "default".into(),
            status: 200,
            status_text: String::new(),
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).into(), (*v).into()))
                .collect(),
            url_list: vec![],
            has_body: false,
        }
    }

    fn query(url: &str, headers: &[(&str, &str)]) -> Query {
        Query::of(&request(url, headers))
    }

    #[test]
    fn urls_match_without_fragments_and_queries_only_with_ignore_search() {
        let cached = request("https://a/x?q=1#f", &[]);
        let o = QueryOptions::default();
        assert!(matches(&query("https://a/x?q=1", &[]), &cached, None, o));
        assert!(!matches(&query("https://a/x", &[]), &cached, None, o));
        assert!(!matches(&query("https://a/x?", &[]), &cached, None, o));
        let ignore = QueryOptions {
            ignore_search: true,
            ..o
        };
        assert!(matches(&query("https://a/x#g", &[]), &cached, None, ignore));
        assert!(matches(&query("https://a/x?", &[]), &cached, None, ignore));
        assert!(!matches(
            &query("https://a/y?q=1", &[]),
            &cached,
            None,
            ignore
        ));
    }

    #[test]
    fn vary_compares_the_named_request_headers_case_insensitively() {
        let cached = request("https://a/", &[("Accept", "a"), ("x-y", "1")]);
        let resp = response(&[("Vary", "accept, X-Y")]);
        let o = QueryOptions::default();
        assert!(matches(
            &query("https://a/", &[("accept", "a"), ("X-Y", "1")]),
            &cached,
            Some(&resp),
            o
        ));
        assert!(!matches(
            &query("https://a/", &[("accept", "b"), ("X-Y", "1")]),
            &cached,
            Some(&resp),
            o
        ));
        // An absent header matches only an absent header.
        assert!(!matches(
            &query("https://a/", &[("accept", "a")]),
            &cached,
            Some(&resp),
            o
        ));
        let ignore = QueryOptions {
            ignore_vary: true,
            ..o
        };
        assert!(matches(
            &query("https://a/", &[]),
            &cached,
            Some(&resp),
            ignore
        ));
    }

    #[test]
    fn vary_star_never_matches_and_multiple_vary_headers_combine() {
        let cached = request("https://a/", &[]);
        let o = QueryOptions::default();
        assert!(!matches(
            &query("https://a/", &[]),
            &cached,
            Some(&response(&[("Vary", "*")])),
            o
        ));
        let two = response(&[("Vary", "a"), ("vary", "b")]);
        assert!(!matches(
            &query("https://a/", &[("b", "1")]),
            &cached,
            Some(&two),
            o
        ));
        assert!(!matches(
            &query("https://a/", &[]),
            &cached,
            Some(&response(&[("Vary", "a"), ("VARY", " * ")])),
            o
        ));
    }

    #[test]
    fn split_keeps_quoted_commas() {
        assert_eq!(split_list(" a ,\"b,c\",, d"), vec!["a", "\"b,c\"", "", "d"]);
    }
}
