//! The app commands: `kpio pack`, `install`, `list`, `info`, `run ID|X.kpioapp`,
//! `uninstall`, `ps`, `kill`, over an app platform whose VFS lives in `KPIO_HOME`.
//!
//! # The lock, and running apps
//!
//! `KPIO_HOME/.lock` (an flock) serialises changes to the platform. It is held only around
//! registry and install work: `kpio run ID` prepares the launch under it (resolve, read
//! and validate the module, commit `last_launched`, record the instance), releases it,
//! and only then runs the app, so `list`, `install` and other apps never wait behind a
//! running one. A running instance is recorded in `system/run/` ([`kpio_pkg::Instances`])
//! and removed when it ends, so `kpio ps` lists it, `kpio kill N` ends it (SIGTERM, which
//! interrupts the guest; SIGKILL if it does not end within [`KILL_GRACE`]), and
//! `kpio uninstall` stops an app's instances before removing it. The end of a run needs
//! no registry change, so a stopping app never waits for the lock (an uninstall holding it
//! waits for the app).
//!
//! # KPIO_HOME is private
//!
//! It is created 0700 (an existing one loses its group and other bits), it must belong
//! to the user running `kpio`, and everything below it is created with umask 077 (files
//! 0600, directories 0700). The lock file is opened without following a symlink and
//! without truncating: a planted `.lock -> victim` makes the command fail, naming it, and
//! leaves the victim alone.
//!
//! Commands that reach the platform go through the app syscall dispatcher (106–111) via
//! `kpio-userlib`'s in-process backend, exactly the path a KPIO program takes in the
//! kernel. The dispatcher only returns errnos, so the services behind it keep the last
//! detailed error for the message the user sees.

use std::fmt;
use std::fs::File;
use std::io::{IsTerminal, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kpio_app::{
    AppDescriptor, AppError, AppInstanceId, AppServices, ApprovalSource, FsPermission, KernelAppId,
    NetworkPermission, Permissions, RestartPolicy,
};
use kpio_pkg::{
    AppManager, HostPlatform, InstallOptions, InstallOutcome, InstanceRecord, InstanceState,
    Instances, Limits, Package, PkgError, Progress, Review, RunEnd, RunLimits, Stdio,
};
use kpio_userlib::Direct;
use kpio_vfs::{HostFs, HostOptions};

use crate::guards::{TIMEOUT_EXIT_STATUS, process_run_control, show_duration};
use crate::signals;

/// Errors of the app commands, each naming what it was about.
#[derive(Debug)]
pub enum AppCmdError {
    /// `KPIO_HOME` (or the default data directory) can't be used.
    Home { path: PathBuf, message: String },
    /// A file given on the command line can't be read or written.
    File {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The package or app operation failed.
    Pkg { subject: String, error: PkgError },
    /// A dispatcher error without more detail.
    Errno { subject: String, errno: i32 },
    /// No installed app matches.
    NoSuchApp(String),
    /// `kpio install` was given something that is not a regular file (a device, a FIFO,
    /// a directory), which could be endless.
    NotRegularFile { path: PathBuf, kind: &'static str },
    /// The package file is bigger than a package may be (checked before reading, and
    /// while reading in case it grows).
    PackageTooLarge {
        path: PathBuf,
        /// Its size, or `None` when it grew past the limit while being read.
        size: Option<u64>,
        limit: u64,
    },
    /// No running instance has this number.
    NoSuchInstance(String),
    /// An instance could not be stopped.
    Stop { instance: u64, message: String },
    /// The install's permissions were not approved: declined at the prompt
    /// (`interactive`), or there was no terminal to ask on and no `--yes`.
    NotApproved {
        app: String,
        review: String,
        interactive: bool,
    },
}

impl fmt::Display for AppCmdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppCmdError::Home { path, message } => {
                write!(f, "KPIO_HOME {}: {message}", path.display())
            }
            AppCmdError::File { path, error } => write!(f, "{}: {error}", path.display()),
            AppCmdError::Pkg { subject, error } => write!(f, "{subject}: {error}"),
            AppCmdError::Errno { subject, errno } => write!(f, "{subject}: error {errno}"),
            AppCmdError::NotApproved {
                app,
                interactive: true,
                ..
            } => write!(
                f,
                "{app} was not installed: its permissions were not approved"
            ),
            AppCmdError::NotApproved {
                app,
                review,
                interactive: false,
            } => write!(
                f,
                "{app} was not installed: its permissions need approval.\n{review}\
                 Run `kpio install` in a terminal to be asked, or pass --yes to approve them."
            ),
            AppCmdError::NoSuchApp(key) => write!(
                f,
                "no installed app is called `{key}` (see `kpio list` for ids, app ids and names)"
            ),
            AppCmdError::NotRegularFile { path, kind } => write!(
                f,
                "{}: is a {kind}, not a package file (a .kpioapp must be a regular file)",
                path.display()
            ),
            AppCmdError::PackageTooLarge { path, size, limit } => match size {
                Some(size) => write!(
                    f,
                    "{}: the file is {size} bytes, more than a package may be ({limit} bytes, {})",
                    path.display(),
                    human(*limit)
                ),
                None => write!(
                    f,
                    "{}: the file grew past what a package may be ({limit} bytes, {}) while it \
                     was read",
                    path.display(),
                    human(*limit)
                ),
            },
            AppCmdError::NoSuchInstance(key) => {
                write!(f, "no running instance is numbered `{key}` (see `kpio ps`)")
            }
            AppCmdError::Stop { instance, message } => {
                write!(f, "cannot stop instance {instance}: {message}")
            }
        }
    }
}

