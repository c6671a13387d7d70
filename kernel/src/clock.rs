//! Time: the PIT's channel 0 interrupts at [`TICK_HZ`] (the scheduler's heartbeat), the TSC,
//! calibrated against the CMOS real-time clock at boot, gives a monotonic clock in
//! nanoseconds, and the RTC's time at that moment gives the wall clock
//! (`clock_time_get(realtime)`).

use core::sync::atomic::{AtomicU64, Ordering};
use x86_64::instructions::port::Port;

pub const TICK_HZ: u32 = 250;
const PIT_HZ: u32 = 1_193_182;

static TICKS: AtomicU64 = AtomicU64::new(0);
static TSC_HZ: AtomicU64 = AtomicU64::new(0);
static TSC_AT_BOOT: AtomicU64 = AtomicU64::new(0);
/// Unix time in ns when the monotonic clock read 0.
static WALL_AT_BOOT_NS: AtomicU64 = AtomicU64::new(0);

fn rdtsc() -> u64 {
    // SAFETY: RDTSC reads the time-stamp counter; it has no side effects.
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// Programs the PIT (mode 2, rate generator) at TICK_HZ. Interrupts must be enabled after.
pub fn init_pit() {
    let divisor = (PIT_HZ / TICK_HZ) as u16;
    // SAFETY: the PIT's mode/command and channel 0 data ports.
    unsafe {
        Port::<u8>::new(0x43).write(0x34); // channel 0, lobyte/hibyte, mode 2
        Port::<u8>::new(0x40).write(divisor as u8);
        Port::<u8>::new(0x40).write((divisor >> 8) as u8);
    }
    TSC_AT_BOOT.store(rdtsc(), Ordering::Relaxed);
}

/// Called by the timer interrupt.
pub fn tick() {
    TICKS.fetch_add(1, Ordering::Relaxed);
}

pub fn ticks() -> u64 {
    TICKS.load(Ordering::Relaxed)
}

/// Measures the TSC's rate between two ticks of the CMOS clock's seconds (1 s apart), and
/// sets the wall clock at the second tick. Under emulation the timer's interrupts can come
/// late when the host is busy, so counting them skews the rate (a clock that fell minutes
/// behind in a loaded test run); the RTC and the TSC both follow the host's clock. Takes
/// one to two seconds of boot.
pub fn calibrate() {
    let seconds_edge = || {
        let start = cmos_seconds();
        loop {
            // Busy-waiting on the port, not on interrupts: the edge is seen within
            // microseconds.
            let s = cmos_seconds();
            if s != start {
                return rdtsc();
            }
            core::hint::spin_loop();
        }
    };
    let t0 = seconds_edge();
    let t1 = seconds_edge();
    let hz = (t1 - t0).max(1);
    TSC_HZ.store(hz, Ordering::Relaxed);
    TSC_AT_BOOT.store(t1, Ordering::Relaxed);
    // Monotonic 0 is this edge, which the RTC reads as a whole second.
    WALL_AT_BOOT_NS.store(
        read_rtc_unix_seconds().saturating_mul(1_000_000_000),
        Ordering::Relaxed,
    );
}

/// The RTC's seconds register, read when no update is in progress.
fn cmos_seconds() -> u8 {
    while cmos(0x0A) & 0x80 != 0 {
        core::hint::spin_loop();
    }
    cmos(0x00)
}

pub fn tsc_hz() -> u64 {
    TSC_HZ.load(Ordering::Relaxed)
}

/// Nanoseconds since boot; never goes back.
pub fn monotonic_ns() -> u64 {
    let hz = TSC_HZ.load(Ordering::Relaxed);
    let elapsed = rdtsc().wrapping_sub(TSC_AT_BOOT.load(Ordering::Relaxed));
    if hz == 0 {
        // Before calibration: the timer ticks.
        return ticks() * (1_000_000_000 / TICK_HZ as u64);
    }
    ((elapsed as u128) * 1_000_000_000 / hz as u128) as u64
}

pub fn monotonic_ms() -> u64 {
    monotonic_ns() / 1_000_000
}

/// Nanoseconds since the Unix epoch.
pub fn realtime_ns() -> u64 {
    WALL_AT_BOOT_NS.load(Ordering::Relaxed) + monotonic_ns()
}

fn cmos(reg: u8) -> u8 {
    // SAFETY: the CMOS index/data ports; bit 7 of the index keeps NMIs enabled as before.
    unsafe {
        Port::<u8>::new(0x70).write(reg);
        Port::<u8>::new(0x71).read()
    }
}

/// The RTC's date and time as Unix seconds (the RTC keeps UTC under QEMU).
fn read_rtc_unix_seconds() -> u64 {
    // Wait out an update in progress, then read until two reads agree.
    let read = || {
        while cmos(0x0A) & 0x80 != 0 {
            core::hint::spin_loop();
        }
        [
            cmos(0x00),
            cmos(0x02),
            cmos(0x04),
            cmos(0x07),
            cmos(0x08),
            cmos(0x09),
            cmos(0x32),
        ]
    };
    let mut r = read();
    loop {
        let again = read();
        if again == r {
            break;
        }
        r = again;
    }
    let status_b = cmos(0x0B);
    let bcd = |v: u8| {
        if status_b & 0x04 == 0 {
            (v & 0x0F) + (v >> 4) * 10
        } else {
            v
        }
    };
    let [s, m, h, day, month, year, century] = r;
    let (sec, min) = (bcd(s) as u64, bcd(m) as u64);
    let pm = status_b & 0x02 == 0 && h & 0x80 != 0;
    let mut hour = bcd(h & 0x7F) as u64;
    if pm {
        hour = (hour % 12) + 12;
    }
    let (day, month) = (bcd(day) as u64, bcd(month) as u64);
    let century = match bcd(century) {
        c @ 19..=21 => c as u64,
        _ => 20,
    };
    let year = century * 100 + bcd(year) as u64;
    days_from_civil(year, month, day) * 86_400 + hour * 3600 + min * 60 + sec
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: u64, m: u64, d: u64) -> u64 {
    let y = if m <= 2 { y - 1 } else { y } as i64;
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468).max(0) as u64
}
