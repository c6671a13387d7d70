//! Blobs, FormData and multipart/form-data bodies under a realm's limits: what scripts
//! cannot see themselves (how much memory blobs take, that hostile bodies end in time).

use kpio_web::{ConsoleLevel, Limits, LoopEnd, Realm, RealmOptions, WebError};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

type Lines = Rc<RefCell<Vec<(ConsoleLevel, String)>>>;

fn realm_with(limits: Limits) -> (Realm, Lines) {
    let lines: Lines = Rc::default();
    let sink = lines.clone();
    let realm = Realm::new(RealmOptions {
        limits,
        console: Some(Box::new(move |level, text| {
            sink.borrow_mut().push((level, text.to_owned()))
        })),
        ..RealmOptions::default()
    })
    .expect("a realm");
    (realm, lines)
}

fn logged(lines: &Lines) -> Vec<String> {
    lines.borrow().iter().map(|(_, t)| t.clone()).collect()
}

/// Runs `script`, then the event loop until it is idle.
fn run(realm: &mut Realm, script: &str) -> Result<(), WebError> {
    realm.eval_script(script, "test.js")?;
    match realm.run_event_loop(Duration::from_secs(20), &mut || false)? {
        LoopEnd::Idle => Ok(()),
        other => panic!("the event loop ended with {other:?}"),
    }
}

#[test]
fn slices_and_clones_share_the_bytes_of_their_blob() {
    // 2000 slices of 4 MiB and 100 clones of an 8 MiB blob would be gigabytes if they
    // were copies; they fit in a 48 MiB realm because they share the bytes.
    let (mut r, lines) = realm_with(Limits {
        memory: 48 << 20,
        ..Limits::default()
    });
    run(
        &mut r,
        r#"
        const bytes = new Uint8Array(8 << 20);
        bytes[3 << 20] = 42;
        const big = new Blob([bytes]);
        const slices = [];
        for (let i = 0; i < 2000; i++) slices.push(big.slice(i, i + (4 << 20)));
        const clones = [];
        for (let i = 0; i < 100; i++) clones.push(structuredClone(big));
        const file = new File([big], 'same.bin');
        let total = 0;
        for (const s of slices) total += s.size;
        console.log(total, clones.length, file.size);
        slices[1999].slice((3 << 20) - 1999, (3 << 20) - 1998).bytes().then((b) => console.log(b[0]));
        "#,
    )
    .unwrap();
    assert_eq!(
        logged(&lines),
        vec![
            format!("{} 100 {}", 2000u64 * (4 << 20), 8u64 << 20),
            "42".to_owned()
        ]
    );
    assert!(
        r.memory_used() < 48 << 20,
        "memory used: {}",
        r.memory_used()
    );
}

#[test]
fn blobs_count_against_the_realms_memory_limit() {
    for script in [
        // Concatenation copies: the blob doubles until the heap is full.
        "let b = new Blob([new Uint8Array(1 << 20)]); const keep = []; for (;;) { b = new Blob([b, b]); keep.push(b); }",
        // A FormData body is encoded whole when the body is made.
        "const fd = new FormData(); const big = new Blob([new Uint8Array(4 << 20)]); for (let i = 0; i < 100; i++) fd.append('f' + i, big); new Response(fd);",
    ] {
        let (mut r, _) = realm_with(Limits {
            memory: 32 << 20,
            ..Limits::default()
        });
        let err = run(&mut r, script).unwrap_err();
        assert!(
            matches!(err, WebError::OutOfMemory { limit, .. } if limit == 32 << 20),
            "{script}: {err:?}"
        );
    }
}

#[test]
fn reading_past_the_memory_limit_rejects_and_the_realm_goes_on() {
    // A read completes in a later task, so running out of memory there rejects the
    // read's promise (QuickJS's InternalError), which the page can catch.
    let (mut r, lines) = realm_with(Limits {
        memory: 32 << 20,
        ..Limits::default()
    });
    run(
        &mut r,
        r#"
        const big = new Blob([new Uint8Array(8 << 20)]);
        let keep = [];
        (async () => {
          try {
            for (;;) keep.push(await big.arrayBuffer());
          } catch (e) {
            keep = null;
            console.log(e.constructor.name, big.size);
          }
        })();
        "#,
    )
    .unwrap();
    assert_eq!(logged(&lines), vec![format!("InternalError {}", 8 << 20)]);
}

#[test]
fn hostile_multipart_bodies_end_in_time_with_a_result_or_a_type_error() {
    // Each body is parsed by formData() within the realm's task time (5 s; each takes
    // well under 2 s here): no input makes the parser quadratic or loop.
    let (mut r, lines) = realm_with(Limits {
        task_time: Duration::from_secs(5),
        ..Limits::default()
    });
    run(
        &mut r,
        r#"
        const ct = { 'Content-Type': 'multipart/form-data; boundary=BB' };
        const parse = (body) => new Response(body, { headers: ct }).formData()
          .then((fd) => [...fd].length, (e) => e.constructor.name);
        const head = '--BB\r\nContent-Disposition: form-data; name="a"\r\n\r\n';
        const cases = [
          // Near-boundaries all through a value.
          head + '\r\n--B'.repeat(400000) + '\r\n--BB--\r\n',
          // A header line of 4 MB, and a million empty-ish header lines.
          '--BB\r\nX: ' + 'a'.repeat(4 << 20) + '\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--BB--\r\n',
          '--BB\r\n' + 'x\r\n'.repeat(1000000) + 'Content-Disposition: form-data; name="a"\r\n\r\nv\r\n--BB--\r\n',
          // 50,000 parts.
          Array.from({ length: 50000 }, (_, i) => `--BB\r\nContent-Disposition: form-data; name="n${i}"\r\n\r\n${i}\r\n`).join('') + '--BB--\r\n',
          // A preamble of 4 MB of dashes and no boundary at all.
          '-'.repeat(4 << 20),
          // A Content-Disposition of 2 MB of parameters, and an unterminated quote.
          '--BB\r\nContent-Disposition: form-data' + '; a=b'.repeat(400000) + '; name="a"\r\n\r\nv\r\n--BB--\r\n',
          '--BB\r\nContent-Disposition: form-data; name="' + 'q'.repeat(1 << 20) + '\r\n\r\nv\r\n--BB--\r\n',
        ];
        // Each case in a task of its own (the parse runs in the task that made the body).
        (async () => {
          for (const body of cases) {
            console.log(await parse(body));
            await new Promise((resolve) => setTimeout(resolve, 0));
          }
        })();
        "#,
    )
    .unwrap();
    assert_eq!(
        logged(&lines),
        vec!["1", "1", "1", "50000", "TypeError", "1", "TypeError"]
    );
}