impl std::error::Error for AppCmdError {}

/// Where the hosted KPIO file system lives: `$KPIO_HOME`, else `$XDG_DATA_HOME/kpio`,
/// else `~/.local/share/kpio`.
pub fn kpio_home() -> PathBuf {
    if let Some(h) = std::env::var_os("KPIO_HOME") {
        return PathBuf::from(h);
    }
    if let Some(d) = std::env::var_os("XDG_DATA_HOME") {
        return PathBuf::from(d).join("kpio");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| ".".into());
    home.join(".local/share/kpio")
}

/// Makes `home` private to this user: creates it 0700 if missing, refuses it if another
/// user owns it, drops group and other permission bits from it, and sets the umask to 077
/// so that everything created below it is 0600 / 0700 whatever the caller's umask.
fn secure_home(home: &Path) -> Result<(), String> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(home)
        .map_err(|e| format!("cannot create it: {e}"))?;
    let meta = std::fs::metadata(home).map_err(|e| format!("cannot inspect it: {e}"))?;
    if !meta.is_dir() {
        return Err("it is not a directory".into());
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Err(format!(
            "it belongs to user id {}, not to you (user id {me}); refusing to keep apps \
             and their data where another user controls them",
            meta.uid()
        ));
    }
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        std::fs::set_permissions(home, std::fs::Permissions::from_mode(mode & !0o077))
            .map_err(|e| format!("cannot make it private (chmod go-rwx): {e}"))?;
    }
    // The umask is per process; every kpio command works in KPIO_HOME only (module runs
    // with --dir never come here), so app data files, the registry and installed code
    // all get 0600 / 0700.
    // SAFETY: umask has no preconditions and cannot fail.
    unsafe { libc::umask(0o077) };
    Ok(())
}

/// Opens and locks `KPIO_HOME/.lock`: created 0600 if missing, never truncated, never
/// through a symlink (O_NOFOLLOW), and it must be a regular file owned by this user.
fn lock_home(home: &Path) -> Result<File, String> {
    let path = home.join(".lock");
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .mode(0o600)
        // O_NONBLOCK: a FIFO planted as the lock must not hang the open.
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(&path)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                format!(
                    "its lock file {} is a symbolic link; refusing to follow it (remove it \
                     if you did not make it)",
                    path.display()
                )
            } else {
                format!("cannot open its lock file {}: {e}", path.display())
            }
        })?;
    let meta = lock
        .metadata()
        .map_err(|e| format!("cannot inspect its lock file {}: {e}", path.display()))?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if !meta.is_file() || meta.uid() != me {
        return Err(format!(
            "its lock file {} is not a regular file of yours; refusing to use it",
            path.display()
        ));
    }
    lock.lock()
        .map_err(|e| format!("cannot lock {}: {e}", path.display()))?;
    Ok(lock)
}

/// An open platform: the manager over `KPIO_HOME`, and the lock that keeps other `kpio`
/// processes out while this one changes it (released by the OS even if we are killed,
/// and by `kpio run ID` once the launch is prepared).
pub struct Platform {
    mgr: AppManager,
    lock: Option<File>,
}

impl Platform {
    /// Opens `KPIO_HOME` with the platform's restart policy.
    pub fn open() -> Result<Platform, AppCmdError> {
        Platform::open_with(RestartPolicy::default())
    }

    pub fn open_with(policy: RestartPolicy) -> Result<Platform, AppCmdError> {
        Platform::open_at(&kpio_home(), policy)
    }

    /// Opens the platform whose home is `home` (`kpio image` stages one).
    pub fn open_at(home: &Path, policy: RestartPolicy) -> Result<Platform, AppCmdError> {
        let home = home.to_path_buf();
        let err = |message: String| AppCmdError::Home {
            path: home.clone(),
            message,
        };
        secure_home(&home).map_err(err)?;
        let lock = lock_home(&home).map_err(err)?;
        let backend = HostFs::open(&home, HostOptions::default())
            .map_err(|e| err(format!("cannot open it: {e}")))?;
        let backend: Arc<dyn kpio_vfs::Backend> = Arc::new(backend);
        // Opening recovers from an interrupted install/update/uninstall.
        let mut mgr = AppManager::open(Arc::clone(&backend), Arc::new(HostPlatform))
            .map_err(|error| AppCmdError::Pkg {
                subject: home.display().to_string(),
                error,
            })?
            .with_default_stdio(Stdio::inherit())
            .with_restart_policy(policy);
        // What recovery worked around (a restored registry, leftovers it could not
        // delete) is the user's to know, though the command goes on.
        print_warnings(&mut mgr);
        // Forget instances whose process is gone (killed, crashed); best effort: a
        // damaged record must not stop every command.
        if let Ok(mut inst) = Instances::open(backend) {
            let _ = inst.prune_temporaries();
        }
        Ok(Platform {
            mgr,
            lock: Some(lock),
        })
    }

