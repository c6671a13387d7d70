//! [`HostCtx`]: one app instance's state for the import modules (who it is, what it may
//! do, its backends, its log and cancel flag) and the permission checks every call makes
//! first.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::string::{String, ToString};
use core::fmt;

use kpio_app::{AppError, AppInstanceId, Capability, NetworkPermission, Permissions};

use crate::abi::HostError;
use crate::platform::{Cancel, Denial, GuiBackend, HostLog, NetBackend, NullLog, SystemBackend};

/// Denials a context keeps by default (see [`HostCtxBuilder::max_denials`]).
pub const DEFAULT_MAX_DENIALS: usize = 32;

/// Why [`HostCtxBuilder::build`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostCtxError {
    /// No [`SystemBackend`] was given (the `host` feature supplies `StdSystem` by default).
    MissingSystem,
    /// The app id is empty.
    EmptyAppId,
}

impl fmt::Display for HostCtxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostCtxError::MissingSystem => {
                f.write_str("no system backend was given (HostCtxBuilder::system)")
            }
            HostCtxError::EmptyAppId => f.write_str("the app id is empty"),
        }
    }
}

impl core::error::Error for HostCtxError {}

/// One app instance's host-API state. Build it with [`HostCtx::builder`], put it in the
/// store data, and register the modules with [`crate::add_to_linker`].
pub struct HostCtx {
    pub(crate) app_id: String,
    instance_id: AppInstanceId,
    permissions: Permissions,
    pub(crate) gui: Option<Box<dyn GuiBackend>>,
    pub(crate) system: Box<dyn SystemBackend>,
    pub(crate) net: Box<dyn NetBackend>,
    pub(crate) log: Box<dyn HostLog>,
    pub(crate) cancel: Cancel,
    denials: VecDeque<Denial>,
    max_denials: usize,
    denial_count: u64,
    last_fault: Option<String>,
}

impl fmt::Debug for HostCtx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostCtx")
            .field("app_id", &self.app_id)
            .field("instance_id", &self.instance_id)
            .field("permissions", &self.permissions)
            .field("gui", &self.gui.is_some())
            .field("cancel", &self.cancel)
            .field("denial_count", &self.denial_count)
            .finish_non_exhaustive()
    }
}

impl HostCtx {
    /// A builder for app `app_id` (the manifest's package id, e.g. `"com.kpio.calculator"`).
    /// Defaults: instance 0, least-privilege permissions, no GUI backend, no log, never
    /// cancelled; the network is `NoNet` and the system backend must be given, except
    /// with feature `host`, where they default to `StdNet` and `StdSystem`.
    pub fn builder(app_id: impl Into<String>) -> HostCtxBuilder {
        HostCtxBuilder {
            app_id: app_id.into(),
            instance_id: AppInstanceId(0),
            permissions: Permissions::default(),
            gui: None,
            system: None,
            net: None,
            log: None,
            cancel: Cancel::never(),
            max_denials: DEFAULT_MAX_DENIALS,
        }
    }

    pub fn app_id(&self) -> &str {
        &self.app_id
    }
    pub fn instance_id(&self) -> AppInstanceId {
        self.instance_id
    }
    pub fn permissions(&self) -> &Permissions {
        &self.permissions
    }
    /// The cancel check blocking calls consult.
    pub fn cancel(&self) -> &Cancel {
        &self.cancel
    }
    /// Replaces the cancel check (e.g. once the store's interrupt handle exists).
    pub fn set_cancel(&mut self, cancel: Cancel) {
        self.cancel = cancel;
    }
    /// The most recent denials, oldest first (at most `max_denials` of them).
    pub fn recent_denials(&self) -> impl ExactSizeIterator<Item = &Denial> {
        self.denials.iter()
    }
    /// How many calls were denied in all (including those no longer kept).
    pub fn denial_count(&self) -> u64 {
        self.denial_count
    }
    /// Why the last call that trapped on a bad guest buffer did (naming the function,
    /// pointer and length), e.g. for the window's failure text.
    pub fn last_fault(&self) -> Option<&str> {
        self.last_fault.as_deref()
    }
    /// The GUI backend, if the instance has a display.
    pub fn gui_mut(&mut self) -> Option<&mut (dyn GuiBackend + 'static)> {
        self.gui.as_deref_mut()
    }

