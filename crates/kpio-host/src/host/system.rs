//! [`StdSystem`]: the OS's clocks, host name and locale, a clipboard shared in-process
//! between the apps of one desktop, and notifications handed to the embedder.

use std::string::String;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::abi::HostError;
use crate::platform::SystemBackend;

/// What the embedder does with a notification: `(app_id, title, body)` → its id (> 0).
pub type NotifyFn = Arc<dyn Fn(&str, &str, &str) -> Result<u32, HostError> + Send + Sync>;

/// A text clipboard shared by every app of one desktop (clone it into each app's
/// [`StdSystem`]).
#[derive(Debug, Clone, Default)]
pub struct SharedClipboard(Arc<Mutex<String>>);

impl SharedClipboard {
    pub fn new() -> SharedClipboard {
        SharedClipboard::default()
    }
    pub fn get(&self) -> String {
        // A poisoned lock still holds a whole String: a panic cannot leave it half set.
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
    pub fn set(&self, text: &str) {
        let mut g = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        g.clear();
        g.push_str(text);
    }
}

/// The hosted [`SystemBackend`].
pub struct StdSystem {
    start: Instant,
    locale: String,
    clipboard: SharedClipboard,
    notify: Option<NotifyFn>,
}

impl Default for StdSystem {
    fn default() -> Self {
        StdSystem::new()
    }
}

impl StdSystem {
    /// The OS clocks and host name, the locale from the environment (`LC_ALL`,
    /// `LC_MESSAGES`, `LANG`), a clipboard of its own, and no notification sink
    /// (`notify` is `UNAVAILABLE` until [`StdSystem::with_notify`]).
    pub fn new() -> StdSystem {
        let env = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|k| std::env::var(k).ok())
            .find(|v| !v.is_empty())
            .unwrap_or_default();
        StdSystem {
            start: Instant::now(),
            locale: locale_to_bcp47(&env),
            clipboard: SharedClipboard::new(),
            notify: None,
        }
    }
    /// Shares `clipboard` (e.g. with the other apps of the desktop).
    pub fn with_clipboard(mut self, clipboard: SharedClipboard) -> Self {
        self.clipboard = clipboard;
        self
    }
    /// Hands notifications to `f`.
    pub fn with_notify(mut self, f: NotifyFn) -> Self {
        self.notify = Some(f);
        self
    }
    /// Overrides the locale (a POSIX locale name or a BCP 47 tag).
    pub fn with_locale(mut self, locale: &str) -> Self {
        self.locale = locale_to_bcp47(locale);
        self
    }
}

impl SystemBackend for StdSystem {
    fn wall_clock_ms(&self) -> i64 {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
            // A clock set before 1970: negative milliseconds, as the ABI's i64 allows.
            Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
        }
    }
    fn monotonic_ns(&self) -> i64 {
        i64::try_from(self.start.elapsed().as_nanos()).unwrap_or(i64::MAX)
    }
    fn hostname(&self) -> Result<String, HostError> {
        for path in ["/proc/sys/kernel/hostname", "/etc/hostname"] {
            if let Ok(s) = std::fs::read_to_string(path) {
                let name = s.trim();
                if !name.is_empty() {
                    return Ok(name.into());
                }
            }
        }
        Err(HostError::Unavailable)
    }
    fn locale(&self) -> String {
        self.locale.clone()
    }
    fn clipboard_read(&mut self) -> Result<String, HostError> {
        Ok(self.clipboard.get())
    }
    fn clipboard_write(&mut self, text: &str) -> Result<(), HostError> {
        self.clipboard.set(text);
        Ok(())
    }
    fn notify(&mut self, app_id: &str, title: &str, body: &str) -> Result<u32, HostError> {
        match &self.notify {
            Some(f) => f(app_id, title, body),
            None => Err(HostError::Unavailable),
        }
    }
}

/// A POSIX locale name (`language[_territory][.codeset][@modifier]`) as a BCP 47 tag:
/// `"en_US.UTF-8"` → `"en-US"`, `"de_DE@euro"` → `"de-DE"`, `"fr"` → `"fr"`. `"C"`,
/// `"POSIX"`, empty and anything that does not look like a locale give `"en-US"`. A tag
/// that is already BCP 47 (`"pt-BR"`) is kept, with its case normalised.
pub fn locale_to_bcp47(posix: &str) -> String {
    const DEFAULT: &str = "en-US";
    let base = posix.split(['.', '@']).next().unwrap_or("");
    if base.is_empty() || base == "C" || base == "POSIX" {
        return DEFAULT.into();
    }
    let mut parts = base.split(['_', '-']);
    let lang = parts.next().unwrap_or("");
    if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_alphabetic()) {
        return DEFAULT.into();
    }
    let mut tag = lang.to_ascii_lowercase();
    for part in parts {
        let ok =
            !part.is_empty() && part.len() <= 8 && part.bytes().all(|b| b.is_ascii_alphanumeric());
        if !ok {
            return DEFAULT.into();
        }
        tag.push('-');
        match part.len() {
            // A region (`US`, `419`).
            2 | 3 => tag.push_str(&part.to_ascii_uppercase()),
            // A script (`Hant`).
            4 => {
                let (first, rest) = part.split_at(1);
                tag.push_str(&first.to_ascii_uppercase());
                tag.push_str(&rest.to_ascii_lowercase());
            }
            _ => tag.push_str(&part.to_ascii_lowercase()),
        }
    }
    tag
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_locales_become_bcp47() {
        for (posix, tag) in [
            ("en_US.UTF-8", "en-US"),
            ("de_DE@euro", "de-DE"),
            ("de_DE.ISO-8859-15@euro", "de-DE"),
            ("fr", "fr"),
            ("C", "en-US"),
            ("C.UTF-8", "en-US"),
            ("POSIX", "en-US"),
            ("", "en-US"),
            ("pt-br", "pt-BR"),
            ("zh_Hant_TW", "zh-Hant-TW"),
            ("es_419", "es-419"),
            ("../../etc", "en-US"),
            ("en_U S", "en-US"),
        ] {
            assert_eq!(locale_to_bcp47(posix), tag, "{posix:?}");
        }
    }

    #[test]
    fn clipboard_is_shared_between_clones() {
        let clip = SharedClipboard::new();
        let mut a = StdSystem::new().with_clipboard(clip.clone());
        let mut b = StdSystem::new().with_clipboard(clip);
        a.clipboard_write("hi").unwrap();
        assert_eq!(b.clipboard_read().unwrap(), "hi");
        let mut own = StdSystem::new();
        assert_eq!(own.clipboard_read().unwrap(), "");
    }

    #[test]
    fn notify_needs_a_sink() {
        let mut s = StdSystem::new();
        assert_eq!(s.notify("a", "t", "b"), Err(HostError::Unavailable));
        let mut s = s.with_notify(Arc::new(|app, title, _| {
            assert_eq!((app, title), ("a", "t"));
            Ok(7)
        }));
        assert_eq!(s.notify("a", "t", "b"), Ok(7));
    }

    #[test]
    fn clocks_move_forward() {
        let s = StdSystem::new();
        let t0 = s.monotonic_ns();
        assert!(s.monotonic_ns() >= t0);
        // 2020-01-01 in ms: any real clock is past it.
        assert!(s.wall_clock_ms() > 1_577_836_800_000);
    }
}