    /// Resolves a numeric id, an app id or a name.
    pub fn resolve(&self, key: &str) -> Result<AppDescriptor, AppCmdError> {
        self.mgr.find(key).cloned().map_err(|error| match error {
            // Two look-alike names in an old registry: the message says to use the id.
            PkgError::App(AppError::Ambiguous { .. }) => AppCmdError::Pkg {
                subject: key.to_string(),
                error,
            },
            _ => AppCmdError::NoSuchApp(key.to_string()),
        })
    }

    /// The records of running instances.
    fn instances(&self) -> Result<Instances, AppCmdError> {
        Instances::open(Arc::clone(self.mgr.backend())).map_err(|error| AppCmdError::Pkg {
            subject: kpio_home().display().to_string(),
            error,
        })
    }
}

/// The services behind the dispatcher for one command: the manager plus what the
/// syscall ABI has no room for (install options, progress, outcomes, detailed errors).
struct CliServices<'a> {
    mgr: &'a mut AppManager,
    /// The platform lock, which `launch` releases before the app runs.
    lock: Option<File>,
    /// The guards `launch` applies.
    limits: RunLimits,
    force: bool,
    review: Review,
    show_progress: bool,
    installed: Option<InstallOutcome>,
    ran: Option<RunEnd>,
    error: Option<PkgError>,
    /// `--jit-stats`: after a launch, print what the native tier did and what the app's
    /// code cache gave.
    jit_stats: bool,
}

impl<'a> CliServices<'a> {
    fn new(mgr: &'a mut AppManager) -> Self {
        CliServices {
            mgr,
            lock: None,
            limits: RunLimits::default(),
            force: false,
            review: Review::Required,
            show_progress: false,
            installed: None,
            ran: None,
            error: None,
            jit_stats: false,
        }
    }

    fn keep<T>(&mut self, r: Result<T, PkgError>) -> Result<T, AppError> {
        r.map_err(|e| {
            let app = AppError::from(e.clone());
            self.error = Some(e);
            app
        })
    }

    /// The error to show for a failed call: the detailed one if we have it.
    fn explain(&mut self, subject: String, errno: kpio_app::Errno) -> AppCmdError {
        match self.error.take() {
            Some(error) => AppCmdError::Pkg { subject, error },
            None => AppCmdError::Errno {
                subject,
                errno: errno.0,
            },
        }
    }
}

impl CliServices<'_> {
    /// Prepares the launch under the lock and records the instance, releases the lock,
    /// then runs the app (SIGTERM/SIGINT stop it), and removes the record at its end.
    fn launch_unlocked(
        &mut self,
        id: KernelAppId,
        args: &[String],
    ) -> Result<kpio_pkg::RunOutcome, PkgError> {
        let prepared = self.mgr.prepare_launch(id, self.limits)?;
        let backend = Arc::clone(self.mgr.backend());
        let mut instances = Instances::open(Arc::clone(&backend))?;
        let started = prepared.descriptor().last_launched.unwrap_or(0);
        let mut record = instances.register(prepared.descriptor(), started)?;
        let n = record.instance;
        // Registry work is done: from here on nothing waits for this app.
        drop(self.lock.take());
        let control = process_run_control();
        let guard = signals::stop_on_signals(control.clone(), move || {
            if let Ok(mut i) = Instances::open(Arc::clone(&backend)) {
                let _ = i.remove(n);
            }
        });
        let guard = match guard {
            Ok(g) => g,
            Err(e) => {
                let _ = instances.remove(n);
                return Err(PkgError::Io {
                    path: "signal handlers".into(),
                    message: e.to_string(),
                });
            }
        };
        let stdio = Stdio::inherit();
        let r = {
            let mut on_running = || {
                if record.state != InstanceState::Running {
                    record.state = InstanceState::Running;
                    let _ = instances.write(&record);
                }
            };
            self.mgr
                .run_prepared(&prepared, args, &stdio, &control, &mut on_running)
        };
        let _ = instances.remove(n);
        drop(guard);
        if self.jit_stats {
            let name = &prepared.descriptor().app_id;
            prepared.engine().jit_wait_idle();
            let stats = prepared.engine().jit_stats();
            eprint!("{}", crate::jit_stats::summary(name, &stats));
            eprint!("{}", crate::jit_stats::timeline(&stats));
            eprintln!(
                "{name}: code cache: {}",
                code_cache_text(prepared.code_cache())
            );
        }
        r
    }
}

