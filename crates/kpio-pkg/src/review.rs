//! The permission review of an install: a person sees what an app asks for and approves it
//! before anything is installed, and again when an update asks for something else.
//!
//! The manager cannot ask anyone, so the caller answers in [`InstallOptions::review`]
//! (`crate::InstallOptions`): [`Review::Required`] (the default) fails an install that
//! needs approval with [`PkgError::NeedsApproval`], which carries what to show; the caller
//! shows it (`kpio install`'s prompt, the desktop's dialog) and installs again with
//! [`Review::Approved`] naming exactly what was approved. An update that asks for the same
//! permissions as the approved version needs no new answer. The answer is stored in the
//! app's [`AppDescriptor::approval`](kpio_app::AppDescriptor).

use kpio_app::{Approval, ApprovalSource, Permissions};

use crate::error::{ApprovalNeeded, PkgError};

/// How an install's permission review is answered. See the module docs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Review {
    /// Nobody has answered: an install whose permissions are not already approved fails
    /// with [`PkgError::NeedsApproval`].
    #[default]
    Required,
    /// Whatever the package asks for is approved in advance (`kpio install --yes`,
    /// scripts, tests).
    AcceptRequested,
    /// A person approved exactly `permissions` (what [`PkgError::NeedsApproval`] showed);
    /// a package asking for anything else is not approved.
    Approved {
        permissions: Permissions,
        via: ApprovalSource,
    },
}

/// What an install of app `app` (version `version`, display name `name`) asking for
/// `requested` is approved with, given the installed version's approval `previous`, at
/// `now_ns`.
pub(crate) fn approve(
    review: &Review,
    app: &str,
    name: &str,
    version: &str,
    requested: &Permissions,
    previous: Option<&Approval>,
    now_ns: u64,
) -> Result<Approval, PkgError> {
    let approval = |via| Approval {
        permissions: requested.clone(),
        approved_at: now_ns,
        via,
    };
    match review {
        Review::AcceptRequested => return Ok(approval(ApprovalSource::Unattended)),
        Review::Approved { permissions, via } if permissions == requested => {
            return Ok(approval(*via));
        }
        Review::Approved { .. } | Review::Required => {}
    }
    if let Some(prev) = previous
        && &prev.permissions == requested
    {
        return Ok(Approval {
            permissions: requested.clone(),
            approved_at: prev.approved_at,
            via: ApprovalSource::Unchanged,
        });
    }
    Err(PkgError::NeedsApproval(Box::new(ApprovalNeeded {
        app: app.into(),
        name: name.into(),
        version: version.into(),
        requested: requested.clone(),
        previous: previous.map(|p| p.permissions.clone()),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn perms(gui: bool) -> Permissions {
        Permissions {
            gui,
            ..Permissions::default()
        }
    }

    #[test]
    fn required_fails_until_approved_and_carries_over_unchanged_permissions() {
        let err = approve(&Review::Required, "a", "A", "1.0.0", &perms(true), None, 5).unwrap_err();
        assert!(
            matches!(&err, PkgError::NeedsApproval(n) if n.requested.gui && n.previous.is_none()),
            "{err:?}"
        );
        let ok = approve(
            &Review::Approved {
                permissions: perms(true),
                via: ApprovalSource::Prompt,
            },
            "a",
            "A",
            "1.0.0",
            &perms(true),
            None,
            5,
        )
        .unwrap();
        assert_eq!((ok.approved_at, ok.via), (5, ApprovalSource::Prompt));
        // The update asks for the same: carried over with the original time.
        let again = approve(
            &Review::Required,
            "a",
            "A",
            "1.1.0",
            &perms(true),
            Some(&ok),
            9,
        )
        .unwrap();
        assert_eq!(
            (again.approved_at, again.via),
            (5, ApprovalSource::Unchanged)
        );
        // The update asks for something else: asked again, showing what was approved.
        let changed = approve(
            &Review::Required,
            "a",
            "A",
            "1.2.0",
            &perms(false),
            Some(&ok),
            9,
        );
        assert!(matches!(
            changed,
            Err(PkgError::NeedsApproval(n)) if n.previous.as_ref().is_some_and(|p| p.gui)
        ));
    }

    #[test]
    fn an_approval_of_other_permissions_does_not_count() {
        let r = approve(
            &Review::Approved {
                permissions: perms(false),
                via: ApprovalSource::Dialog,
            },
            "a",
            "A",
            "1.0.0",
            &perms(true),
            None,
            1,
        );
        assert!(matches!(r, Err(PkgError::NeedsApproval(_))));
        let yes = approve(
            &Review::AcceptRequested,
            "a",
            "A",
            "1.0.0",
            &perms(true),
            None,
            1,
        )
        .unwrap();
        assert_eq!(yes.via, ApprovalSource::Unattended);
    }
}
