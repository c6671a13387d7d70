//! Running a blocking std call that has no timeout of its own (connecting, resolving a
//! name) so the caller can still give up when its run is stopped.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::abi::HostError;
use crate::platform::Cancel;

/// How often a waiting call looks at its cancel flag (the ABI promises at most 50 ms).
pub(crate) const SLICE: Duration = Duration::from_millis(50);

/// Runs `f` on a helper thread and waits for it in slices of [`SLICE`], checking
/// `cancel` between them. Cancelled: `TimedOut`, and the helper thread finishes (and its
/// result is dropped) on its own; `f` must therefore have a bound of its own.
pub(crate) fn run<R: Send + 'static>(
    cancel: &Cancel,
    f: impl FnOnce() -> R + Send + 'static,
) -> Result<R, HostError> {
    let (tx, rx) = mpsc::sync_channel(1);
    thread::Builder::new()
        .name("kpio-host-net".into())
        .spawn(move || {
            // The receiver is gone when the caller gave up; nothing to do then.
            let _ = tx.send(f());
        })
        .map_err(|_| HostError::Io)?;
    loop {
        match rx.recv_timeout(SLICE) {
            Ok(r) => return Ok(r),
            Err(mpsc::RecvTimeoutError::Timeout) if !cancel.is_cancelled() => {}
            Err(mpsc::RecvTimeoutError::Timeout) => return Err(HostError::TimedOut),
            Err(mpsc::RecvTimeoutError::Disconnected) => return Err(HostError::Io),
        }
    }
}