fn progress_line(p: &Progress) -> Option<String> {
    Some(match p {
        Progress::Validating { bytes } => format!("validating {} ...", human(*bytes)),
        Progress::Writing { path, done, total } => format!("writing {done}/{total} {path}"),
        Progress::Committing => "committing ...".into(),
        _ => return None,
    })
}

fn human(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

impl AppServices for CliServices<'_> {
    fn install(&mut self, pkg: &[u8]) -> Result<KernelAppId, AppError> {
        let show = self.show_progress;
        let mut progress = |p: Progress| {
            if show && let Some(line) = progress_line(&p) {
                // One line updated in place on a terminal.
                eprint!("\r\x1b[2K{line}");
                let _ = std::io::stderr().flush();
            }
        };
        let r = self.mgr.install(
            pkg,
            InstallOptions {
                force: self.force,
                review: self.review.clone(),
            },
            &mut progress,
        );
        if show {
            eprint!("\r\x1b[2K");
        }
        let outcome = self.keep(r)?;
        let id = outcome.id;
        self.installed = Some(outcome);
        Ok(id)
    }
    fn launch(&mut self, id: KernelAppId, args: Vec<String>) -> Result<AppInstanceId, AppError> {
        let r = self.launch_unlocked(id, &args);
        let outcome = self.keep(r)?;
        self.ran = Some(outcome.last().clone());
        Ok(outcome.runs.last().map(|r| r.0).unwrap_or(AppInstanceId(0)))
    }
    fn terminate(&mut self, inst: AppInstanceId) -> Result<(), AppError> {
        AppServices::terminate(&mut *self.mgr, inst)
    }
    fn info(&self, id: KernelAppId) -> Result<AppDescriptor, AppError> {
        AppServices::info(&*self.mgr, id)
    }
    fn list(&self) -> Vec<KernelAppId> {
        AppServices::list(&*self.mgr)
    }
    fn uninstall(&mut self, id: KernelAppId) -> Result<(), AppError> {
        let r = self.mgr.uninstall(id).map(|_| ());
        self.keep(r)
    }
}

/// `kpio pack DIR -o OUT`
pub fn pack(dir: &Path, out: &Path) -> Result<String, AppCmdError> {
    let bytes = kpio_pkg::pack_dir(dir).map_err(|error| AppCmdError::Pkg {
        subject: dir.display().to_string(),
        error,
    })?;
    // Check the result the way `install` will, so a package that can't install isn't made.
    let pkg = Package::from_bytes(&bytes).map_err(|error| AppCmdError::Pkg {
        subject: dir.display().to_string(),
        error,
    })?;
    std::fs::write(out, &bytes).map_err(|error| AppCmdError::File {
        path: out.into(),
        error,
    })?;
    Ok(format!(
        "packed {} {} into {} ({})",
        pkg.manifest.id,
        pkg.manifest.version,
        out.display(),
        human(bytes.len() as u64)
    ))
}

fn read_file(path: &Path) -> Result<Vec<u8>, AppCmdError> {
    read_package_file(path, Limits::default().max_package_bytes)
}