    /// Records (and logs) why a call is about to trap on a bad guest buffer.
    pub(crate) fn record_fault(&mut self, message: String) {
        self.log.fault(&self.app_id, self.instance_id, &message);
        self.last_fault = Some(message);
    }

    /// Records and logs a denial of `call`; returns the error the call reports.
    pub(crate) fn deny(&mut self, call: &'static str, what: String) -> HostError {
        let denial = Denial { call, what };
        self.log.denied(&self.app_id, self.instance_id, &denial);
        if self.max_denials > 0 {
            if self.denials.len() == self.max_denials {
                self.denials.pop_front();
            }
            self.denials.push_back(denial);
        }
        self.denial_count += 1;
        HostError::Denied
    }

    /// `Ok` if the app has `cap`, else a logged denial of `call`.
    pub(crate) fn require(&mut self, call: &'static str, cap: Capability) -> Result<(), HostError> {
        match self.permissions.check(cap) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.deny(call, permission_text(e))),
        }
    }

    /// `Ok` if the app has any network access, else a logged denial of `call`.
    pub(crate) fn require_network(&mut self, call: &'static str) -> Result<(), HostError> {
        if self.permissions.network == NetworkPermission::None {
            return Err(self.deny(call, "network is not granted (network: None)".to_string()));
        }
        Ok(())
    }

    /// `Ok` if the app may reach `host` (a name or an IP literal); an empty host is
    /// `Invalid`, a host outside the scope a logged denial of `call`.
    pub(crate) fn require_host(&mut self, call: &'static str, host: &str) -> Result<(), HostError> {
        match self.permissions.check_network(host) {
            Ok(()) => Ok(()),
            Err(AppError::Permission { what }) => Err(self.deny(call, what)),
            Err(_) => Err(HostError::Invalid),
        }
    }
}

fn permission_text(e: AppError) -> String {
    match e {
        AppError::Permission { what } => what,
        other => other.to_string(),
    }
}

/// Builds a [`HostCtx`]; see [`HostCtx::builder`].
pub struct HostCtxBuilder {
    app_id: String,
    instance_id: AppInstanceId,
    permissions: Permissions,
    gui: Option<Box<dyn GuiBackend>>,
    system: Option<Box<dyn SystemBackend>>,
    net: Option<Box<dyn NetBackend>>,
    log: Option<Box<dyn HostLog>>,
    cancel: Cancel,
    max_denials: usize,
}

impl HostCtxBuilder {
    pub fn instance_id(mut self, id: AppInstanceId) -> Self {
        self.instance_id = id;
        self
    }
    pub fn permissions(mut self, p: Permissions) -> Self {
        self.permissions = p;
        self
    }
    /// The display; without one, `kpio_gui` calls the app is allowed return `UNAVAILABLE`.
    pub fn gui(mut self, gui: Box<dyn GuiBackend>) -> Self {
        self.gui = Some(gui);
        self
    }
    pub fn system(mut self, system: Box<dyn SystemBackend>) -> Self {
        self.system = Some(system);
        self
    }
    pub fn net(mut self, net: Box<dyn NetBackend>) -> Self {
        self.net = Some(net);
        self
    }
    pub fn log(mut self, log: Box<dyn HostLog>) -> Self {
        self.log = Some(log);
        self
    }
    pub fn cancel(mut self, cancel: Cancel) -> Self {
        self.cancel = cancel;
        self
    }
    /// How many recent denials [`HostCtx::recent_denials`] keeps (default
    /// [`DEFAULT_MAX_DENIALS`]; 0 keeps none, the log still sees them all).
    pub fn max_denials(mut self, n: usize) -> Self {
        self.max_denials = n;
        self
    }

