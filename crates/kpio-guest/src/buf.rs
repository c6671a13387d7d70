//! Reading host strings of unknown length: the "full length, copied only if it fits"
//! convention of `get_hostname`, `get_locale` and `clipboard_read`.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::{Error, check};

/// How big the first buffer is: most host names, locales and clipboard snippets fit.
const FIRST_CAP: usize = 256;

/// Calls `f(buffer)` — which returns the full length, copying only if it fits — with
/// a growing buffer until the value fits; returns exactly the value's bytes. Gives up
/// with [`Error::Limit`] if the value keeps growing between calls 8 times in a row.
pub fn read_sized(mut f: impl FnMut(&mut [u8]) -> i32) -> Result<Vec<u8>, Error> {
    let mut buf = vec![0u8; FIRST_CAP];
    for _ in 0..8 {
        let n = check(f(&mut buf))? as usize;
        if n <= buf.len() {
            buf.truncate(n);
            return Ok(buf);
        }
        // Too small: the host copied nothing; retry with the size it reported.
        buf.resize(n, 0);
    }
    Err(Error::Limit)
}

/// [`read_sized`] for UTF-8 text; [`Error::Invalid`] if the host's bytes are not UTF-8.
pub fn read_string(f: impl FnMut(&mut [u8]) -> i32) -> Result<String, Error> {
    String::from_utf8(read_sized(f)?).map_err(|_| Error::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake host call holding `value`, counting calls.
    fn host(value: &[u8], calls: &mut u32) -> impl FnMut(&mut [u8]) -> i32 {
        move |buf: &mut [u8]| {
            *calls += 1;
            if value.len() <= buf.len() {
                buf[..value.len()].copy_from_slice(value);
            }
            value.len() as i32
        }
    }

    #[test]
    fn short_values_take_one_call() {
        let mut calls = 0;
        assert_eq!(
            read_string(host(b"kpio-box", &mut calls)).unwrap(),
            "kpio-box"
        );
        assert_eq!(calls, 1);
        let mut calls = 0;
        assert_eq!(read_string(host(b"", &mut calls)).unwrap(), "");
    }

    #[test]
    fn long_values_take_a_second_call() {
        let long: Vec<u8> = (0..1000).map(|i| b'a' + (i % 26) as u8).collect();
        let mut calls = 0;
        assert_eq!(read_sized(host(&long, &mut calls)).unwrap(), long);
        assert_eq!(calls, 2);
    }

    #[test]
    fn errors_and_bad_utf8() {
        assert_eq!(read_sized(|_| -1), Err(Error::Denied));
        let mut calls = 0;
        assert_eq!(
            read_string(host(&[0xFF, 0xFE], &mut calls)),
            Err(Error::Invalid)
        );
        // A value that grows on every call gives up instead of looping forever.
        let mut n = 300;
        assert_eq!(
            read_sized(|_| {
                n += 1;
                n
            }),
            Err(Error::Limit)
        );
    }
}
