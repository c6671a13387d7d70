//! One cached item as the store keeps it: the request (what matching and `keys()` need)
//! and the response without its body, in a small binary form with a version byte.
//!
//! Strings are the JavaScript strings the prelude passed (URLs, ByteString methods and
//! header values, whose code points are at most U+00FF), kept as UTF-8.

/// The record format's version, the first byte of every record.
const VERSION: u8 = 1;

/// A header list: (name, value) pairs in order, names as given (matching ignores case).
pub(crate) type HeaderList = Vec<(String, String)>;

/// The cached request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestRecord {
    /// The URL, serialized, with its fragment (a `keys()` request has it).
    pub(crate) url: String,
    pub(crate) method: String,
    pub(crate) headers: HeaderList,
    /// The request's other fields (mode, credentials, ...), JSON the prelude wrote and
    /// reads back; the store does not look inside.
    pub(crate) extra: String,
}

/// The cached response, without its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResponseRecord {
    /// The response's type (`basic`, `cors`, `default`, `opaque`, ...).
    pub(crate) kind: String,
    pub(crate) status: u16,
    pub(crate) status_text: String,
    pub(crate) headers: HeaderList,
    /// The URL list, serialized.
    pub(crate) url_list: Vec<String>,
    /// Whether the response has a body (an empty body differs from a null one).
    pub(crate) has_body: bool,
}

/// A request and response of one cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EntryRecord {
    /// The cache (an id of the store's name table) the item belongs to.
    pub(crate) cache: u64,
    pub(crate) request: RequestRecord,
    pub(crate) response: ResponseRecord,
}

impl EntryRecord {
    /// The record's bytes.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        out.push(VERSION);
        out.extend_from_slice(&self.cache.to_le_bytes());
        let r = &self.request;
        put_str(&mut out, &r.url);
        put_str(&mut out, &r.method);
        put_headers(&mut out, &r.headers);
        put_str(&mut out, &r.extra);
        let s = &self.response;
        put_str(&mut out, &s.kind);
        out.extend_from_slice(&s.status.to_le_bytes());
        put_str(&mut out, &s.status_text);
        put_headers(&mut out, &s.headers);
        out.extend_from_slice(&(s.url_list.len() as u32).to_le_bytes());
        for u in &s.url_list {
            put_str(&mut out, u);
        }
        out.push(u8::from(s.has_body));
        out
    }

    /// Reads a record; `Err` says what is wrong with the bytes.
    pub(crate) fn decode(bytes: &[u8]) -> Result<EntryRecord, String> {
        let mut r = Reader { bytes, at: 0 };
        let version = r.u8()?;
        if version != VERSION {
            return Err(format!("unknown record version {version}"));
        }
        let cache = r.u64()?;
        let request = RequestRecord {
            url: r.string()?,
            method: r.string()?,
            headers: r.headers()?,
            extra: r.string()?,
        };
        let kind = r.string()?;
        let status = r.u16()?;
        let status_text = r.string()?;
        let headers = r.headers()?;
        let n = r.count()?;
        let mut url_list = Vec::with_capacity(n.min(64));
        for _ in 0..n {
            url_list.push(r.string()?);
        }
        let has_body = match r.u8()? {
            0 => false,
            1 => true,
            b => return Err(format!("bad body flag {b}")),
        };
        if r.at != bytes.len() {
            return Err(format!("{} bytes after the record", bytes.len() - r.at));
        }
        Ok(EntryRecord {
            cache,
            request,
            response: ResponseRecord {
                kind,
                status,
                status_text,
                headers,
                url_list,
                has_body,
            },
        })
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn put_headers(out: &mut Vec<u8>, headers: &HeaderList) {
    out.extend_from_slice(&(headers.len() as u32).to_le_bytes());
    for (name, value) in headers {
        put_str(out, name);
        put_str(out, value);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| format!("the record ends early (at byte {})", self.at))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, String> {
        let b = self.take(8)?;
        let mut a = [0; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    /// A count of items that follow, each at least 4 bytes long: bounded by what is left,
    /// so a corrupt count cannot make a huge allocation.
    fn count(&mut self) -> Result<usize, String> {
        let n = self.u32()? as usize;
        if n > (self.bytes.len() - self.at) / 4 {
            return Err(format!(
                "a count of {n} items is more than the record holds"
            ));
        }
        Ok(n)
    }

    fn string(&mut self) -> Result<String, String> {
        let n = self.u32()? as usize;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| "a string is not UTF-8".to_owned())
    }

    fn headers(&mut self) -> Result<HeaderList, String> {
        let n = self.count()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push((self.string()?, self.string()?));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> EntryRecord {
        EntryRecord {
            cache: 7,
            request: RequestRecord {
                url: "https://a.example/x?q#f".into(),
                method: "GET".into(),
                headers: vec![("Accept".into(), "text/html".into())],
                extra: "{\"mode\":\"cors\"}".into(),
            },
            response: ResponseRecord {
                kind: "basic".into(),
                status: 200,
                status_text: "OK \u{e9}".into(),
                headers: vec![("Vary".into(), "Accept".into()), ("X".into(), "".into())],
                url_list: vec!["https://a.example/x".into(), "https://a.example/y".into()],
                has_body: true,
            },
        }
    }

    #[test]
    fn a_record_reads_back_as_written() {
        let r = sample();
        assert_eq!(EntryRecord::decode(&r.encode()).unwrap(), r);
    }

    #[test]
    fn every_truncation_and_a_bad_version_are_errors() {
        let bytes = sample().encode();
        for n in 0..bytes.len() {
            assert!(EntryRecord::decode(&bytes[..n]).is_err(), "cut at {n}");
        }
        let mut bad = bytes.clone();
        bad[0] = 9;
        assert!(EntryRecord::decode(&bad).unwrap_err().contains("version"));
        let mut long = bytes;
        long.push(0);
        assert!(EntryRecord::decode(&long).is_err());
    }

    #[test]
    fn a_huge_count_is_refused_without_allocating() {
        let mut bytes = vec![VERSION];
        bytes.extend_from_slice(&1u64.to_le_bytes());
        bytes.extend_from_slice(&0u32.to_le_bytes()); // url
        bytes.extend_from_slice(&0u32.to_le_bytes()); // method
        bytes.extend_from_slice(&u32::MAX.to_le_bytes()); // headers
        assert!(EntryRecord::decode(&bytes).unwrap_err().contains("count"));
    }
}