    pub fn build(self) -> Result<HostCtx, HostCtxError> {
        if self.app_id.is_empty() {
            return Err(HostCtxError::EmptyAppId);
        }
        let system = match self.system {
            Some(s) => s,
            None => default_system()?,
        };
        Ok(HostCtx {
            app_id: self.app_id,
            instance_id: self.instance_id,
            permissions: self.permissions,
            gui: self.gui,
            system,
            net: self.net.unwrap_or_else(default_net),
            log: self.log.unwrap_or_else(|| Box::new(NullLog)),
            cancel: self.cancel,
            denials: VecDeque::new(),
            max_denials: self.max_denials,
            denial_count: 0,
            last_fault: None,
        })
    }
}

#[cfg(feature = "host")]
fn default_system() -> Result<Box<dyn SystemBackend>, HostCtxError> {
    Ok(Box::new(crate::host::StdSystem::new()))
}

#[cfg(not(feature = "host"))]
fn default_system() -> Result<Box<dyn SystemBackend>, HostCtxError> {
    Err(HostCtxError::MissingSystem)
}

#[cfg(feature = "host")]
fn default_net() -> Box<dyn NetBackend> {
    Box::new(crate::host::StdNet::new())
}

#[cfg(not(feature = "host"))]
fn default_net() -> Box<dyn NetBackend> {
    Box::new(crate::platform::NoNet)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::HostError;
    use alloc::string::String;
    use alloc::vec::Vec;

    struct Clock;
    impl SystemBackend for Clock {
        fn wall_clock_ms(&self) -> i64 {
            0
        }
        fn monotonic_ns(&self) -> i64 {
            0
        }
        fn hostname(&self) -> Result<String, HostError> {
            Err(HostError::Unavailable)
        }
        fn locale(&self) -> String {
            "en-US".into()
        }
        fn clipboard_read(&mut self) -> Result<String, HostError> {
            Err(HostError::Unavailable)
        }
        fn clipboard_write(&mut self, _: &str) -> Result<(), HostError> {
            Err(HostError::Unavailable)
        }
        fn notify(&mut self, _: &str, _: &str, _: &str) -> Result<u32, HostError> {
            Err(HostError::Unavailable)
        }
    }

    fn ctx(max: usize) -> HostCtx {
        HostCtx::builder("a")
            .system(Box::new(Clock))
            .max_denials(max)
            .build()
            .unwrap()
    }

    #[test]
    fn a_context_can_move_to_an_app_thread() {
        fn is_send<T: Send>() {}
        is_send::<HostCtx>();
    }

    #[test]
    fn builder_checks() {
        assert_eq!(
            HostCtx::builder("")
                .system(Box::new(Clock))
                .build()
                .unwrap_err(),
            HostCtxError::EmptyAppId
        );
        #[cfg(not(feature = "host"))]
        assert_eq!(
            HostCtx::builder("a").build().unwrap_err(),
            HostCtxError::MissingSystem
        );
    }

    #[test]
    fn denials_are_kept_in_a_ring() {
        let mut c = ctx(2);
        for call in ["m::a", "m::b", "m::c"] {
            assert_eq!(c.require(call, Capability::Gui), Err(HostError::Denied));
        }
        let kept: Vec<_> = c.recent_denials().map(|d| d.call).collect();
        assert_eq!(kept, ["m::b", "m::c"]);
        assert_eq!(c.denial_count(), 3);
        let mut none = ctx(0);
        assert_eq!(none.require_network("m::n"), Err(HostError::Denied));
        assert_eq!(none.recent_denials().count(), 0);
        assert_eq!(none.denial_count(), 1);
        // Not a denial: an empty host is a bad argument.
        assert_eq!(none.require_host("m::h", ""), Err(HostError::Invalid));
        assert_eq!(none.denial_count(), 1);
    }
}
