//! A realm's scripts, event loop and limits, end to end on QuickJS.

use kpio_web::{ConsoleLevel, Limits, LoopEnd, Realm, RealmOptions, WebError};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

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

fn realm() -> (Realm, Lines) {
    realm_with(Limits::default())
}

fn logged(lines: &Lines) -> Vec<String> {
    lines.borrow().iter().map(|(_, t)| t.clone()).collect()
}

#[test]
fn console_formats_its_arguments() {
    let (mut r, lines) = realm();
    r.eval_script(
        "console.log('%s has %d items costing %f', 'cart', 3.7, '2.5', {a: [1, 'x']}); console.warn(-0, 10n, null);",
        "app.js",
    )
    .unwrap();
    let l = lines.borrow();
    assert_eq!(
        l[0],
        (
            ConsoleLevel::Log,
            "cart has 3 items costing 2.5 { a: [ 1, \"x\" ] }".into()
        )
    );
    assert_eq!(l[1], (ConsoleLevel::Warn, "-0 10n null".into()));
}

#[test]
fn an_uncaught_exception_names_its_script_and_line_and_the_realm_goes_on() {
    let (mut r, lines) = realm();
    let err = r
        .eval_script("let x = 1;\nfunction f() { null.y; }\nf();\n", "page.js")
        .unwrap_err();
    let WebError::Script(e) = err else {
        panic!("expected a script error, got {err:?}");
    };
    assert_eq!(e.name, "TypeError");
    assert_eq!(e.file.as_deref(), Some("page.js"));
    assert_eq!(e.line, Some(2));
    // Reported to the console as a browser does, and the realm still runs scripts.
    assert!(
        logged(&lines)[0].starts_with("Uncaught TypeError"),
        "{:?}",
        logged(&lines)
    );
    r.eval_script("console.log(typeof x)", "next.js").unwrap();
    assert_eq!(logged(&lines).last().unwrap(), "number");
}

#[test]
fn a_syntax_error_is_a_typed_error_too() {
    let (mut r, _) = realm();
    let err = r.eval_script("function (", "broken.js").unwrap_err();
    let WebError::Script(e) = err else {
        panic!("expected a script error, got {err:?}");
    };
    assert_eq!(e.name, "SyntaxError");
    assert_eq!(e.file.as_deref(), Some("broken.js"));
}

#[test]
fn a_runaway_script_is_stopped_at_the_task_time_limit() {
    let (mut r, _) = realm_with(Limits {
        task_time: Duration::from_millis(200),
        ..Limits::default()
    });
    let start = Instant::now();
    let err = r.eval_script("for (;;) {}", "spin.js").unwrap_err();
    let took = start.elapsed();
    assert!(matches!(err, WebError::TimeLimit { .. }), "{err:?}");
    assert!(took < Duration::from_secs(5), "stopped only after {took:?}");
    // try/catch cannot keep it alive, and the realm stays stopped.
    let err = r.eval_script("1", "after.js").unwrap_err();
    assert!(matches!(err, WebError::Stopped { .. }), "{err:?}");
}

#[test]
fn catching_the_interrupt_does_not_save_a_runaway_script() {
    let (mut r, _) = realm_with(Limits {
        task_time: Duration::from_millis(100),
        ..Limits::default()
    });
    let err = r
        .eval_script(
            "for (;;) { try { for (;;) {} } catch (e) {} }",
            "stubborn.js",
        )
        .unwrap_err();
    assert!(matches!(err, WebError::TimeLimit { .. }), "{err:?}");
}

#[test]
fn runaway_timer_callbacks_and_microtasks_are_stopped_too() {
    for script in [
        "setTimeout(() => { for (;;) {} }, 1)",
        "Promise.resolve().then(() => { for (;;) {} })",
        "queueMicrotask(function again() { queueMicrotask(again); })",
    ] {
        let (mut r, _) = realm_with(Limits {
            task_time: Duration::from_millis(150),
            ..Limits::default()
        });
        let err = r
            .eval_script(script, "loop.js")
            .and_then(|()| {
                r.run_event_loop(Duration::from_secs(5), &mut || false)
                    .map(|_| ())
            })
            .unwrap_err();
        assert!(
            matches!(err, WebError::TimeLimit { .. }),
            "{script}: {err:?}"
        );
    }
}

#[test]
fn a_memory_hog_runs_out_of_its_own_memory_only() {
    let (mut r, _) = realm_with(Limits {
        memory: 16 << 20,
        ..Limits::default()
    });
    let err = r
        .eval_script(
            "const a = []; for (;;) a.push(new Array(100000).fill(1.5));",
            "hog.js",
        )
        .unwrap_err();
    assert!(
        matches!(err, WebError::OutOfMemory { limit, .. } if limit == 16 << 20),
        "{err:?}"
    );
    // Another realm is untouched.
    let (mut other, lines) = realm();
    other
        .eval_script("console.log(new Array(1000).fill(2).length)", "ok.js")
        .unwrap();
    assert_eq!(logged(&lines), vec!["1000".to_owned()]);
}

