//! Instances of apps and their states, with a restart policy for failures.
//!
//! ```text
//!              launch            running              suspend
//! (Registered) ──────► Launching ───────► Running ◄──────────► Suspended
//!                        │   │             │  │      resume       │
//!                        │   │ exited(0),  │  │ exited(0),        │ terminate
//!                        │   │ terminate   │  │ terminate         ▼
//!                        │   └─────────────┼──┴──────────────► Terminated
//!                        │ exited(≠0),     │ exited(≠0), trapped
//!                        └─ trapped ───────┴─────────────────► Failed
//! ```
//!
//! `Registered` is the state of an app with no instance yet; every [`Lifecycle::launch`]
//! makes a new instance with its own [`AppInstanceId`], so one app can run several at once.
//! `Terminated` and `Failed` are final for an instance; any other event there, and any event
//! the diagram does not show, is [`AppError::InvalidTransition`]. Finished instances stay
//! queryable until [`Lifecycle::reap`]ed.
//!
//! # Restarts
//!
//! After an instance fails, the supervisor asks [`Lifecycle::on_failure`] (once per failed
//! instance) whether to restart the app. Failures are counted per app:
//!
//! - the k-th consecutive failure (k = 1, 2, …) gets `RestartAt(now + base_backoff_ms ×
//!   factor^(k-1))` while k ≤ `max_restarts` — with the default policy 100, 200 and 400 ms;
//! - the failure after that is `GiveUp`: the app is marked failed ([`Lifecycle::app_state`]
//!   is `Failed`) and [`Lifecycle::launch`] refuses it until [`Lifecycle::reset`] (an
//!   explicit user action, such as `kpio launch` after a failure) clears the mark;
//! - the count goes back to 0 after a *clean run*: an instance of the app that reached
//!   `Running` ends `Terminated` (exit code 0 or [`Lifecycle::terminate`]). An instance
//!   terminated while still `Launching` neither counts nor resets.
//!
//! The restart itself is an ordinary `launch` at the time given; the clock is the caller's.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::error::AppError;
use crate::types::{AppInstanceId, KernelAppId};

/// The state of an instance (or, through [`Lifecycle::app_state`], of an app).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppState {
    /// Installed, no instance running (apps only).
    Registered,
    /// Being loaded and instantiated.
    Launching,
    Running,
    Suspended,
    /// Ended normally (exit code 0 or terminated).
    Terminated,
    /// Ended by a trap or a non-zero exit code; for an app: given up after too many
    /// failures.
    Failed,
}

impl fmt::Display for AppState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AppState::Registered => "Registered",
            AppState::Launching => "Launching",
            AppState::Running => "Running",
            AppState::Suspended => "Suspended",
            AppState::Terminated => "Terminated",
            AppState::Failed => "Failed",
        })
    }
}

/// Why an instance failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// It exited with this non-zero code.
    Exit(i32),
    /// It trapped (or was killed for running out of fuel or memory); the text says why.
    Trap(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Exit(code) => write!(f, "exited with code {code}"),
            Failure::Trap(reason) => write!(f, "trapped: {reason}"),
        }
    }
}

/// How failed apps are restarted; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestartPolicy {
    /// Restarts after consecutive failures before giving up.
    pub max_restarts: u32,
    /// Delay before the first restart.
    pub base_backoff_ms: u64,
    /// Each further restart waits this many times longer.
    pub factor: u32,
}

impl Default for RestartPolicy {
    /// 3 restarts, after 100, 200 and 400 ms.
    fn default() -> Self {
        RestartPolicy {
            max_restarts: 3,
            base_backoff_ms: 100,
            factor: 2,
        }
    }
}

impl RestartPolicy {
    /// The delay before restart number `attempt` (1-based), saturating.
    pub fn backoff_ms(&self, attempt: u32) -> u64 {
        let mult = u64::from(self.factor).saturating_pow(attempt.saturating_sub(1));
        self.base_backoff_ms.saturating_mul(mult)
    }
}

/// What [`Lifecycle::on_failure`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartDecision {
    /// Launch the app again at this time (the caller's clock, in ms).
    RestartAt(u64),
    /// Too many failures in a row: leave the app failed.
    GiveUp,
}

/// What the lifecycle knows about one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceInfo {
    pub id: AppInstanceId,
    pub app: KernelAppId,
    pub state: AppState,
    /// Why it failed, when `state` is `Failed`.
    pub failure: Option<Failure>,
    /// It reached `Running` at some point.
    pub ran: bool,
    /// [`Lifecycle::on_failure`] has been asked about it.
    pub restart_decided: bool,
}

#[derive(Debug, Clone, Default)]
struct AppRecord {
    /// Consecutive failures counted so far.
    failures: u32,
    given_up: bool,
}

