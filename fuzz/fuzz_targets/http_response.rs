//! fetch()'s HTTP/1.1 response reader (`kpio_web::net::http::receive`) on arbitrary bytes
//! from the "server": the head parser, the framings (length, chunked, until close) and
//! the content codings (gzip, deflate). It must return a typed error or a body, never
//! panic, hang or grow without bound; a body read back whole must be the same read in
//! small chunks or large ones.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Cursor;

fn body(data: &[u8], chunk: usize) -> Result<Vec<u8>, String> {
    let (_, mut body) = kpio_web::net::http::receive(
        Box::new(Cursor::new(data.to_vec())),
        "GET",
        "http://fuzz.test/",
    )
    .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    while let Some(bytes) = body.next_chunk(chunk).map_err(|e| e.to_string())? {
        assert!(!bytes.is_empty() && bytes.len() <= chunk);
        out.extend_from_slice(&bytes);
        // Decoded bodies are bounded by what a bomb of this input size can give.
        assert!(out.len() <= 1 << 28, "an unbounded body");
    }
    Ok(out)
}

fuzz_target!(|data: &[u8]| {
    let small = body(data, 7);
    let large = body(data, 65536);
    match (&small, &large) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "the body depends on the read size"),
        (Err(_), Err(_)) => {}
        // A body can fail part way in both; then both read sizes must fail.
        _ => panic!("read sizes disagree: {small:?} vs {large:?}"),
    }
});
