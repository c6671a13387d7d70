//! The app commands: `kpio pack`, `install`, `list`, `info`, `run ID|X.kpioapp`,
//! `uninstall`, over an app platform whose VFS lives in `KPIO_HOME`.
//!
//! Commands that reach the platform go through the app syscall dispatcher (106–111) via
//! `kpio-userlib`'s in-process backend, exactly the path a KPIO program takes in the
//! kernel. The dispatcher only returns errnos, so the services behind it keep the last
//! detailed error for the message the user sees.

use std::fmt;
use std::fs::File;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kpio_app::{
    AppDescriptor, AppError, AppInstanceId, AppServices, FsPermission, KernelAppId,
    NetworkPermission, RestartPolicy,
};
use kpio_pkg::{
    AppManager, HostPlatform, InstallOptions, InstallOutcome, Package, PkgError, Progress, RunEnd,
    Stdio,
};
use kpio_userlib::Direct;
use kpio_vfs::{HostFs, HostOptions};

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
            AppCmdError::NoSuchApp(key) => write!(
                f,
                "no installed app is called `{key}` (see `kpio list` for ids, app ids and names)"
            ),
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

/// An open platform: the manager over `KPIO_HOME`, and the lock that keeps other `kpio`
/// processes out while this one changes it (released by the OS even if we are killed).
pub struct Platform {
    mgr: AppManager,
    _lock: File,
}

impl Platform {
    /// Opens `KPIO_HOME` with the platform's restart policy.
    pub fn open() -> Result<Platform, AppCmdError> {
        Platform::open_with(RestartPolicy::default())
    }

    pub fn open_with(policy: RestartPolicy) -> Result<Platform, AppCmdError> {
        let home = kpio_home();
        let err = |message: String| AppCmdError::Home {
            path: home.clone(),
            message,
        };
        std::fs::create_dir_all(&home).map_err(|e| err(format!("cannot create it: {e}")))?;
        let lock = File::create(home.join(".lock"))
            .map_err(|e| err(format!("cannot create its lock file: {e}")))?;
        lock.lock()
            .map_err(|e| err(format!("cannot lock it: {e}")))?;
        let backend = HostFs::open(&home, HostOptions::default())
            .map_err(|e| err(format!("cannot open it: {e}")))?;
        // Opening recovers from an interrupted install/update/uninstall.
        let mgr = AppManager::open(Arc::new(backend), Arc::new(HostPlatform))
            .map_err(|error| AppCmdError::Pkg {
                subject: home.display().to_string(),
                error,
            })?
            .with_default_stdio(Stdio::inherit())
            .with_restart_policy(policy);
        Ok(Platform { mgr, _lock: lock })
    }

    /// Resolves a numeric id, an app id or a name.
    pub fn resolve(&self, key: &str) -> Result<AppDescriptor, AppCmdError> {
        self.mgr
            .find(key)
            .cloned()
            .map_err(|_| AppCmdError::NoSuchApp(key.to_string()))
    }
}

/// The services behind the dispatcher for one command: the manager plus what the
/// syscall ABI has no room for (install options, progress, outcomes, detailed errors).
struct CliServices<'a> {
    mgr: &'a mut AppManager,
    force: bool,
    show_progress: bool,
    installed: Option<InstallOutcome>,
    ran: Option<RunEnd>,
    error: Option<PkgError>,
}

impl<'a> CliServices<'a> {
    fn new(mgr: &'a mut AppManager) -> Self {
        CliServices {
            mgr,
            force: false,
            show_progress: false,
            installed: None,
            ran: None,
            error: None,
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
        let r = self
            .mgr
            .install(pkg, InstallOptions { force: self.force }, &mut progress);
        if show {
            eprint!("\r\x1b[2K");
        }
        let outcome = self.keep(r)?;
        let id = outcome.id;
        self.installed = Some(outcome);
        Ok(id)
    }
    fn launch(&mut self, id: KernelAppId, args: Vec<String>) -> Result<AppInstanceId, AppError> {
        let stdio = Stdio::inherit();
        let r = self.mgr.launch(id, &args, &stdio);
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
    std::fs::read(path).map_err(|error| AppCmdError::File {
        path: path.into(),
        error,
    })
}

/// `kpio install X.kpioapp [--force]`
pub fn install(path: &Path, force: bool) -> Result<String, AppCmdError> {
    let bytes = read_file(path)?;
    let mut p = Platform::open()?;
    let mut svc = CliServices::new(&mut p.mgr);
    svc.force = force;
    svc.show_progress = std::io::stderr().is_terminal();
    let subject = path.display().to_string();
    let r = kpio_userlib::app_install(&mut Direct::new(&mut svc), &bytes);
    if let Err(errno) = r {
        return Err(svc.explain(subject, errno));
    }
    let o = svc.installed.take().expect("install succeeded");
    Ok(match o.previous_version {
        Some(prev) => format!(
            "updated {} from {prev} to {} (id {})",
            o.app_id, o.new_version, o.id
        ),
        None => format!("installed {} {} (id {})", o.app_id, o.new_version, o.id),
    })
}

/// `kpio uninstall ID`
pub fn uninstall(key: &str) -> Result<String, AppCmdError> {
    let mut p = Platform::open()?;
    let d = p.resolve(key)?;
    let mut svc = CliServices::new(&mut p.mgr);
    if let Err(errno) = kpio_userlib::app_uninstall(&mut Direct::new(&mut svc), d.id) {
        return Err(svc.explain(d.app_id.clone(), errno));
    }
    Ok(format!(
        "uninstalled {} {} (id {})",
        d.app_id, d.version, d.id
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
         permissions:   filesystem {}, network {}, gui {}, notifications {}, clipboard {}, background {}, memory limit {}",
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
    ))
}

/// How an app run ended, as a process exit status: the app's own code, or 134 after a trap.
pub fn exit_status(end: &RunEnd) -> i32 {
    match end {
        RunEnd::Exited(c) => *c,
        RunEnd::Trapped(msg) => {
            eprintln!("error: the app trapped: {msg}");
            134
        }
    }
}

/// `kpio run X.kpioapp [-- args]`: runs a package without installing it (its `data/` is
/// the app's data, in memory, gone afterwards).
pub fn run_package_file(path: &Path, args: &[String]) -> Result<i32, AppCmdError> {
    let bytes = read_file(path)?;
    let subject = path.display().to_string();
    let pkg = Package::from_bytes(&bytes).map_err(|error| AppCmdError::Pkg {
        subject: subject.clone(),
        error,
    })?;
    let end = kpio_pkg::run_package(
        &pkg,
        args,
        &Stdio::inherit(),
        &HostPlatform,
        kpio_wasm::Config::default(),
    )
    .map_err(|error| AppCmdError::Pkg { subject, error })?;
    Ok(exit_status(&end))
}

/// `kpio run ID [-- args]`: launches an installed app through the dispatcher. With
/// `restart`, a failing app is restarted per the platform's policy (3 times, backing off).
pub fn run_installed(key: &str, args: &[String], restart: bool) -> Result<i32, AppCmdError> {
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
    let mut svc = CliServices::new(&mut p.mgr);
    if let Err(errno) = kpio_userlib::app_launch(&mut Direct::new(&mut svc), d.id, args) {
        return Err(svc.explain(d.app_id.clone(), errno));
    }
    let end = svc.ran.take().expect("launch succeeded");
    Ok(exit_status(&end))
}