/// Reads a package file of at most `limit` bytes. What it is and how big is checked
/// before reading (a device or FIFO such as /dev/zero could be endless), and the read is
/// bounded anyway in case the file grows meanwhile.
pub fn read_package_file(path: &Path, limit: u64) -> Result<Vec<u8>, AppCmdError> {
    let file_err = |error| AppCmdError::File {
        path: path.into(),
        error,
    };
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(file_err)?;
    let meta = file.metadata().map_err(file_err)?;
    let ft = meta.file_type();
    if !ft.is_file() {
        use std::os::unix::fs::FileTypeExt;
        let kind = if ft.is_dir() {
            "directory"
        } else if ft.is_char_device() {
            "character device"
        } else if ft.is_block_device() {
            "block device"
        } else if ft.is_fifo() {
            "FIFO (named pipe)"
        } else if ft.is_socket() {
            "socket"
        } else {
            "special file"
        };
        return Err(AppCmdError::NotRegularFile {
            path: path.into(),
            kind,
        });
    }
    if meta.len() > limit {
        return Err(AppCmdError::PackageTooLarge {
            path: path.into(),
            size: Some(meta.len()),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(file_err)?;
    if bytes.len() as u64 > limit {
        return Err(AppCmdError::PackageTooLarge {
            path: path.into(),
            size: None,
            limit,
        });
    }
    Ok(bytes)
}

/// `kpio install X.kpioapp [--force] [--yes] [--precompile]`
pub fn install(
    path: &Path,
    force: bool,
    yes: bool,
    precompile: bool,
) -> Result<String, AppCmdError> {
    let installed = install_reviewed(path, force, yes)?;
    if !precompile {
        return Ok(installed);
    }
    let bytes = read_file(path)?;
    let app_id = Package::from_bytes(&bytes)
        .map_err(|error| AppCmdError::Pkg {
            subject: path.display().to_string(),
            error,
        })?
        .manifest
        .id;
    Ok(format!("{installed}\n{}", self::precompile(&app_id)?))
}

/// Installs the package at `path`, asking for approval on the terminal (or taking `yes`).
fn install_reviewed(path: &Path, force: bool, yes: bool) -> Result<String, AppCmdError> {
    let bytes = read_file(path)?;
    let subject = path.display().to_string();
    let first = if yes {
        Review::AcceptRequested
    } else {
        Review::Required
    };
    let review = match install_with(&bytes, &subject, force, first) {
        Err(AppCmdError::Pkg {
            error: PkgError::NeedsApproval(needed),
            ..
        }) => {
            let kpio_pkg::ApprovalNeeded {
                app,
                name,
                version,
                requested,
                previous,
            } = *needed;
            // Asked without holding the platform lock: a person may take their time.
            let text = review_text(&app, &name, &version, &requested, previous.as_ref());
            if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
                return Err(AppCmdError::NotApproved {
                    app,
                    review: text,
                    interactive: false,
                });
            }
            eprint!("{text}\nInstall {name} {version} with these permissions? [y/N] ");
            let _ = std::io::stderr().flush();
            let mut answer = String::new();
            let _ = std::io::stdin().read_line(&mut answer);
            if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES") {
                return Err(AppCmdError::NotApproved {
                    app,
                    review: text,
                    interactive: true,
                });
            }
            Review::Approved {
                permissions: requested,
                via: ApprovalSource::Prompt,
            }
        }
        other => return other,
    };
    install_with(&bytes, &subject, force, review)
}

/// What `kpio install` shows before asking: the app and each permission it asks for, and
/// for an update, what the installed version had approved.
pub fn review_text(
    app: &str,
    name: &str,
    version: &str,
    requested: &Permissions,
    previous: Option<&Permissions>,
) -> String {
    let mut text = format!("{name} {version} ({app}) asks for:\n");
    for line in requested.describe() {
        text.push_str(&format!("  {line}\n"));
    }
    if let Some(prev) = previous {
        text.push_str("The installed version was approved for:\n");
        for line in prev.describe() {
            text.push_str(&format!("  {line}\n"));
        }
    }
    text
}

/// One install attempt under the platform lock, with `review` as the answer.
pub fn install_with(
    bytes: &[u8],
    subject: &str,
    force: bool,
    review: Review,
) -> Result<String, AppCmdError> {
    install_at(&kpio_home(), bytes, subject, force, review)
}

/// [`install_with`] into the platform at `home`.
pub fn install_at(
    home: &Path,
    bytes: &[u8],
    subject: &str,
    force: bool,
    review: Review,
) -> Result<String, AppCmdError> {
    let mut p = Platform::open_at(home, RestartPolicy::default())?;
    let mut svc = CliServices::new(&mut p.mgr);
    svc.force = force;
    svc.review = review;
    svc.show_progress = std::io::stderr().is_terminal();
    let r = kpio_userlib::app_install(&mut Direct::new(&mut svc), bytes);
    if let Err(errno) = r {
        let e = svc.explain(subject.to_string(), errno);
        print_warnings(&mut p.mgr);
        return Err(e);
    }
    let o = svc.installed.take().expect("install succeeded");
    print_warnings(&mut p.mgr);
    Ok(match o.previous_version {
        Some(prev) => format!(
            "updated {} from {prev} to {} (id {})",
            o.app_id, o.new_version, o.id
        ),
        None => format!("installed {} {} (id {})", o.app_id, o.new_version, o.id),
    })
}

/// How long `kpio kill` gives an instance to end after SIGTERM before SIGKILL, and after
/// SIGKILL before giving up. The instance's own grace ([`signals::GRACE`]) is shorter.
pub const KILL_GRACE: Duration = Duration::from_secs(5);

/// Ends `rec`'s process: SIGTERM, wait up to [`KILL_GRACE`], then SIGKILL and wait again;
/// removes the record. Never signals a process that is not the instance's (the pid and
/// its start time must both match). Returns how it ended.
fn stop_instance(
    instances: &mut Instances,
    rec: &InstanceRecord,
) -> Result<&'static str, AppCmdError> {
    let stop_err = |message: String| AppCmdError::Stop {
        instance: rec.instance,
        message,
    };
    let how = 'ended: {
        for (sig, how) in [(libc::SIGTERM, "stopped"), (libc::SIGKILL, "killed")] {
            if !rec.process.is_alive() {
                break 'ended "stopped";
            }
            let pid = libc::pid_t::try_from(rec.process.pid)
                .map_err(|_| stop_err(format!("pid {} is out of range", rec.process.pid)))?;
            // SAFETY: kill(2) has no memory-safety preconditions; pid is a positive process
            // id checked (with its start time) to be the instance's just above.
            if unsafe { libc::kill(pid, sig) } != 0 {
                let e = std::io::Error::last_os_error();
                if e.raw_os_error() != Some(libc::ESRCH) {
                    return Err(stop_err(format!("pid {pid}: {e}")));
                }
            }
            let deadline = Instant::now() + KILL_GRACE;
            while rec.process.is_alive() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            if !rec.process.is_alive() {
                break 'ended how;
            }
        }
        return Err(stop_err(format!(
            "pid {} is still running after SIGKILL",
            rec.process.pid
        )));
    };
    instances
        .remove(rec.instance)
        .map_err(|error| AppCmdError::Pkg {
            subject: format!("instance {}", rec.instance),
            error,
        })?;
    Ok(how)
}

