//! What the tests of whole apps share: the options of an app with nothing but a console,
//! and running an app until its console says something.
// Each test file uses some of these.
#![allow(dead_code)]

use kpio_web::app::{DEFAULT_STORAGE_BUDGET, WebApp, WebAppOptions};
use kpio_web::service_worker::SyncTasks;
use kpio_web::{Limits, LoopEnd};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// What an app's realms printed, line by line.
pub type Lines = Rc<RefCell<Vec<String>>>;

/// An app at `origin` with no network, no stores, no notification centre and default
/// limits, whose realms print into `lines`; tests set what they need over it.
pub fn options(origin: &str, lines: &Lines) -> WebAppOptions {
    let sink = lines.clone();
    WebAppOptions {
        origin: origin.to_owned(),
        limits: Limits::default(),
        network: None,
        storage: None,
        caches: None,
        indexed_db: None,
        storage_budget: DEFAULT_STORAGE_BUDGET,
        service_workers: None,
        offline_fallback: Default::default(),
        sync: SyncTasks::in_memory(Default::default()),
        notifications: None,
        console: Some(Rc::new(move |_, _, text| {
            sink.borrow_mut().push(text.to_owned())
        })),
    }
}

/// Runs the app until a realm prints `marker` (failing, with the log, after 20 s or
/// when nothing is left to do).
pub fn run_until(app: &mut WebApp, lines: &Lines, marker: &str) {
    let l = lines.clone();
    let m = marker.to_owned();
    let end = app
        .run(Duration::from_secs(20), &mut |_| {
            l.borrow().iter().any(|x| x == &m)
        })
        .unwrap();
    assert_eq!(
        end,
        LoopEnd::Done,
        "waiting for {marker:?}; the log: {:#?}",
        lines.borrow()
    );
}
