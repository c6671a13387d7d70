//! Typed paths: untrusted path strings are parsed here, once, into [`VPath`] and [`Name`].
//!
//! A [`Name`] is one directory-entry name: never empty, never `.` or `..`, no `/`, no NUL, at
//! most [`MAX_NAME_LEN`] bytes. A [`VPath`] is a *relative* path: a list of [`Component`]s,
//! each a `Name` or a `..`. Empty components and `.` disappear while parsing.
//!
//! `..` is deliberately *not* cancelled lexically (`a/../b` is not rewritten to `b`): after a
//! symlink, `..` must mean the parent of the link's *target*, as in POSIX, so `..` is applied
//! by the resolver to the chain of directories it actually walked, and climbing above the
//! directory the resolution started in is an [`Escape`](VfsError::Escape) error, never
//! clamped. Absolute paths are refused here with `Escape` for the same reason: a guest's
//! paths are always relative to a directory handle it was given.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use core::ops::Deref;

use crate::error::{PathErrorReason, VfsError, VfsResult};

/// Longest file name, in bytes (as Linux's `NAME_MAX`).
pub const MAX_NAME_LEN: usize = 255;
/// Longest path string accepted, in bytes (as Linux's `PATH_MAX`); also the longest symlink
/// target.
pub const MAX_PATH_LEN: usize = 4096;

/// One validated directory-entry name.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(String);

