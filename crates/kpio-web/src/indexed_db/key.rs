//! IndexedDB keys (W3C Indexed Database API 3.0, section 2.7) and their order-preserving
//! binary encoding: the bytes of two encoded keys compare (as `memcmp` does, and as redb
//! orders its keys) exactly as the specification's "compare two keys" does.
//!
//! Layout, one tag byte per key:
//! - `0x00` ends an array (below every tag, so a shorter array sorts first);
//! - `0x10` number, `0x20` date: 8 bytes, the IEEE 754 bits big-endian with the sign bit
//!   flipped for positive numbers and every bit flipped for negative ones (so byte order
//!   is numeric order; `-0` is stored as `0`, which the comparison treats as equal);
//! - `0x30` string (UTF-16 code units, big-endian), `0x40` binary: the bytes with each
//!   `0x00` written `0x00 0xFF`, then the terminator `0x00 0x01`, which sorts below every
//!   escaped or plain byte, so a prefix sorts first;
//! - `0x50` array: its items, then `0x00`.
//!
//! Every encoding is self-delimiting and none is a prefix of another, so a concatenation
//! of encodings (an index key followed by a primary key) sorts as the pair does.

use std::cmp::Ordering;

/// A valid IndexedDB key.
#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    Number(f64),
    /// A `Date`'s time value (milliseconds since the epoch).
    Date(f64),
    /// UTF-16 code units (lone surrogates allowed, as in JavaScript).
    String(Vec<u16>),
    Binary(Vec<u8>),
    Array(Vec<Key>),
}

const END: u8 = 0x00;
const NUMBER: u8 = 0x10;
const DATE: u8 = 0x20;
const STRING: u8 = 0x30;
const BINARY: u8 = 0x40;
const ARRAY: u8 = 0x50;

/// Why bytes are not an encoded key (a corrupt record).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an encoded IndexedDB key is malformed at byte {at}")]
pub struct BadKey {
    pub at: usize,
}

impl Key {
    /// The rank of the key's type in the specification's order.
    fn rank(&self) -> u8 {
        match self {
            Key::Number(_) => 0,
            Key::Date(_) => 1,
            Key::String(_) => 2,
            Key::Binary(_) => 3,
            Key::Array(_) => 4,
        }
    }

    /// The specification's "compare two keys".
    pub fn compare(&self, other: &Key) -> Ordering {
        match (self, other) {
            (Key::Number(a), Key::Number(b)) | (Key::Date(a), Key::Date(b)) => {
                // Keys hold no NaN (converting a value to a key refuses it).
                a.partial_cmp(b).unwrap_or(Ordering::Equal)
            }
            (Key::String(a), Key::String(b)) => a.cmp(b),
            (Key::Binary(a), Key::Binary(b)) => a.cmp(b),
            (Key::Array(a), Key::Array(b)) => {
                for (x, y) in a.iter().zip(b) {
                    let c = x.compare(y);
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                a.len().cmp(&b.len())
            }
            _ => self.rank().cmp(&other.rank()),
        }
    }

    /// The key's encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// Appends the key's encoding to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            Key::Number(n) => {
                out.push(NUMBER);
                out.extend_from_slice(&ordered_bits(*n));
            }
            Key::Date(n) => {
                out.push(DATE);
                out.extend_from_slice(&ordered_bits(*n));
            }
            Key::String(units) => {
                out.push(STRING);
                for u in units {
                    escaped(out, &u.to_be_bytes());
                }
                out.extend_from_slice(&[0x00, 0x01]);
            }
            Key::Binary(bytes) => {
                out.push(BINARY);
                escaped(out, bytes);
                out.extend_from_slice(&[0x00, 0x01]);
            }
            Key::Array(items) => {
                out.push(ARRAY);
                for k in items {
                    k.encode_into(out);
                }
                out.push(END);
            }
        }
    }

    /// Decodes a whole encoded key.
    pub fn decode(bytes: &[u8]) -> Result<Key, BadKey> {
        let (k, used) = Key::decode_prefix(bytes)?;
        if used != bytes.len() {
            return Err(BadKey { at: used });
        }
        Ok(k)
    }

    /// Decodes the key at the start of `bytes`: the key and how many bytes it took.
    pub fn decode_prefix(bytes: &[u8]) -> Result<(Key, usize), BadKey> {
        let mut at = 0;
        let k = decode_at(bytes, &mut at, 0)?;
        Ok((k, at))
    }
}