/// `kpio uninstall ID`: stops the app's running instances, then uninstalls it.
pub fn uninstall(key: &str) -> Result<String, AppCmdError> {
    let mut p = Platform::open()?;
    let d = p.resolve(key)?;
    // Under the lock, so no new instance can start meanwhile. A stopping instance does
    // not need the lock to end.
    let mut instances = p.instances()?;
    let running = instances.list().map_err(|error| AppCmdError::Pkg {
        subject: "running instances".into(),
        error,
    })?;
    let mut stopped = 0;
    for rec in running
        .iter()
        .filter(|r| r.app == d.id || r.app_id == d.app_id)
    {
        stop_instance(&mut instances, rec)?;
        stopped += 1;
    }
    let mut svc = CliServices::new(&mut p.mgr);
    if let Err(errno) = kpio_userlib::app_uninstall(&mut Direct::new(&mut svc), d.id) {
        let e = svc.explain(d.app_id.clone(), errno);
        print_warnings(&mut p.mgr);
        return Err(e);
    }
    print_warnings(&mut p.mgr);
    let also = match stopped {
        0 => String::new(),
        1 => ", after stopping its running instance".into(),
        n => format!(", after stopping its {n} running instances"),
    };
    Ok(format!(
        "uninstalled {} {} (id {}){also}",
        d.app_id, d.version, d.id
    ))
}

/// The running instances, without waiting for the platform lock (records are written
/// whole and only by their own instance, so they can be read any time).
fn running_instances() -> Result<Vec<InstanceRecord>, AppCmdError> {
    let home = kpio_home();
    let err = |message: String| AppCmdError::Home {
        path: home.clone(),
        message,
    };
    secure_home(&home).map_err(err)?;
    let backend = HostFs::open(&home, HostOptions::default())
        .map_err(|e| err(format!("cannot open it: {e}")))?;
    let pkg_err = |error| AppCmdError::Pkg {
        subject: "running instances".into(),
        error,
    };
    Instances::open(Arc::new(backend))
        .and_then(|mut i| i.list())
        .map_err(pkg_err)
}

/// `2024-05-01 12:34:56` (UTC) for nanoseconds since the Unix epoch.
fn utc_time(ns: u64) -> String {
    let secs = ns / 1_000_000_000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `kpio ps [--json]`
pub fn ps(json: bool) -> Result<String, AppCmdError> {
    let running = running_instances()?;
    if json {
        let items: Vec<String> = running.iter().map(InstanceRecord::to_json).collect();
        return Ok(format!("[{}]", items.join(",")));
    }
    if running.is_empty() {
        return Ok("no apps are running".into());
    }
    let mut out = format!(
        "{:>8}  {:<28} {:<20} {:>8}  {:<20} {}\n",
        "INSTANCE", "APP ID", "NAME", "PID", "STARTED (UTC)", "STATE"
    );
    for r in &running {
        out += &format!(
            "{:>8}  {:<28} {:<20} {:>8}  {:<20} {}\n",
            r.instance,
            r.app_id,
            r.name,
            r.process.pid,
            utc_time(r.started_ns),
            r.state
        );
    }
    Ok(out.trim_end().to_string())
}

/// `kpio kill INSTANCE`
pub fn kill(key: &str) -> Result<String, AppCmdError> {
    let n: u64 = key
        .parse()
        .map_err(|_| AppCmdError::NoSuchInstance(key.to_string()))?;
    let rec = running_instances()?
        .into_iter()
        .find(|r| r.instance == n)
        .ok_or_else(|| AppCmdError::NoSuchInstance(key.to_string()))?;
    let home = kpio_home();
    let backend = HostFs::open(&home, HostOptions::default()).map_err(|e| AppCmdError::Home {
        path: home.clone(),
        message: format!("cannot open it: {e}"),
    })?;
    let mut instances = Instances::open(Arc::new(backend)).map_err(|error| AppCmdError::Pkg {
        subject: "running instances".into(),
        error,
    })?;
    let how = stop_instance(&mut instances, &rec)?;
    Ok(format!(
        "{how} instance {} of {} (pid {})",
        rec.instance, rec.app_id, rec.process.pid
    ))
}

fn descriptors(p: &mut Platform) -> Result<Vec<AppDescriptor>, AppCmdError> {
    let mut svc = CliServices::new(&mut p.mgr);
    let mut sys = Direct::new(&mut svc);
    let ids = kpio_userlib::app_list(&mut sys).map_err(|errno| AppCmdError::Errno {
        subject: "app list".into(),
        errno: errno.0,
    })?;
    ids.into_iter()
        .map(|id| {
            kpio_userlib::app_info(&mut sys, id).map_err(|errno| AppCmdError::Errno {
                subject: format!("app {id}"),
                errno: errno.0,
            })
        })
        .collect()
}

/// `kpio list [--json]`
pub fn list(json: bool) -> Result<String, AppCmdError> {
    let mut p = Platform::open()?;
    let apps = descriptors(&mut p)?;
    if json {
        let items: Vec<String> = apps.iter().map(|d| d.to_json()).collect();
        return Ok(format!("[{}]", items.join(",")));
    }
    if apps.is_empty() {
        return Ok(format!("no apps installed in {}", kpio_home().display()));
    }
    let mut out = format!(
        "{:>4}  {:<28} {:<20} {:<10} {}\n",
        "ID", "APP ID", "NAME", "VERSION", "TYPE"
    );
    for d in &apps {
        out += &format!(
            "{:>4}  {:<28} {:<20} {:<10} {:?}\n",
            d.id.to_string(),
            d.app_id,
            d.name,
            d.version,
            d.app_type
        );
    }
    Ok(out.trim_end().to_string())
}

fn fs_text(p: &FsPermission) -> &'static str {
    match p {
        FsPermission::None => "none",
        FsPermission::ReadOnly => "read-only",
        FsPermission::ReadWrite => "read-write",
    }
}

