//! [`AppManager`] as the app layer's [`AppServices`]: what syscalls 106–111 call.
//!
//! Launch runs the app to completion on the calling thread (with the manager's default
//! [`Stdio`](crate::Stdio)) and returns its last instance, which the caller can inspect in
//! [`AppManager::lifecycle`]; an instance that has finished cannot be terminated
//! (`InvalidTransition`).

use kpio_app::{AppDescriptor, AppError, AppInstanceId, AppServices, KernelAppId};

use crate::error::PkgError;
use crate::install::{AppManager, InstallOptions};

impl From<PkgError> for AppError {
    fn from(e: PkgError) -> Self {
        match e {
            PkgError::App(e) => e,
            PkgError::Vfs { error, .. } => AppError::Vfs(error),
            PkgError::NotInstalled { app } => AppError::NotFound(format!("app {app}")),
            PkgError::TooLarge { size, limit } => AppError::TooLarge {
                what: "package",
                size,
                limit,
            },
            PkgError::Corrupt { path, reason } => AppError::Corrupt { path, reason },
            PkgError::NeedsApproval(_) => AppError::Permission {
                what: e.to_string(),
            },
            PkgError::Conflict { .. } | PkgError::Downgrade { .. } => {
                AppError::Exists(e.to_string())
            }
            other => AppError::Invalid(other.to_string()),
        }
    }
}

impl AppServices for AppManager {
    fn install(&mut self, pkg: &[u8]) -> Result<KernelAppId, AppError> {
        Ok(AppManager::install(self, pkg, InstallOptions::default(), &mut |_| {})?.id)
    }

    fn launch(&mut self, id: KernelAppId, args: Vec<String>) -> Result<AppInstanceId, AppError> {
        let stdio = std::mem::take(&mut self.default_stdio);
        let outcome = AppManager::launch(self, id, &args, &stdio);
        self.default_stdio = stdio;
        Ok(outcome?
            .runs
            .last()
            .map(|(inst, _)| *inst)
            .expect("a launch runs at least once"))
    }

    fn terminate(&mut self, inst: AppInstanceId) -> Result<(), AppError> {
        self.lifecycle.terminate(inst)
    }

    fn info(&self, id: KernelAppId) -> Result<AppDescriptor, AppError> {
        Ok(AppManager::info(self, id)?.clone())
    }

    fn list(&self) -> Vec<KernelAppId> {
        self.registry.list().map(|d| d.id).collect()
    }

    fn uninstall(&mut self, id: KernelAppId) -> Result<(), AppError> {
        AppManager::uninstall(self, id)?;
        Ok(())
    }
}