/// How deep arrays may nest in a stored key; deeper input is refused as corrupt rather
/// than overflowing the stack (converting a value to a key bounds it the same way).
pub const MAX_DEPTH: usize = 1000;

fn decode_at(b: &[u8], at: &mut usize, depth: usize) -> Result<Key, BadKey> {
    let bad = |at: usize| BadKey { at };
    if depth > MAX_DEPTH {
        return Err(bad(*at));
    }
    let tag = *b.get(*at).ok_or(bad(*at))?;
    *at += 1;
    match tag {
        NUMBER | DATE => {
            let raw: [u8; 8] = b
                .get(*at..*at + 8)
                .and_then(|s| s.try_into().ok())
                .ok_or(bad(*at))?;
            *at += 8;
            let n = from_ordered_bits(raw);
            if n.is_nan() {
                return Err(bad(*at - 8));
            }
            Ok(if tag == NUMBER {
                Key::Number(n)
            } else {
                Key::Date(n)
            })
        }
        STRING | BINARY => {
            let bytes = unescape(b, at)?;
            if tag == BINARY {
                return Ok(Key::Binary(bytes));
            }
            if bytes.len() % 2 != 0 {
                return Err(bad(*at));
            }
            Ok(Key::String(
                bytes
                    .chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect(),
            ))
        }
        ARRAY => {
            let mut items = Vec::new();
            loop {
                match b.get(*at) {
                    Some(&END) => {
                        *at += 1;
                        return Ok(Key::Array(items));
                    }
                    Some(_) => items.push(decode_at(b, at, depth + 1)?),
                    None => return Err(bad(*at)),
                }
            }
        }
        _ => Err(bad(*at - 1)),
    }
}

fn escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    for &x in bytes {
        out.push(x);
        if x == 0 {
            out.push(0xFF);
        }
    }
}

fn unescape(b: &[u8], at: &mut usize) -> Result<Vec<u8>, BadKey> {
    let mut out = Vec::new();
    loop {
        let x = *b.get(*at).ok_or(BadKey { at: *at })?;
        *at += 1;
        if x != 0 {
            out.push(x);
            continue;
        }
        match b.get(*at) {
            Some(0xFF) => out.push(0),
            Some(0x01) => {
                *at += 1;
                return Ok(out);
            }
            _ => return Err(BadKey { at: *at }),
        }
        *at += 1;
    }
}

fn ordered_bits(n: f64) -> [u8; 8] {
    // -0 and 0 are one key.
    let n = if n == 0.0 { 0.0 } else { n };
    let bits = n.to_bits();
    let bits = if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    };
    bits.to_be_bytes()
}