#[test]
fn deep_recursion_throws_a_catchable_range_error() {
    let (mut r, lines) = realm();
    r.eval_script(
        "function down(n) { return down(n + 1) + 1; }\ntry { down(0); } catch (e) { console.log(e.constructor.name); }",
        "deep.js",
    )
    .unwrap();
    assert_eq!(logged(&lines), vec!["RangeError".to_owned()]);
}

#[test]
fn another_thread_can_interrupt_a_realm() {
    let (mut r, _) = realm_with(Limits {
        task_time: Duration::from_secs(60),
        ..Limits::default()
    });
    let handle = r.interrupt_handle();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        handle.interrupt();
    });
    let err = r.eval_script("for (;;) {}", "forever.js").unwrap_err();
    t.join().unwrap();
    assert!(matches!(err, WebError::Interrupted { .. }), "{err:?}");
}

#[test]
fn timers_run_in_due_order_after_the_microtasks_before_them() {
    let (mut r, lines) = realm();
    r.eval_script(
        "setTimeout(() => console.log('t20'), 200);\n\
         setTimeout((a, b) => console.log('t0', a, b), 0, 'x', 'y');\n\
         const id = setInterval(() => { console.log('i'); if (++n === 3) clearInterval(id); }, 1); let n = 0;\n\
         Promise.resolve().then(() => console.log('micro'));\n\
         console.log('sync');",
        "order.js",
    )
    .unwrap();
    let end = r
        .run_event_loop(Duration::from_secs(5), &mut || false)
        .unwrap();
    assert_eq!(end, LoopEnd::Idle);
    let l = logged(&lines);
    assert_eq!(&l[..3], &["sync", "micro", "t0 x y"]);
    assert_eq!(l.iter().filter(|x| *x == "i").count(), 3);
    assert_eq!(l.last().unwrap(), "t20");
}

#[test]
fn the_event_loop_gives_up_at_the_callers_timeout() {
    let (mut r, _) = realm();
    r.eval_script("setTimeout(() => {}, 60000)", "later.js")
        .unwrap();
    let start = Instant::now();
    let end = r
        .run_event_loop(Duration::from_millis(50), &mut || false)
        .unwrap();
    assert_eq!(end, LoopEnd::TimedOut);
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn an_unhandled_rejection_fires_unhandledrejection_then_rejectionhandled() {
    let (mut r, lines) = realm();
    r.eval_script(
        "addEventListener('unhandledrejection', (e) => console.log('unhandled', e.reason, e.promise === p, e.cancelable));\n\
         addEventListener('rejectionhandled', (e) => console.log('handled', e.reason, e.promise === p));\n\
         var p = Promise.reject('why');\n\
         Promise.reject('caught in time').catch(() => {});\n\
         setTimeout(() => p.catch(() => console.log('late catch')), 5);",
        "rejections.js",
    )
    .unwrap();
    r.run_event_loop(Duration::from_secs(5), &mut || false)
        .unwrap();
    let l = logged(&lines);
    assert_eq!(l[0], "unhandled why true true");
    // Not cancelled: reported to the console too.
    assert!(l[1].starts_with("Uncaught (in promise) why"), "{l:?}");
    assert_eq!(&l[2..], &["late catch", "handled why true"]);
}

#[test]
fn a_cancelled_unhandledrejection_is_not_reported() {
    let (mut r, lines) = realm();
    r.eval_script(
        "addEventListener('unhandledrejection', (e) => e.preventDefault());\nPromise.reject(new Error('quiet'));",
        "quiet.js",
    )
    .unwrap();
    assert!(logged(&lines).is_empty(), "{:?}", logged(&lines));
}

#[test]
fn uncaught_errors_are_counted_for_the_host() {
    let (mut r, _) = realm();
    r.eval_script(
        "setTimeout(() => { throw new Error('in a timer'); }, 1);\nPromise.reject(new Error('unhandled'));\n\
         addEventListener('error', (e) => { if (e.message.includes('cancelled')) e.preventDefault(); });\n\
         setTimeout(() => { throw new Error('cancelled'); }, 2);",
        "count.js",
    )
    .unwrap();
    r.run_event_loop(Duration::from_secs(5), &mut || false)
        .unwrap();
    // The cancelled one is handled by the page.
    assert_eq!(r.uncaught_errors(), 2);
}
