//! The "cache-only" fallback: for an app whose service worker cannot run (its script
//! fails, a limit stops it, or it is not registered yet), a JSON list of URL patterns
//! and caching strategies that the platform applies to the app's fetches instead, over
//! the app's Cache Storage.
//!
//! ```json
//! [
//!   { "pattern": "/static/*", "strategy": "cache-first", "cache": "static-v1" },
//!   { "pattern": "/api/*", "strategy": "network-first", "cache": "api" },
//!   { "pattern": "https://fonts.example.com/*", "strategy": "stale-while-revalidate", "cache": "fonts" }
//! ]
//! ```
//!
//! A pattern is a URL (absolute, or a path on the app's origin) where `*` matches any run
//! of characters; the first rule that matches a request's URL (without its fragment)
//! decides. Strategies, for GET requests (others go to the network):
//! - `cache-only`: the cached response, or a network error;
//! - `cache-first`: the cached response, else the network (a successful response is
//!   cached);
//! - `network-first`: the network (caching a successful response), else the cached one;
//! - `stale-while-revalidate`: the cached response at once, refreshed from the network
//!   behind it; the network when nothing is cached;
//! - `network-only`: the network.

use serde::Deserialize;

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FallbackRule {
    pub pattern: String,
    pub strategy: Strategy,
    /// The Cache Storage cache the rule uses (`kpio-fallback` when not given).
    #[serde(default = "default_cache")]
    pub cache: String,
}

fn default_cache() -> String {
    "kpio-fallback".into()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    CacheOnly,
    CacheFirst,
    NetworkFirst,
    StaleWhileRevalidate,
    NetworkOnly,
}

impl Strategy {
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::CacheOnly => "cache-only",
            Strategy::CacheFirst => "cache-first",
            Strategy::NetworkFirst => "network-first",
            Strategy::StaleWhileRevalidate => "stale-while-revalidate",
            Strategy::NetworkOnly => "network-only",
        }
    }
}

/// Why a rule list was refused.
#[derive(Debug, thiserror::Error)]
pub enum FallbackError {
    #[error("the offline fallback rules are not a JSON list of rules: {0}")]
    Json(#[from] serde_json::Error),
    #[error(
        "offline fallback rule {index}: the pattern {pattern:?} is neither a URL nor a path starting with /"
    )]
    Pattern { index: usize, pattern: String },
}

/// An app's rules, their patterns made absolute on its origin.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfflineFallback {
    rules: Vec<FallbackRule>,
}

impl OfflineFallback {
    /// Parses the JSON list; path patterns are made absolute on `origin`.
    pub fn parse(json: &str, origin: &str) -> Result<OfflineFallback, FallbackError> {
        let mut rules: Vec<FallbackRule> = serde_json::from_str(json)?;
        for (index, r) in rules.iter_mut().enumerate() {
            if r.pattern.starts_with('/') {
                r.pattern = format!("{}{}", origin.trim_end_matches('/'), r.pattern);
            } else if !(r.pattern.starts_with("http://") || r.pattern.starts_with("https://")) {
                return Err(FallbackError::Pattern {
                    index,
                    pattern: r.pattern.clone(),
                });
            }
        }
        Ok(OfflineFallback { rules })
    }

    pub fn rules(&self) -> &[FallbackRule] {
        &self.rules
    }

    /// The first rule matching `url` (its fragment ignored).
    pub fn rule_for(&self, url: &str) -> Option<&FallbackRule> {
        let url = url.split('#').next().unwrap_or(url);
        self.rules.iter().find(|r| glob(&r.pattern, url))
    }
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_by_glob_on_the_apps_origin() {
        let f = OfflineFallback::parse(
            r#"[{"pattern": "/static/*", "strategy": "cache-first", "cache": "s"},
                {"pattern": "https://cdn.test/*.css", "strategy": "stale-while-revalidate"},
                {"pattern": "/*", "strategy": "network-first"}]"#,
            "https://app.test",
        )
        .unwrap();
        assert_eq!(
            f.rule_for("https://app.test/static/a.js").unwrap().cache,
            "s"
        );
        let css = f.rule_for("https://cdn.test/x/y.css#top").unwrap();
        assert_eq!(css.strategy, Strategy::StaleWhileRevalidate);
        assert_eq!(css.cache, "kpio-fallback");
        assert_eq!(
            f.rule_for("https://app.test/api").unwrap().strategy,
            Strategy::NetworkFirst
        );
        assert!(f.rule_for("https://cdn.test/x.js").is_none());
        assert!(f.rule_for("https://other.test/").is_none());
    }

    #[test]
    fn bad_lists_are_refused_with_where() {
        let e = OfflineFallback::parse(
            r#"[{"pattern": "static/*", "strategy": "cache-first"}]"#,
            "https://a.test",
        )
        .unwrap_err();
        assert!(e.to_string().contains("rule 0"), "{e}");
        assert!(
            OfflineFallback::parse(
                r#"[{"pattern": "/", "strategy": "fastest"}]"#,
                "https://a.test"
            )
            .is_err()
        );
        assert!(OfflineFallback::parse(r#"{"pattern": "/"}"#, "https://a.test").is_err());
    }

    #[test]
    fn globs() {
        assert!(glob("a*c", "abc"));
        assert!(glob("a*c", "ac"));
        assert!(!glob("a*c", "ab"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "a-b-c"));
        assert!(!glob("a*b*c", "a-c-b"));
        assert!(glob("exact", "exact"));
        assert!(!glob("ab*ba", "aba"));
    }
}