fn from_ordered_bits(raw: [u8; 8]) -> f64 {
    let bits = u64::from_be_bytes(raw);
    let bits = if bits >> 63 == 1 {
        bits & !(1 << 63)
    } else {
        !bits
    };
    f64::from_bits(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Gen(u64);
    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn number(&mut self) -> f64 {
            const SPECIAL: [f64; 12] = [
                0.0,
                -0.0,
                1.0,
                -1.0,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::MIN_POSITIVE,
                -f64::MIN_POSITIVE,
                f64::MAX,
                f64::MIN,
                5e-324,
                -5e-324,
            ];
            match self.below(4) {
                0 => SPECIAL[self.below(12) as usize],
                1 => self.below(20) as f64 - 10.0,
                2 => (self.next() as f64 / u64::MAX as f64 - 0.5) * 1e6,
                _ => {
                    let n = f64::from_bits(self.next());
                    if n.is_nan() { 0.5 } else { n }
                }
            }
        }
        fn key(&mut self, depth: u32) -> Key {
            match self.below(if depth > 2 { 4 } else { 5 }) {
                0 => Key::Number(self.number()),
                1 => Key::Date(self.number()),
                2 => {
                    let len = self.below(5);
                    // Small units (0, 1, 0xFF, 0x100 ...) and surrogates stress the escaping.
                    const UNITS: [u16; 9] = [0, 1, 0xFF, 0x100, 0x61, 0xD800, 0xDFFF, 0xFFFF, 0x7A];
                    Key::String(
                        (0..len)
                            .map(|_| UNITS[self.below(UNITS.len() as u64) as usize])
                            .collect(),
                    )
                }
                3 => {
                    let len = self.below(5);
                    const BYTES: [u8; 6] = [0, 1, 2, 0x7F, 0xFE, 0xFF];
                    Key::Binary(
                        (0..len)
                            .map(|_| BYTES[self.below(BYTES.len() as u64) as usize])
                            .collect(),
                    )
                }
                _ => {
                    let len = self.below(4);
                    Key::Array((0..len).map(|_| self.key(depth + 1)).collect())
                }
            }
        }
    }

    #[test]
    fn byte_order_is_the_specifications_key_order() {
        let mut g = Gen(0x2545_F491_4F6C_DD1D);
        let keys: Vec<Key> = (0..600).map(|_| g.key(0)).collect();
        let encoded: Vec<Vec<u8>> = keys.iter().map(Key::encode).collect();
        for (a, ea) in keys.iter().zip(&encoded) {
            for (b, eb) in keys.iter().zip(&encoded) {
                assert_eq!(
                    a.compare(b),
                    ea.cmp(eb),
                    "{a:?} vs {b:?}: encodings {ea:?} and {eb:?}"
                );
            }
        }
    }

    #[test]
    fn pairs_of_keys_sort_as_pairs() {
        // Index entries are an index key's encoding followed by a primary key's.
        let mut g = Gen(0x9E37_79B9_7F4A_7C15);
        let pairs: Vec<(Key, Key)> = (0..200).map(|_| (g.key(1), g.key(1))).collect();
        for (a1, a2) in &pairs {
            for (b1, b2) in &pairs {
                let want = a1.compare(b1).then(a2.compare(b2));
                let mut ea = a1.encode();
                a2.encode_into(&mut ea);
                let mut eb = b1.encode();
                b2.encode_into(&mut eb);
                assert_eq!(want, ea.cmp(&eb), "({a1:?}, {a2:?}) vs ({b1:?}, {b2:?})");
            }
        }
    }

    #[test]
    fn keys_decode_to_themselves() {
        let mut g = Gen(0xDEAD_BEEF_CAFE_F00D);
        for _ in 0..2000 {
            let k = g.key(0);
            let d = Key::decode(&k.encode()).unwrap();
            assert_eq!(d.compare(&k), Ordering::Equal, "{k:?} became {d:?}");
        }
    }

    #[test]
    fn the_types_sort_number_date_string_binary_array() {
        let keys = [
            Key::Number(f64::INFINITY),
            Key::Date(f64::NEG_INFINITY),
            Key::String(vec![]),
            Key::Binary(vec![]),
            Key::Array(vec![]),
        ];
        for w in keys.windows(2) {
            assert!(w[0].encode() < w[1].encode());
            assert_eq!(w[0].compare(&w[1]), Ordering::Less);
        }
        assert_eq!(Key::Number(-0.0).encode(), Key::Number(0.0).encode());
    }

    #[test]
    fn malformed_bytes_are_an_error_not_a_panic() {
        let mut g = Gen(7);
        for _ in 0..5000 {
            let len = g.below(12) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| g.below(256) as u8).collect();
            let _ = Key::decode(&bytes);
        }
        assert!(Key::decode(&[0x10, 1, 2]).is_err());
        assert!(Key::decode(&[0x30, 0x00, 0x02]).is_err());
        assert!(Key::decode(&[0x50]).is_err());
        assert!(Key::decode(&[0x99]).is_err());
        let deep = vec![0x50; MAX_DEPTH + 5];
        assert!(Key::decode(&deep).is_err());
    }
}