/// The instances of all apps; see the module docs.
#[derive(Debug, Clone)]
pub struct Lifecycle {
    policy: RestartPolicy,
    next_instance: u64,
    instances: BTreeMap<AppInstanceId, InstanceInfo>,
    apps: BTreeMap<KernelAppId, AppRecord>,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Lifecycle::new(RestartPolicy::default())
    }
}

impl Lifecycle {
    pub fn new(policy: RestartPolicy) -> Lifecycle {
        Lifecycle {
            policy,
            next_instance: 1,
            instances: BTreeMap::new(),
            apps: BTreeMap::new(),
        }
    }

    pub fn policy(&self) -> RestartPolicy {
        self.policy
    }

    /// A new instance of `app`, in state `Launching`. `InvalidTransition` (from `Failed`)
    /// if the app was given up on and not [`reset`](Lifecycle::reset) since.
    pub fn launch(&mut self, app: KernelAppId) -> Result<AppInstanceId, AppError> {
        if self.apps.get(&app).is_some_and(|r| r.given_up) {
            return Err(AppError::InvalidTransition {
                subject: format!("app {app} (given up after repeated failures)"),
                from: AppState::Failed,
                to: AppState::Launching,
            });
        }
        let id = AppInstanceId(self.next_instance);
        self.next_instance += 1;
        self.instances.insert(
            id,
            InstanceInfo {
                id,
                app,
                state: AppState::Launching,
                failure: None,
                ran: false,
                restart_decided: false,
            },
        );
        Ok(id)
    }

    /// Launching → Running.
    pub fn running(&mut self, inst: AppInstanceId) -> Result<(), AppError> {
        self.transition(inst, AppState::Running, &[AppState::Launching])?;
        self.get_mut(inst)?.ran = true;
        Ok(())
    }

    /// Running → Suspended.
    pub fn suspend(&mut self, inst: AppInstanceId) -> Result<(), AppError> {
        self.transition(inst, AppState::Suspended, &[AppState::Running])
    }

    /// Suspended → Running.
    pub fn resume(&mut self, inst: AppInstanceId) -> Result<(), AppError> {
        self.transition(inst, AppState::Running, &[AppState::Suspended])
    }

    /// The instance's code ended with `code`: 0 → `Terminated`, anything else → `Failed`.
    /// From `Launching` or `Running`.
    pub fn exited(&mut self, inst: AppInstanceId, code: i32) -> Result<(), AppError> {
        let from = [AppState::Launching, AppState::Running];
        if code == 0 {
            self.transition(inst, AppState::Terminated, &from)?;
            self.clean_end(inst);
            Ok(())
        } else {
            self.transition(inst, AppState::Failed, &from)?;
            self.get_mut(inst)?.failure = Some(Failure::Exit(code));
            Ok(())
        }
    }

    /// The instance trapped: → `Failed`. From `Launching` or `Running`.
    pub fn trapped(
        &mut self,
        inst: AppInstanceId,
        reason: impl Into<String>,
    ) -> Result<(), AppError> {
        self.transition(
            inst,
            AppState::Failed,
            &[AppState::Launching, AppState::Running],
        )?;
        self.get_mut(inst)?.failure = Some(Failure::Trap(reason.into()));
        Ok(())
    }

    /// Stops the instance on request: → `Terminated`. From `Launching`, `Running` or
    /// `Suspended`.
    pub fn terminate(&mut self, inst: AppInstanceId) -> Result<(), AppError> {
        self.transition(
            inst,
            AppState::Terminated,
            &[AppState::Launching, AppState::Running, AppState::Suspended],
        )?;
        self.clean_end(inst);
        Ok(())
    }

    /// Decides whether to restart the app of the failed instance `inst` (see the module
    /// docs). `now_ms` is the caller's clock. `InvalidTransition` if the instance is not
    /// `Failed` or was already decided on; `NotFound` if unknown.
    pub fn on_failure(
        &mut self,
        inst: AppInstanceId,
        now_ms: u64,
    ) -> Result<RestartDecision, AppError> {
        let info = self.get_mut(inst)?;
        if info.state != AppState::Failed || info.restart_decided {
            return Err(AppError::InvalidTransition {
                subject: format!("instance {inst} (restart decision)"),
                from: info.state,
                to: AppState::Launching,
            });
        }
        info.restart_decided = true;
        let app = info.app;
        let policy = self.policy;
        let rec = self.apps.entry(app).or_default();
        rec.failures = rec.failures.saturating_add(1);
        if rec.failures > policy.max_restarts {
            rec.given_up = true;
            return Ok(RestartDecision::GiveUp);
        }
        Ok(RestartDecision::RestartAt(
            now_ms.saturating_add(policy.backoff_ms(rec.failures)),
        ))
    }

