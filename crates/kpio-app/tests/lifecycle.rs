//! Lifecycle: transitions, several instances, typed errors, the restart policy.

use kpio_app::{
    AppError, AppState, Errno, Failure, KernelAppId, Lifecycle, RestartDecision, RestartPolicy,
};

const APP: KernelAppId = KernelAppId(1);
const OTHER: KernelAppId = KernelAppId(2);

#[test]
fn full_happy_path() {
    let mut lc = Lifecycle::default();
    assert_eq!(lc.app_state(APP), AppState::Registered);
    let i = lc.launch(APP).unwrap();
    assert_eq!(lc.state(i), Some(AppState::Launching));
    assert_eq!(lc.app_state(APP), AppState::Launching);
    lc.running(i).unwrap();
    assert_eq!(lc.app_state(APP), AppState::Running);
    lc.suspend(i).unwrap();
    assert_eq!(lc.state(i), Some(AppState::Suspended));
    assert_eq!(lc.app_state(APP), AppState::Suspended);
    lc.resume(i).unwrap();
    lc.exited(i, 0).unwrap();
    assert_eq!(lc.state(i), Some(AppState::Terminated));
    assert_eq!(lc.app_state(APP), AppState::Registered);
    assert_eq!(lc.reap(i).unwrap().state, AppState::Terminated);
    assert_eq!(lc.state(i), None);
}

#[test]
fn terminate_from_every_live_state() {
    let mut lc = Lifecycle::default();
    let a = lc.launch(APP).unwrap();
    let b = lc.launch(APP).unwrap();
    let c = lc.launch(APP).unwrap();
    lc.running(b).unwrap();
    lc.running(c).unwrap();
    lc.suspend(c).unwrap();
    for i in [a, b, c] {
        lc.terminate(i).unwrap();
        assert_eq!(lc.state(i), Some(AppState::Terminated));
    }
}

#[test]
fn several_instances_of_one_app_have_distinct_ids() {
    let mut lc = Lifecycle::default();
    let a = lc.launch(APP).unwrap();
    let b = lc.launch(APP).unwrap();
    let c = lc.launch(OTHER).unwrap();
    assert!(a != b && b != c && a != c);
    lc.running(a).unwrap();
    assert_eq!(lc.state(b), Some(AppState::Launching));
    assert_eq!(lc.live_instances(APP), [a, b]);
    assert_eq!(lc.instances_of(OTHER).count(), 1);
    assert!(matches!(lc.forget_app(APP), Err(AppError::Busy(_))));
    lc.terminate(a).unwrap();
    lc.terminate(b).unwrap();
    lc.reap(a).unwrap();
    let d = lc.launch(APP).unwrap();
    assert!(d > c, "instance ids are not reused");
    lc.terminate(d).unwrap();
    lc.forget_app(APP).unwrap();
    assert_eq!(lc.instances_of(APP).count(), 0);
    assert_eq!(lc.instances().count(), 1);
}

#[test]
fn trap_and_nonzero_exit_mark_failed() {
    let mut lc = Lifecycle::default();
    let a = lc.launch(APP).unwrap();
    lc.running(a).unwrap();
    lc.trapped(a, "unreachable executed").unwrap();
    assert_eq!(lc.state(a), Some(AppState::Failed));
    assert_eq!(
        lc.instance(a).unwrap().failure,
        Some(Failure::Trap("unreachable executed".into()))
    );
    let b = lc.launch(APP).unwrap();
    lc.exited(b, 3).unwrap();
    assert_eq!(lc.state(b), Some(AppState::Failed));
    assert_eq!(lc.instance(b).unwrap().failure, Some(Failure::Exit(3)));
    assert_eq!(
        lc.instance(b)
            .unwrap()
            .failure
            .as_ref()
            .unwrap()
            .to_string(),
        "exited with code 3"
    );
}

