//! What a boot does: `system/boot.json` in the ramdisk, written by `kpio image`.
//!
//! ```json
//! { "run": [{ "app": "com.kpio.hello", "args": ["from", "the", "image"] }],
//!   "desktop": true, "exit_when_done": false }
//! ```
//! - `run`: apps launched at boot, in order, each on its own thread, all at once;
//! - `desktop`: start the desktop on the framebuffer;
//! - `crash`: fault on purpose once booted (`page-fault`, `invalid-opcode`, `panic`);
//! - `exit_when_done`: once every `run` app has ended (and there is no desktop), leave QEMU
//!   with success if all exited 0, failure otherwise. The tests use it; a KPIO you boot to
//!   use leaves it false and keeps running.
//!
//! A missing file is the default plan: the desktop, nothing else. A malformed one is
//! reported (with serde_json's line and column) and the default plan is used.

use alloc::string::String;
use alloc::vec::Vec;
use serde::Deserialize;

pub const PATH: &str = "system/boot.json";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Launch {
    pub app: String,
    #[serde(default)]
    pub args: Vec<String>,
}

/// A crash on purpose, after the boot (`kpio image --crash KIND`): how one checks that a
/// fault is reported on the console and ends the machine instead of a silent triple fault
/// or reboot, as Linux's sysrq-c does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Crash {
    /// A write to an unmapped address.
    PageFault,
    /// `ud2`.
    InvalidOpcode,
    /// A kernel panic.
    Panic,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BootPlan {
    #[serde(default)]
    pub run: Vec<Launch>,
    #[serde(default = "yes")]
    pub desktop: bool,
    #[serde(default)]
    pub exit_when_done: bool,
    #[serde(default)]
    pub crash: Option<Crash>,
}

fn yes() -> bool {
    true
}

impl Default for BootPlan {
    fn default() -> Self {
        BootPlan {
            run: Vec::new(),
            desktop: true,
            exit_when_done: false,
            crash: None,
        }
    }
}

impl BootPlan {
    pub fn parse(bytes: &[u8]) -> Result<BootPlan, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}