impl Name {
    /// Parses one name. Errors name the offending text.
    pub fn new(s: &str) -> VfsResult<Name> {
        let bad = |reason| {
            Err(VfsError::InvalidPath {
                path: s.to_string(),
                reason,
            })
        };
        if s.is_empty() {
            return bad(PathErrorReason::Empty);
        }
        if s.contains('\0') {
            return bad(PathErrorReason::NulByte);
        }
        if s.contains('/') {
            return bad(PathErrorReason::ContainsSlash);
        }
        if s == "." || s == ".." {
            return bad(PathErrorReason::DotName);
        }
        if s.len() > MAX_NAME_LEN {
            return Err(VfsError::NameTooLong {
                path: s.to_string(),
            });
        }
        Ok(Name(s.to_string()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One step of a [`VPath`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Component {
    /// Descend into (or name) this entry.
    Name(Name),
    /// Go to the parent of the directory reached so far.
    Parent,
}

/// A parsed relative path. See the module docs for the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VPath {
    components: Vec<Component>,
    trailing_slash: bool,
}

impl VPath {
    /// Parses an untrusted path string.
    ///
    /// Errors: empty → `InvalidPath(Empty)`; NUL → `InvalidPath(NulByte)`; starts with `/` →
    /// `Escape`; longer than [`MAX_PATH_LEN`] or a component longer than [`MAX_NAME_LEN`] →
    /// `NameTooLong`.
    pub fn parse(s: &str) -> VfsResult<VPath> {
        if s.is_empty() {
            return Err(VfsError::InvalidPath {
                path: String::new(),
                reason: PathErrorReason::Empty,
            });
        }
        if s.contains('\0') {
            return Err(VfsError::InvalidPath {
                path: s.to_string(),
                reason: PathErrorReason::NulByte,
            });
        }
        if s.len() > MAX_PATH_LEN {
            return Err(VfsError::NameTooLong {
                path: s.to_string(),
            });
        }
        if s.starts_with('/') {
            return Err(VfsError::Escape {
                path: s.to_string(),
            });
        }
        let mut components = Vec::new();
        for part in s.split('/') {
            match part {
                "" | "." => {}
                ".." => components.push(Component::Parent),
                name => components.push(Component::Name(Name::new(name).map_err(|e| {
                    // Report the whole path, not just the component.
                    e.with_path(s)
                })?)),
            }
        }
        // `a/`, `a/.` and `a/./` all say "a must be a directory".
        let last = s.rsplit('/').next().unwrap_or("");
        let trailing_slash = s.contains('/') && (last.is_empty() || last == ".");
        Ok(VPath {
            components,
            trailing_slash,
        })
    }

    /// The components, in order.
    pub fn components(&self) -> &[Component] {
        &self.components
    }

    /// Whether the path ended in `/` (or `/.`), which requires the final entry to be a
    /// directory (and makes a final symlink be followed).
    pub fn has_trailing_slash(&self) -> bool {
        self.trailing_slash
    }

    /// Whether the path names the start directory itself (`.`, `./`, `a/..`, ...), judged
    /// lexically.
    pub fn is_empty(&self) -> bool {
        self.components.is_empty()
    }

    /// Whether the `..`s ever outnumber the names before them (`..`, `a/../..`), so the
    /// path climbs above its start directory on its face. The resolver refuses such paths
    /// up front with `Escape`, even where a symlink would have led back inside: predictable
    /// and cheap, and no entry outside is ever looked at.
    pub fn escapes_lexically(&self) -> bool {
        let mut depth = 0usize;
        for c in &self.components {
            match c {
                Component::Name(_) => depth += 1,
                Component::Parent if depth == 0 => return true,
                Component::Parent => depth -= 1,
            }
        }
        false
    }

    /// Whether no component is `..`.
    pub fn is_clean(&self) -> bool {
        self.components
            .iter()
            .all(|c| matches!(c, Component::Name(_)))
    }

    /// The names of a clean path (no `..`), for mount points and backend subdirectories.
    pub(crate) fn clean_names(&self, original: &str) -> VfsResult<Vec<Name>> {
        self.components
            .iter()
            .map(|c| match c {
                Component::Name(n) => Ok(n.clone()),
                Component::Parent => Err(VfsError::Escape {
                    path: original.to_string(),
                }),
            })
            .collect()
    }
}

impl fmt::Display for VPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.components.is_empty() {
            return f.write_str(".");
        }
        for (i, c) in self.components.iter().enumerate() {
            if i > 0 {
                f.write_str("/")?;
            }
            match c {
                Component::Name(n) => f.write_str(n)?,
                Component::Parent => f.write_str("..")?,
            }
        }
        if self.trailing_slash {
            f.write_str("/")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn names(p: &VPath) -> Vec<String> {
        p.components()
            .iter()
            .map(|c| match c {
                Component::Name(n) => n.to_string(),
                Component::Parent => "..".to_string(),
            })
            .collect()
    }

    #[test]
    fn parses_and_normalizes_dots_and_slashes() {
        let p = VPath::parse("a//./b/../c").unwrap();
        assert_eq!(names(&p), vec!["a", "b", "..", "c"]);
        assert!(!p.has_trailing_slash());
        assert!(!p.is_clean());
        assert_eq!(p.to_string(), "a/b/../c");
        assert!(VPath::parse(".").unwrap().is_empty());
        assert!(VPath::parse("./").unwrap().is_empty());
    }

    #[test]
    fn lexical_escapes_are_detected() {
        for p in ["..", "../x", "a/../..", "a/b/../../../c", "./.."] {
            assert!(VPath::parse(p).unwrap().escapes_lexically(), "{p}");
        }
        for p in ["a/..", "a/b/../../c", "a/../b/..", "."] {
            assert!(!VPath::parse(p).unwrap().escapes_lexically(), "{p}");
        }
    }

    #[test]
    fn trailing_slash_is_recorded() {
        assert!(VPath::parse("a/").unwrap().has_trailing_slash());
        assert!(VPath::parse("a/.").unwrap().has_trailing_slash());
        assert!(!VPath::parse("a").unwrap().has_trailing_slash());
        assert!(!VPath::parse("a/..").unwrap().has_trailing_slash());
    }

    #[test]
    fn rejects_bad_paths_with_typed_errors() {
        assert!(matches!(
            VPath::parse(""),
            Err(VfsError::InvalidPath {
                reason: PathErrorReason::Empty,
                ..
            })
        ));
        assert!(matches!(
            VPath::parse("a\0b"),
            Err(VfsError::InvalidPath {
                reason: PathErrorReason::NulByte,
                ..
            })
        ));
        assert_eq!(
            VPath::parse("/etc/passwd"),
            Err(VfsError::Escape {
                path: "/etc/passwd".into()
            })
        );
        let long = "x".repeat(MAX_NAME_LEN + 1);
        assert!(matches!(
            VPath::parse(&alloc::format!("a/{long}")),
            Err(VfsError::NameTooLong { path }) if path.starts_with("a/")
        ));
        assert!(matches!(
            VPath::parse(&"a/".repeat(MAX_PATH_LEN)),
            Err(VfsError::NameTooLong { .. })
        ));
    }

    #[test]
    fn names_are_single_plain_components() {
        assert!(Name::new("ok.txt").is_ok());
        for bad in ["", ".", "..", "a/b", "a\0"] {
            assert!(Name::new(bad).is_err(), "{bad:?} accepted");
        }
        assert!(Name::new(&"n".repeat(MAX_NAME_LEN)).is_ok());
    }
}
