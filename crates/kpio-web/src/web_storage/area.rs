//! One storage area's items (a `localStorage` or `sessionStorage`), with the quota
//! counted as browsers count it: UTF-16 code units of keys and values.
//!
//! Keys and values are kept as their JSON string literals (`JSON.stringify` of the
//! JavaScript string), so strings with lone surrogates, which are valid DOMStrings but
//! not valid UTF-8, round-trip exactly. Two strings are equal exactly when their
//! literals are.

use std::collections::HashMap;

/// The default quota of one area: 5 Mi UTF-16 code units of keys plus values, the
/// "5 MiB" of the issue and of Chromium and Firefox, counted as they count it.
pub const DEFAULT_QUOTA_UNITS: usize = 5 << 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaExceeded {
    pub needed: usize,
    pub quota: usize,
}

/// The items of an area in the order they were first set (the order `key(n)` gives).
#[derive(Debug, Clone, Default)]
pub struct StorageArea {
    items: Vec<(String, String)>,
    index: HashMap<String, usize>,
    used: usize,
    quota: usize,
}

impl StorageArea {
    pub fn new(quota_units: usize) -> StorageArea {
        StorageArea {
            quota: quota_units,
            ..StorageArea::default()
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Code units used by keys and values.
    pub fn used(&self) -> usize {
        self.used
    }

    pub fn quota(&self) -> usize {
        self.quota
    }

    /// Changes the quota; items already stored stay even where they exceed it.
    pub fn set_quota(&mut self, quota_units: usize) {
        self.quota = quota_units;
    }

    pub fn key(&self, n: usize) -> Option<&str> {
        self.items.get(n).map(|(k, _)| k.as_str())
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.index.get(key).map(|&i| self.items[i].1.as_str())
    }

    /// The code units used once `key` is set to `value`, or `QuotaExceeded`.
    pub fn check_set(&self, key: &str, value: &str) -> Result<usize, QuotaExceeded> {
        let needed = match self.index.get(key) {
            Some(&i) => self.used - units(&self.items[i].1) + units(value),
            None => self.used + units(key) + units(value),
        };
        if needed > self.quota {
            return Err(QuotaExceeded {
                needed,
                quota: self.quota,
            });
        }
        Ok(needed)
    }

    /// Sets `key` to `value`: the old value, or `QuotaExceeded` (nothing changed).
    pub fn set(&mut self, key: &str, value: &str) -> Result<Option<String>, QuotaExceeded> {
        self.used = self.check_set(key, value)?;
        match self.index.get(key) {
            Some(&i) => Ok(Some(core::mem::replace(
                &mut self.items[i].1,
                value.to_owned(),
            ))),
            None => {
                self.index.insert(key.to_owned(), self.items.len());
                self.items.push((key.to_owned(), value.to_owned()));
                Ok(None)
            }
        }
    }

    /// Removes `key`: its old value, if it was there.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let i = self.index.remove(key)?;
        let (k, v) = self.items.remove(i);
        for (_, slot) in self.index.iter_mut() {
            if *slot > i {
                *slot -= 1;
            }
        }
        self.used -= units(&k) + units(&v);
        Some(v)
    }

    /// Removes every item; whether there were any.
    pub fn clear(&mut self) -> bool {
        let had = !self.items.is_empty();
        self.items.clear();
        self.index.clear();
        self.used = 0;
        had
    }

    pub fn items(&self) -> impl Iterator<Item = (&str, &str)> {
        self.items.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// UTF-16 code units of the string a JSON string literal stands for.
pub fn units(literal: &str) -> usize {
    let inner = literal
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(literal);
    let mut n = 0;
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            // `\uXXXX` is one code unit (JSON escapes lone surrogates this way); the
            // other escapes stand for one ASCII character.
            if chars.next() == Some('u') {
                chars.nth(3);
            }
            n += 1;
        } else {
            n += c.len_utf16();
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_count_utf16_code_units_of_the_literal_s_string() {
        assert_eq!(units(r#""""#), 0);
        assert_eq!(units(r#""abc""#), 3);
        assert_eq!(units(r#""a\"b\\c\n""#), 6);
        assert_eq!(units("\"é😀\""), 3);
        assert_eq!(units(r#""\ud800x""#), 2);
    }

    #[test]
    fn the_quota_counts_keys_and_values_and_refuses_without_changing_anything() {
        let mut a = StorageArea::new(10);
        assert_eq!(a.set(r#""ab""#, r#""cdef""#), Ok(None));
        assert_eq!(a.used(), 6);
        assert_eq!(
            a.set(r#""x""#, r#""12345""#),
            Err(QuotaExceeded {
                needed: 12,
                quota: 10
            })
        );
        assert_eq!(a.len(), 1);
        // Replacing a value counts the new value instead of the old one.
        assert_eq!(
            a.set(r#""ab""#, r#""12345678""#),
            Ok(Some(r#""cdef""#.into()))
        );
        assert_eq!(a.used(), 10);
        assert_eq!(a.remove(r#""ab""#), Some(r#""12345678""#.into()));
        assert_eq!(a.used(), 0);
    }

    #[test]
    fn keys_keep_the_order_they_were_first_set_in() {
        let mut a = StorageArea::new(100);
        for k in ["\"b\"", "\"a\"", "\"c\""] {
            a.set(k, "\"1\"").unwrap();
        }
        a.set("\"a\"", "\"2\"").unwrap();
        a.remove("\"b\"");
        assert_eq!(a.key(0), Some("\"a\""));
        assert_eq!(a.key(1), Some("\"c\""));
        assert_eq!(a.get("\"c\""), Some("\"1\""));
        assert!(a.clear());
        assert!(!a.clear());
    }
}
