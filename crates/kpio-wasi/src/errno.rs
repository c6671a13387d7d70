//! `errno`: the 77 error codes of WASI preview 1, and how VFS errors map onto them.

use core::fmt;
use kpio_vfs::{PathErrorReason, VfsError};

macro_rules! errnos {
    ($($(#[$doc:meta])* $name:ident = $n:literal, $text:literal;)*) => {
        /// A WASI preview 1 `errno` value, with its number from `wasi_snapshot_preview1`.
        #[repr(u16)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Errno {
            $($(#[$doc])* $name = $n,)*
        }

        impl Errno {
            /// Every errno, in numeric order (`ALL[n]` has number `n`).
            pub const ALL: [Errno; 77] = [$(Errno::$name,)*];

            /// The errno with this number, if there is one.
            pub fn from_raw(raw: u16) -> Option<Errno> {
                Errno::ALL.get(usize::from(raw)).copied()
            }

            /// Its number.
            pub fn raw(self) -> u16 {
                self as u16
            }

            /// Its short name as in the specification (`"badf"`, `"notcapable"`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Errno::$name => $text,)*
                }
            }
        }
    };
}

errnos! {
    /// No error occurred.
    Success = 0, "success";
    TooBig = 1, "2big";
    Acces = 2, "acces";
    Addrinuse = 3, "addrinuse";
    Addrnotavail = 4, "addrnotavail";
    Afnosupport = 5, "afnosupport";
    Again = 6, "again";
    Already = 7, "already";
    Badf = 8, "badf";
    Badmsg = 9, "badmsg";
    Busy = 10, "busy";
    Canceled = 11, "canceled";
    Child = 12, "child";
    Connaborted = 13, "connaborted";
    Connrefused = 14, "connrefused";
    Connreset = 15, "connreset";
    Deadlk = 16, "deadlk";
    Destaddrreq = 17, "destaddrreq";
    Dom = 18, "dom";
    Dquot = 19, "dquot";
    Exist = 20, "exist";
    Fault = 21, "fault";
    Fbig = 22, "fbig";
    Hostunreach = 23, "hostunreach";
    Idrm = 24, "idrm";
    Ilseq = 25, "ilseq";
    Inprogress = 26, "inprogress";
    Intr = 27, "intr";
    Inval = 28, "inval";
    Io = 29, "io";
    Isconn = 30, "isconn";
    Isdir = 31, "isdir";
    Loop = 32, "loop";
    Mfile = 33, "mfile";
    Mlink = 34, "mlink";
    Msgsize = 35, "msgsize";
    Multihop = 36, "multihop";
    Nametoolong = 37, "nametoolong";
    Netdown = 38, "netdown";
    Netreset = 39, "netreset";
    Netunreach = 40, "netunreach";
    Nfile = 41, "nfile";
    Nobufs = 42, "nobufs";
    Nodev = 43, "nodev";
    Noent = 44, "noent";
    Noexec = 45, "noexec";
    Nolck = 46, "nolck";
    Nolink = 47, "nolink";
    Nomem = 48, "nomem";
    Nomsg = 49, "nomsg";
    Noprotoopt = 50, "noprotoopt";
    Nospc = 51, "nospc";
    Nosys = 52, "nosys";
    Notconn = 53, "notconn";
    Notdir = 54, "notdir";
    Notempty = 55, "notempty";
    Notrecoverable = 56, "notrecoverable";
    Notsock = 57, "notsock";
    Notsup = 58, "notsup";
    Notty = 59, "notty";
    Nxio = 60, "nxio";
    Overflow = 61, "overflow";
    Ownerdead = 62, "ownerdead";
    Perm = 63, "perm";
    Pipe = 64, "pipe";
    Proto = 65, "proto";
    Protonosupport = 66, "protonosupport";
    Prototype = 67, "prototype";
    Range = 68, "range";
    Rofs = 69, "rofs";
    Spipe = 70, "spipe";
    Srch = 71, "srch";
    Stale = 72, "stale";
    Timedout = 73, "timedout";
    Txtbsy = 74, "txtbsy";
    Xdev = 75, "xdev";
    /// Extension: capabilities insufficient.
    Notcapable = 76, "notcapable";
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.raw())
    }
}

impl core::error::Error for Errno {}

/// kpio-vfs's documented table, with its two open choices made the way `wasmtime run`
/// behaves (see the crate docs, "Errno choices"):
///
/// - `Escape` (absolute path, `..` above the preopen, symlink out) is `perm`, as wasmtime
///   (cap-std) reports it — not `notcapable`.
/// - `ReadOnly` is `rofs`.
impl From<&VfsError> for Errno {
    fn from(e: &VfsError) -> Errno {
        match e {
            VfsError::NotFound { .. } => Errno::Noent,
            VfsError::Exists { .. } => Errno::Exist,
            VfsError::NotDir { .. } => Errno::Notdir,
            VfsError::IsDir { .. } => Errno::Isdir,
            VfsError::NotEmpty { .. } => Errno::Notempty,
            VfsError::Loop { .. } => Errno::Loop,
            VfsError::NameTooLong { .. } => Errno::Nametoolong,
            VfsError::InvalidPath { reason, .. } => match reason {
                PathErrorReason::Empty => Errno::Noent,
                PathErrorReason::NotUtf8 => Errno::Ilseq,
                _ => Errno::Inval,
            },
            VfsError::Escape { .. } => Errno::Perm,
            VfsError::ReadOnly { .. } => Errno::Rofs,
            VfsError::PermissionDenied { .. } => Errno::Perm,
            VfsError::CrossDevice { .. } => Errno::Xdev,
            VfsError::Busy { .. } => Errno::Busy,
            VfsError::NoSpace { .. } => Errno::Nospc,
            VfsError::FileTooLarge => Errno::Fbig,
            VfsError::TooManyOpen => Errno::Nfile,
            VfsError::BadHandle | VfsError::BadAccessMode => Errno::Badf,
            VfsError::Invalid { .. } => Errno::Inval,
            VfsError::Unsupported { .. } => Errno::Notsup,
            VfsError::Io { .. } => Errno::Io,
            // `VfsError` is non-exhaustive: anything new is an I/O failure until mapped.
            _ => Errno::Io,
        }
    }
}

impl From<VfsError> for Errno {
    fn from(e: VfsError) -> Errno {
        Errno::from(&e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_follow_the_specification() {
        for (i, e) in Errno::ALL.iter().enumerate() {
            assert_eq!(usize::from(e.raw()), i);
            assert_eq!(Errno::from_raw(e.raw()), Some(*e));
        }
        assert_eq!(Errno::from_raw(77), None);
        assert_eq!(Errno::Badf as u16, 8);
        assert_eq!(Errno::Notcapable.name(), "notcapable");
        assert_eq!(Errno::TooBig.name(), "2big");
        assert_eq!(alloc::format!("{}", Errno::Noent), "noent (44)");
    }
}