    /// Clears the failure count and the given-up mark of `app` (a user asked to launch
    /// it again).
    pub fn reset(&mut self, app: KernelAppId) {
        self.apps.remove(&app);
    }

    /// Consecutive failures counted for `app` (see the module docs).
    pub fn failures(&self, app: KernelAppId) -> u32 {
        self.apps.get(&app).map_or(0, |r| r.failures)
    }

    /// The state of an instance.
    pub fn state(&self, inst: AppInstanceId) -> Option<AppState> {
        self.instances.get(&inst).map(|i| i.state)
    }

    /// Everything known about an instance.
    pub fn instance(&self, inst: AppInstanceId) -> Option<&InstanceInfo> {
        self.instances.get(&inst)
    }

    /// All instances still tracked, by id.
    pub fn instances(&self) -> impl Iterator<Item = &InstanceInfo> {
        self.instances.values()
    }

    /// The tracked instances of one app, by id.
    pub fn instances_of(&self, app: KernelAppId) -> impl Iterator<Item = &InstanceInfo> {
        self.instances.values().filter(move |i| i.app == app)
    }

    /// Instances of `app` that are `Launching`, `Running` or `Suspended`.
    pub fn live_instances(&self, app: KernelAppId) -> Vec<AppInstanceId> {
        self.instances_of(app)
            .filter(|i| is_live(i.state))
            .map(|i| i.id)
            .collect()
    }

    /// The state of an app as a whole: `Failed` if given up on; otherwise the most active
    /// state among its live instances (`Running` > `Launching` > `Suspended`); otherwise
    /// `Registered`.
    pub fn app_state(&self, app: KernelAppId) -> AppState {
        if self.apps.get(&app).is_some_and(|r| r.given_up) {
            return AppState::Failed;
        }
        let mut best = AppState::Registered;
        for i in self.instances_of(app) {
            best = match (best, i.state) {
                (_, AppState::Running) | (AppState::Running, _) => AppState::Running,
                (_, AppState::Launching) | (AppState::Launching, _) => AppState::Launching,
                (_, AppState::Suspended) | (AppState::Suspended, _) => AppState::Suspended,
                _ => best,
            };
        }
        best
    }

    /// Forgets a finished (`Terminated` or `Failed`) instance and returns its record.
    /// `InvalidTransition` for a live one, `NotFound` for an unknown one.
    pub fn reap(&mut self, inst: AppInstanceId) -> Result<InstanceInfo, AppError> {
        let info = self.get_mut(inst)?;
        if is_live(info.state) {
            return Err(AppError::InvalidTransition {
                subject: format!("instance {inst} (reap)"),
                from: info.state,
                to: AppState::Terminated,
            });
        }
        self.instances
            .remove(&inst)
            .ok_or_else(|| AppError::NotFound(format!("instance {inst}")))
    }

    /// Forgets everything about `app` (it was uninstalled). `Busy` if it has live
    /// instances.
    pub fn forget_app(&mut self, app: KernelAppId) -> Result<(), AppError> {
        if !self.live_instances(app).is_empty() {
            return Err(AppError::Busy(format!("app {app} has running instances")));
        }
        self.instances.retain(|_, i| i.app != app);
        self.apps.remove(&app);
        Ok(())
    }

    fn get_mut(&mut self, inst: AppInstanceId) -> Result<&mut InstanceInfo, AppError> {
        self.instances
            .get_mut(&inst)
            .ok_or_else(|| AppError::NotFound(format!("instance {inst}")))
    }

    fn transition(
        &mut self,
        inst: AppInstanceId,
        to: AppState,
        allowed_from: &[AppState],
    ) -> Result<(), AppError> {
        let info = self.get_mut(inst)?;
        if !allowed_from.contains(&info.state) {
            return Err(AppError::InvalidTransition {
                subject: format!("instance {inst} of app {}", info.app),
                from: info.state,
                to,
            });
        }
        info.state = to;
        Ok(())
    }

    /// An instance ended `Terminated`: a clean run resets its app's failure count.
    fn clean_end(&mut self, inst: AppInstanceId) {
        if let Some(info) = self.instances.get(&inst)
            && info.ran
            && let Some(rec) = self.apps.get_mut(&info.app)
            && !rec.given_up
        {
            rec.failures = 0;
        }
    }
}

fn is_live(s: AppState) -> bool {
    matches!(
        s,
        AppState::Launching | AppState::Running | AppState::Suspended
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_saturates() {
        let p = RestartPolicy::default();
        assert_eq!(
            [p.backoff_ms(1), p.backoff_ms(2), p.backoff_ms(3)],
            [100, 200, 400]
        );
        assert_eq!(p.backoff_ms(200), u64::MAX);
    }
}