fn net_text(p: &NetworkPermission) -> String {
    match p {
        NetworkPermission::None => "none".into(),
        NetworkPermission::LocalOnly => "local-only".into(),
        NetworkPermission::AllowList(hosts) => format!("allow {}", hosts.join(", ")),
        NetworkPermission::Full => "full".into(),
    }
}

/// `kpio info ID`
pub fn info(key: &str) -> Result<String, AppCmdError> {
    let mut p = Platform::open()?;
    let id = p.resolve(key)?.id;
    let mut svc = CliServices::new(&mut p.mgr);
    let d = kpio_userlib::app_info(&mut Direct::new(&mut svc), id).map_err(|errno| {
        AppCmdError::Errno {
            subject: format!("app {id}"),
            errno: errno.0,
        }
    })?;
    let perm = &d.permissions;
    let yes = |b: bool| if b { "yes" } else { "no" };
    Ok(format!(
        "id:            {}\napp id:        {}\nname:          {}\nversion:       {}\ntype:          {:?}\n\
         installed in:  {}\ndata:          {}\nentry:         {}\nicon:          {} bytes\n\
         installed at:  {} ns since 1970\nlast launched: {}\n\
         permissions:   filesystem {}, network {}, gui {}, notifications {}, clipboard {}, background {}, memory limit {}\n\
         approved:      {}",
        d.id,
        d.app_id,
        d.name,
        d.version,
        d.app_type,
        d.install_path,
        d.data_path,
        d.entry,
        d.icon.len(),
        d.installed_at,
        d.last_launched
            .map_or("never".into(), |t| format!("{t} ns since 1970")),
        fs_text(&perm.filesystem),
        net_text(&perm.network),
        yes(perm.gui),
        yes(perm.notifications),
        yes(perm.clipboard),
        yes(perm.background),
        perm.memory_limit_pages
            .map_or("engine default".into(), |p| format!("{p} pages")),
        match &d.approval {
            Some(a) if a.permissions == d.permissions =>
                format!("yes, {} ({} ns since 1970)", a.via, a.approved_at),
            Some(_) => "no: the approval was for other permissions".into(),
            None => "not reviewed (installed before installs were reviewed)".into(),
        },
    ))
}

/// How an app run ended, as a process exit status: the app's own code, 134 after a trap
/// (fuel exhaustion included), 124 after `--timeout`, 128 + the signal when stopped.
pub fn exit_status(end: &RunEnd) -> i32 {
    match end {
        RunEnd::Exited(c) => *c,
        RunEnd::Trapped(msg) => {
            eprintln!("error: the app trapped: {msg}");
            134
        }
        RunEnd::TimedOut(after) => {
            eprintln!("error: the app timed out after {}", show_duration(*after));
            TIMEOUT_EXIT_STATUS
        }
        RunEnd::Stopped => {
            let sig = signals::received().unwrap_or(libc::SIGTERM);
            let name = match sig {
                libc::SIGINT => "SIGINT",
                libc::SIGTERM => "SIGTERM",
                _ => "a signal",
            };
            eprintln!("error: the app was stopped ({name})");
            128 + sig
        }
    }
}

/// `kpio run X.kpioapp [-- args]`: runs a package without installing it (its `data/` is
/// the app's data, in memory, gone afterwards).
pub fn run_package_file(
    path: &Path,
    args: &[String],
    limits: &RunLimits,
) -> Result<i32, AppCmdError> {
    let bytes = read_file(path)?;
    let subject = path.display().to_string();
    let pkg = Package::from_bytes(&bytes).map_err(|error| AppCmdError::Pkg {
        subject: subject.clone(),
        error,
    })?;
    let end = kpio_pkg::run_package_with(
        &pkg,
        args,
        &Stdio::inherit(),
        &HostPlatform,
        kpio_wasm::Config::default(),
        *limits,
        &process_run_control(),
    )
    .map_err(|error| AppCmdError::Pkg { subject, error })?;
    Ok(exit_status(&end))
}

