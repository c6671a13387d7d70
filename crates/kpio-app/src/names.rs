//! App names as people read and type them: which names are acceptable, and when two names
//! are "the same".
//!
//! # Same name
//!
//! Two names are the same when their [`fold`]s are equal. `fold` is in the style of
//! Unicode's `NFKC_Casefold` (UAX #15, UAX #44): NFKC, then full case folding
//! (CaseFolding.txt, statuses C + F), then NFKC again. So `É` and `é`, NFC `é` (U+00E9)
//! and NFD `é` (`e` U+0301), `k` and the Kelvin sign U+212A, `ß` and `SS`, and fullwidth
//! `Ａ` and `a` are all the same name. Unlike `NFKC_Casefold`, default-ignorable
//! characters are not dropped: names holding format characters are refused outright
//! ([`check_display_name`]).
//!
//! # Acceptable names
//!
//! A display name (or an app id) is refused with a [`NameError`] that names the field,
//! the offending character as `U+XXXX` and its 1-based position, when it
//!
//! - is empty;
//! - starts or ends with whitespace;
//! - holds a control character (`Cc`), a format character (`Cf`: the bidirectional
//!   overrides and isolates U+202A–U+202E and U+2066–U+2069, zero-width characters
//!   U+200B–U+200F, U+FEFF, …) or a line or paragraph separator (`Zl`, `Zp`), any of
//!   which can make `kpio list` show something other than what is stored;
//! - (a display name only) reads as a number once folded (`"1"`, `"０７"`), because a
//!   number typed after `kpio run` always means the numeric app id.
//!
//! The crates behind this: `unicode-normalization` (NFKC), `unicase` (full case folding
//! to a string, so a folded name can be kept and compared as a key) and
//! `unicode-properties` (general categories). All three are `no_std`.

use alloc::string::String;
use core::fmt;

use unicase::UniCase;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// The comparison key of a name: NFKC, full case fold, NFKC (see the module docs).
pub fn fold(name: &str) -> String {
    let nfkc: String = name.nfkc().collect();
    UniCase::unicode(nfkc.as_str())
        .to_folded_case()
        .nfkc()
        .collect()
}

/// Whether `a` and `b` are the same name ([`fold`]s equal).
pub fn same_name(a: &str, b: &str) -> bool {
    a == b || fold(a) == fold(b)
}

/// Whether `key` is what a person types for a numeric app id: ASCII digits only (`"1"`,
/// `"007"`). Lookups treat such a key as an id and nothing else.
pub fn is_numeric_key(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit())
}

/// What is wrong with a name; see the module docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameProblem {
    Empty,
    /// Whitespace at the start or end (`position` is 1-based, in characters).
    EdgeWhitespace {
        ch: char,
        position: usize,
    },
    /// A character that is displayed as something other than itself, or not at all.
    Hidden {
        ch: char,
        position: usize,
        kind: &'static str,
    },
    /// The name reads as a number (after folding), so it would be taken for an app id.
    Numeric,
}

/// A refused name: `field` (`"name"`, `"app_id"`), the `value` and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameError {
    pub field: &'static str,
    pub value: String,
    pub problem: NameProblem,
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (field, value) = (self.field, &self.value);
        match &self.problem {
            NameProblem::Empty => write!(f, "{field} is empty"),
            NameProblem::EdgeWhitespace { ch, position } => write!(
                f,
                "{field} {value:?} has whitespace U+{:04X} at {} (position {position})",
                u32::from(*ch),
                if *position == 1 {
                    "the start"
                } else {
                    "the end"
                }
            ),
            NameProblem::Hidden { ch, position, kind } => write!(
                f,
                "{field} {value:?} contains {kind} U+{:04X} at position {position}",
                u32::from(*ch)
            ),
            NameProblem::Numeric => write!(
                f,
                "{field} {value:?} reads as a number, which would be taken for a numeric app id"
            ),
        }
    }
}

impl core::error::Error for NameError {}

