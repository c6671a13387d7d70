//! How long a blocking host call (`poll_event`, `accept`, `recv`) may wait.

/// How long a blocking call may wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timeout {
    /// Do not wait: return at once (the ABI's `0`).
    Now,
    /// Wait at most this many milliseconds.
    Ms(u32),
    /// Wait until something happens (the ABI's `-1`). The host never busy-waits and
    /// wakes the call when the app is stopped.
    Forever,
}

impl Timeout {
    /// The ABI's `timeout_ms` argument.
    pub const fn to_abi(self) -> i32 {
        match self {
            Timeout::Now => 0,
            Timeout::Ms(ms) => {
                if ms > i32::MAX as u32 {
                    i32::MAX
                } else {
                    ms as i32
                }
            }
            Timeout::Forever => -1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abi_values() {
        assert_eq!(Timeout::Now.to_abi(), 0);
        assert_eq!(Timeout::Ms(0).to_abi(), 0);
        assert_eq!(Timeout::Ms(250).to_abi(), 250);
        assert_eq!(Timeout::Ms(u32::MAX).to_abi(), i32::MAX);
        assert_eq!(Timeout::Forever.to_abi(), -1);
    }
}