/// `kpio run ID [-- args]`: launches an installed app through the dispatcher. With
/// `restart`, a failing app is restarted per the platform's policy (3 times, backing off).
/// The platform lock is held only while the launch is prepared (see the module docs).
pub fn run_installed(
    key: &str,
    args: &[String],
    restart: bool,
    limits: &RunLimits,
    jit_stats: bool,
) -> Result<i32, AppCmdError> {
    let policy = if restart {
        RestartPolicy::default()
    } else {
        RestartPolicy {
            max_restarts: 0,
            ..RestartPolicy::default()
        }
    };
    let mut p = Platform::open_with(policy)?;
    let d = p.resolve(key)?;
    let lock = p.lock.take();
    let mut svc = CliServices::new(&mut p.mgr);
    svc.lock = lock;
    svc.limits = *limits;
    svc.jit_stats = jit_stats;
    if let Err(errno) = kpio_userlib::app_launch(&mut Direct::new(&mut svc), d.id, args) {
        let e = svc.explain(d.app_id.clone(), errno);
        print_warnings(&mut p.mgr);
        return Err(e);
    }
    let end = svc.ran.take().expect("launch succeeded");
    print_warnings(&mut p.mgr);
    Ok(exit_status(&end))
}

/// What a launch found in the app's code cache, for `--jit-stats`.
fn code_cache_text(c: &kpio_pkg::code_cache::CodeCacheUse) -> String {
    use kpio_pkg::code_cache::CodeCacheUse;
    match c {
        CodeCacheUse::Off => "off (no native tier)".into(),
        CodeCacheUse::Missing => "empty (this is the first run of this version here)".into(),
        CodeCacheUse::Loaded(n) => format!("native code for {n} functions loaded"),
        CodeCacheUse::Discarded(why) => format!("entry discarded: {why}"),
    }
}

/// `kpio install --precompile`: compiles installed app `key` ahead of time.
pub fn precompile(key: &str) -> Result<String, AppCmdError> {
    let mut p = Platform::open()?;
    let d = p.resolve(key)?;
    let r = p.mgr.precompile(d.id).map_err(|error| AppCmdError::Pkg {
        subject: d.app_id.clone(),
        error,
    });
    print_warnings(&mut p.mgr);
    let r = r?;
    let mut text = format!(
        "precompiled {}: {} functions to native code ({} bytes) in {}",
        d.app_id, r.compiled, r.bytes, r.path
    );
    if r.refused > 0 {
        text.push_str(&format!(
            "; {} left to the interpreter (first: {})",
            r.refused,
            r.first_refusal.as_deref().unwrap_or("?")
        ));
    }
    Ok(text)
}

/// Looks `key` (numeric id, app id or name) up among the installed apps, for `kpio run`
/// to tell an app from a file. `Ok(None)` when nothing matches.
pub fn lookup_installed(key: &str) -> Result<Option<AppDescriptor>, AppCmdError> {
    let p = Platform::open()?;
    match p.resolve(key) {
        Ok(d) => Ok(Some(d)),
        Err(AppCmdError::NoSuchApp(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Prints (and forgets) the problems the manager worked around, one line each.
fn print_warnings(mgr: &mut AppManager) {
    for w in mgr.take_warnings() {
        eprintln!("kpio: warning: {w}");
    }
}

/// The installed apps' descriptors (icons included), for the desktop.
pub fn installed_apps() -> Result<Vec<AppDescriptor>, AppCmdError> {
    installed_apps_at(&kpio_home())
}

/// The apps installed in the platform at `home`.
pub fn installed_apps_at(home: &Path) -> Result<Vec<AppDescriptor>, AppCmdError> {
    let mut p = Platform::open_at(home, RestartPolicy::default())?;
    let apps = descriptors(&mut p)?;
    print_warnings(&mut p.mgr);
    Ok(apps)
}

/// The registry part of a desktop launch of app `key`: opens the platform, prepares the
/// launch under the platform lock and releases it. The manager runs the app afterwards
/// ([`AppManager::run_prepared`]) with `host_apis` answering its kpio host API calls.
pub fn prepare_desktop_launch(
    key: &str,
    host_apis: Arc<dyn kpio_pkg::HostApis>,
) -> Result<(AppManager, kpio_pkg::PreparedLaunch), AppCmdError> {
    let mut p = Platform::open()?;
    let id = p.resolve(key)?.id;
    let prepared = p
        .mgr
        .prepare_launch(id, RunLimits::default())
        .map_err(|error| AppCmdError::Pkg {
            subject: key.to_string(),
            error,
        })?;
    print_warnings(&mut p.mgr);
    let Platform { mgr, lock } = p;
    // Registry work is done: the app's run holds no lock.
    drop(lock);
    Ok((mgr.with_host_apis(host_apis), prepared))
}
