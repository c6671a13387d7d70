//! Ending `kpio run <app>` cleanly on SIGTERM (what `kpio kill` sends) and SIGINT
//! (Ctrl-C): the app is interrupted through its [`RunControl`], its instance record is
//! removed, and `kpio` exits with 128 + the signal's number.
//!
//! The handler itself only writes the signal number to a pipe (`write` is
//! async-signal-safe; taking a lock or calling into the engine is not); a watcher thread
//! reads it and does the work. An app that does not stop within [`GRACE`] — it is blocked
//! in a host call the interrupt cannot reach, such as a read from a terminal — is ended
//! anyway: the watcher runs the cleanup and exits the process.

use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use kpio_pkg::RunControl;

/// How long a stopped app has to end on its own before the process exits under it.
pub const GRACE: Duration = Duration::from_secs(2);

/// The pipe's write end, for the handler (-1 until installed).
static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);
/// The signal that arrived, 0 if none.
static RECEIVED: AtomicI32 = AtomicI32::new(0);
/// The run a signal stops, while one is running.
static TARGET: Mutex<Option<Target>> = Mutex::new(None);

struct Target {
    control: RunControl,
    /// Cleanup to run if the process must exit under a run that does not stop.
    cleanup: Box<dyn Fn() + Send>,
}

extern "C" fn on_signal(sig: libc::c_int) {
    let fd = PIPE_WRITE.load(Ordering::Relaxed);
    if fd >= 0 {
        let byte = sig as u8;
        // SAFETY: write(2) is async-signal-safe; `byte` outlives the call and the length
        // is 1. The write end is non-blocking: if the pipe is full, a signal byte is
        // already pending, which is all the watcher needs.
        unsafe {
            libc::write(fd, (&raw const byte).cast(), 1);
        }
    }
}

/// Installs the handlers and the watcher thread, once per process.
fn install() -> std::io::Result<()> {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| install_once().map_err(|e| e.to_string()))
        .clone()
        .map_err(std::io::Error::other)
}

fn install_once() -> std::io::Result<()> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded, so fds[0] is an open descriptor that nothing else owns.
    let read_end = unsafe { OwnedFd::from_raw_fd(fds[0]) };
    // SAFETY: fds[1] is the pipe's open write end; O_NONBLOCK keeps the handler from ever
    // blocking on it. It stays open for the life of the process (the handler uses it).
    if unsafe { libc::fcntl(fds[1], libc::F_SETFL, libc::O_NONBLOCK) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    PIPE_WRITE.store(fds[1], Ordering::Relaxed);
    std::thread::Builder::new()
        .name("kpio-signals".into())
        .spawn(move || watch(std::fs::File::from(read_end)))?;
    for sig in [libc::SIGTERM, libc::SIGINT] {
        // SAFETY: a zeroed sigaction is a valid "no flags, empty mask" value; we set the
        // handler, an async-signal-safe function with the one-argument signature that
        // SA_SIGINFO's absence calls for. SA_RESTART keeps other threads' blocking calls
        // from failing with EINTR.
        let rc = unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as *const () as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(sig, &action, std::ptr::null_mut())
        };
        if rc != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// The watcher thread: stops the current run on each signal, and exits the process if
/// there is none or it does not end within [`GRACE`].
fn watch(mut pipe: std::fs::File) {
    let mut byte = [0u8; 1];
    while let Ok(1) = pipe.read(&mut byte) {
        let sig = i32::from(byte[0]);
        RECEIVED.store(sig, Ordering::SeqCst);
        let running = match TARGET.lock() {
            Ok(t) => t.as_ref().map(|t| t.control.clone()),
            Err(_) => None,
        };
        let Some(control) = running else {
            // Nothing to stop cleanly (still preparing, or already done): end now.
            std::process::exit(128 + sig);
        };
        control.stop();
        std::thread::sleep(GRACE);
        if let Ok(t) = TARGET.lock()
            && let Some(t) = t.as_ref()
        {
            (t.cleanup)();
            std::process::exit(128 + sig);
        }
    }
}

/// While the returned guard lives, SIGTERM and SIGINT stop `control`'s run; `cleanup`
/// runs if the process has to exit under it.
pub fn stop_on_signals(
    control: RunControl,
    cleanup: impl Fn() + Send + 'static,
) -> std::io::Result<SignalGuard> {
    install()?;
    if let Ok(mut t) = TARGET.lock() {
        *t = Some(Target {
            control,
            cleanup: Box::new(cleanup),
        });
    }
    Ok(SignalGuard(()))
}

/// Ends what [`stop_on_signals`] set up (a signal after it exits the process at once).
#[derive(Debug)]
pub struct SignalGuard(());

impl Drop for SignalGuard {
    fn drop(&mut self) {
        if let Ok(mut t) = TARGET.lock() {
            *t = None;
        }
    }
}

/// The signal that stopped the run, if one did.
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}