#[test]
fn illegal_transitions_are_typed_errors() {
    let mut lc = Lifecycle::default();
    let i = lc.launch(APP).unwrap();
    let err = lc.suspend(i).unwrap_err();
    assert_eq!(
        err,
        AppError::InvalidTransition {
            subject: format!("instance {i} of app {APP}"),
            from: AppState::Launching,
            to: AppState::Suspended,
        }
    );
    assert_eq!(err.errno(), Errno::EINVAL);
    assert!(
        err.to_string()
            .contains("cannot go from Launching to Suspended")
    );
    assert!(lc.resume(i).is_err());
    lc.running(i).unwrap();
    assert!(lc.running(i).is_err());
    lc.suspend(i).unwrap();
    assert!(
        lc.exited(i, 0).is_err(),
        "a suspended instance does not run"
    );
    assert!(lc.trapped(i, "x").is_err());
    lc.terminate(i).unwrap();
    for r in [
        lc.running(i),
        lc.suspend(i),
        lc.resume(i),
        lc.terminate(i),
        lc.exited(i, 1),
        lc.trapped(i, "late"),
    ] {
        assert!(
            matches!(
                r,
                Err(AppError::InvalidTransition {
                    from: AppState::Terminated,
                    ..
                })
            ),
            "{r:?}"
        );
    }
    assert!(lc.on_failure(i, 0).is_err(), "not failed");
    let ghost = kpio_app::AppInstanceId(999);
    let err = lc.running(ghost).unwrap_err();
    assert!(matches!(err, AppError::NotFound(ref s) if s == "instance 999"));
    assert_eq!(err.errno(), Errno::ENOENT);
    let live = lc.launch(APP).unwrap();
    assert!(lc.reap(live).is_err(), "a live instance is not reaped");
}

/// Fails a fresh instance of APP and asks for a decision.
fn fail_once(lc: &mut Lifecycle, now: u64) -> RestartDecision {
    let i = lc.launch(APP).unwrap();
    lc.running(i).unwrap();
    lc.trapped(i, "boom").unwrap();
    lc.on_failure(i, now).unwrap()
}

#[test]
fn restart_at_most_three_times_with_backoff_then_stay_failed() {
    let mut lc = Lifecycle::default();
    assert_eq!(lc.policy(), RestartPolicy::default());
    assert_eq!(fail_once(&mut lc, 1000), RestartDecision::RestartAt(1100));
    assert_eq!(fail_once(&mut lc, 2000), RestartDecision::RestartAt(2200));
    assert_eq!(fail_once(&mut lc, 3000), RestartDecision::RestartAt(3400));
    assert_eq!(lc.failures(APP), 3);
    assert_eq!(fail_once(&mut lc, 4000), RestartDecision::GiveUp);
    assert_eq!(lc.app_state(APP), AppState::Failed);
    let err = lc.launch(APP).unwrap_err();
    assert!(matches!(
        err,
        AppError::InvalidTransition {
            from: AppState::Failed,
            to: AppState::Launching,
            ..
        }
    ));
    // Other apps are unaffected.
    lc.launch(OTHER).unwrap();
    // An explicit reset lets the user launch it again, with a fresh count.
    lc.reset(APP);
    assert_eq!(lc.app_state(APP), AppState::Registered);
    assert_eq!(fail_once(&mut lc, 5000), RestartDecision::RestartAt(5100));
}

#[test]
fn a_decision_is_made_once_per_failed_instance() {
    let mut lc = Lifecycle::default();
    let i = lc.launch(APP).unwrap();
    lc.exited(i, 1).unwrap();
    lc.on_failure(i, 0).unwrap();
    assert!(matches!(
        lc.on_failure(i, 0),
        Err(AppError::InvalidTransition { .. })
    ));
    assert_eq!(lc.failures(APP), 1);
}

#[test]
fn a_clean_run_resets_the_failure_count() {
    let mut lc = Lifecycle::default();
    fail_once(&mut lc, 0);
    fail_once(&mut lc, 0);
    assert_eq!(lc.failures(APP), 2);

    // Terminated while still launching: not a clean run.
    let i = lc.launch(APP).unwrap();
    lc.terminate(i).unwrap();
    assert_eq!(lc.failures(APP), 2);

    // Ran, then exited 0: clean.
    let i = lc.launch(APP).unwrap();
    lc.running(i).unwrap();
    lc.exited(i, 0).unwrap();
    assert_eq!(lc.failures(APP), 0);
    assert_eq!(fail_once(&mut lc, 0), RestartDecision::RestartAt(100));

    // Ran, then terminated on request: clean too.
    let i = lc.launch(APP).unwrap();
    lc.running(i).unwrap();
    lc.terminate(i).unwrap();
    assert_eq!(lc.failures(APP), 0);
}

#[test]
fn custom_policy() {
    let mut lc = Lifecycle::new(RestartPolicy {
        max_restarts: 1,
        base_backoff_ms: 10,
        factor: 3,
    });
    assert_eq!(fail_once(&mut lc, 0), RestartDecision::RestartAt(10));
    assert_eq!(fail_once(&mut lc, 0), RestartDecision::GiveUp);
    let never = RestartPolicy {
        max_restarts: 0,
        ..RestartPolicy::default()
    };
    let mut lc = Lifecycle::new(never);
    assert_eq!(fail_once(&mut lc, 0), RestartDecision::GiveUp);
}