/// What kind of invisible or misleading character `c` is, if it is one.
fn hidden_kind(c: char) -> Option<&'static str> {
    if matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
        return Some("the bidirectional control");
    }
    match c.general_category() {
        GeneralCategory::Control => Some("the control character"),
        GeneralCategory::Format => Some("the format character"),
        GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator => {
            Some("the line separator")
        }
        _ => None,
    }
}

/// The first character of `value` that displays as something other than itself (control,
/// format, bidi control, line separator): its 1-based position, the character and what kind
/// it is.
pub fn find_hidden(value: &str) -> Option<(usize, char, &'static str)> {
    value
        .chars()
        .enumerate()
        .find_map(|(i, c)| hidden_kind(c).map(|kind| (i + 1, c, kind)))
}

/// Checks the characters of a name (`field` names it in the error): not empty, no
/// whitespace at either end, no control, format or separator characters.
pub fn check_text(field: &'static str, value: &str) -> Result<(), NameError> {
    let err = |problem| {
        Err(NameError {
            field,
            value: value.into(),
            problem,
        })
    };
    let count = value.chars().count();
    for (i, c) in value.chars().enumerate() {
        if let Some(kind) = hidden_kind(c) {
            return err(NameProblem::Hidden {
                ch: c,
                position: i + 1,
                kind,
            });
        }
        if c.is_whitespace() && (i == 0 || i + 1 == count) {
            return err(NameProblem::EdgeWhitespace {
                ch: c,
                position: i + 1,
            });
        }
    }
    if value.is_empty() {
        return err(NameProblem::Empty);
    }
    Ok(())
}

/// Checks a display name: [`check_text`], and it must not read as a number once folded.
pub fn check_display_name(value: &str) -> Result<(), NameError> {
    check_text("name", value)?;
    if is_numeric_key(&fold(value)) {
        return Err(NameError {
            field: "name",
            value: value.into(),
            problem: NameProblem::Numeric,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alikes_fold_together() {
        assert!(same_name("É", "é"));
        assert!(same_name("\u{e9}", "e\u{301}"), "NFC and NFD");
        assert!(same_name("k", "\u{212a}"), "Kelvin sign");
        assert!(same_name("Straße", "STRASSE"), "full folding");
        assert!(same_name("Ｎotes", "notes"), "fullwidth");
        assert!(!same_name("Notes", "Note"));
        assert!(!same_name("é", "e"));
    }

    #[test]
    fn hidden_characters_are_named_with_their_position() {
        let e = check_display_name("ab\u{202e}cd").unwrap_err();
        assert_eq!(
            e.problem,
            NameProblem::Hidden {
                ch: '\u{202e}',
                position: 3,
                kind: "the bidirectional control"
            }
        );
        let text = alloc::format!("{e}");
        assert!(
            text.contains("U+202E") && text.contains("position 3"),
            "{text}"
        );
        for c in [
            '\u{200b}', '\u{200f}', '\u{2066}', '\u{feff}', '\u{7}', '\u{2028}',
        ] {
            let name = alloc::format!("a{c}b");
            assert!(check_display_name(&name).is_err(), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn edge_whitespace_empty_and_numbers_are_refused() {
        assert!(matches!(
            check_display_name(" Notes").unwrap_err().problem,
            NameProblem::EdgeWhitespace {
                ch: ' ',
                position: 1
            }
        ));
        assert!(matches!(
            check_display_name("Notes\u{3000}").unwrap_err().problem,
            NameProblem::EdgeWhitespace { position: 6, .. }
        ));
        assert_eq!(
            check_display_name("").unwrap_err().problem,
            NameProblem::Empty
        );
        for n in ["1", "007", "\u{ff11}"] {
            assert_eq!(
                check_display_name(n).unwrap_err().problem,
                NameProblem::Numeric
            );
        }
        check_display_name("My Notes 2").unwrap();
        check_display_name("Café 1.0").unwrap();
    }
}
