//! Directory listing ([`Vfs::read_dir`], WASI `fd_readdir`) and its resume cookies.
//!
//! WASI lists a directory in pieces: each call passes the cookie of the last entry it got.
//! Backends list entries in no particular order and directories change between calls, so a
//! cookie here is derived from the entry's name alone, and entries are returned sorted by
//! cookie: resuming after a cookie is then "every entry whose cookie is greater", whatever
//! was added or removed meanwhile.

use alloc::string::ToString;
use alloc::vec::Vec;

use super::Vfs;
use super::handles::Handle;
use crate::error::VfsResult;
use crate::types::{DirEntry, FileType};

/// Cookie after the `.` entry of [`Vfs::read_dir`].
pub const DOT_COOKIE: u64 = 1;
/// Cookie after the `..` entry of [`Vfs::read_dir`].
pub const DOTDOT_COOKIE: u64 = 2;

/// FNV-1a, 64 bit: a fixed, portable hash so cookies mean the same on every run.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The cookie of a directory entry: a hash of its name with the top bit set, so it never
/// collides with 0 (start), [`DOT_COOKIE`] or [`DOTDOT_COOKIE`]. Because it depends only on
/// the name, a cookie stays valid however the directory changes. (Two names whose 63-bit
/// hashes collide would make the second invisible to a resumed listing; at 2^-63 per pair
/// this is accepted.)
fn entry_cookie(name: &str) -> u64 {
    fnv1a(name.as_bytes()) | (1 << 63)
}

impl Vfs {
    /// Lists a directory handle's entries after `cookie` (`fd_readdir`): `.` and `..` first
    /// (cookies [`DOT_COOKIE`], [`DOTDOT_COOKIE`]), then the entries ordered by cookie. Pass
    /// 0 to start, or any returned `next_cookie` to resume after that entry. Cookies depend
    /// only on entry names, so they stay valid while entries are added or removed: an entry
    /// present for the whole listing is returned exactly once; one added or removed meanwhile
    /// may or may not be (as POSIX allows). `..`'s `ino` is the directory's own (a handle
    /// cannot see above itself).
    pub fn read_dir(&mut self, h: Handle, cookie: u64) -> VfsResult<Vec<DirEntry>> {
        let (_, backend, node) = self.dir(h)?;
        let ino = backend.stat(node)?.ino;
        let mut out = Vec::new();
        for (c, name) in [(DOT_COOKIE, "."), (DOTDOT_COOKIE, "..")] {
            if cookie < c {
                out.push(DirEntry {
                    next_cookie: c,
                    ino,
                    file_type: FileType::Directory,
                    name: name.to_string(),
                });
            }
        }
        let mut entries: Vec<(u64, DirEntry)> = backend
            .read_dir(node)?
            .into_iter()
            .map(|e| {
                let c = entry_cookie(&e.name);
                (
                    c,
                    DirEntry {
                        next_cookie: c,
                        ino: e.ino,
                        file_type: e.file_type,
                        name: e.name,
                    },
                )
            })
            .filter(|(c, _)| *c > cookie)
            .collect();
        entries.sort_unstable_by(|a, b| (a.0, &a.1.name).cmp(&(b.0, &b.1.name)));
        out.extend(entries.into_iter().map(|(_, e)| e));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_above_the_dot_entries_and_name_determined() {
        assert!(entry_cookie("") > DOTDOT_COOKIE);
        assert_eq!(entry_cookie("abc"), entry_cookie("abc"));
        assert_ne!(entry_cookie("abc"), entry_cookie("abd"));
    }
}
