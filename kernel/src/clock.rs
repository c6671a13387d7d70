//! Time: the PIT's channel 0 interrupts at [`TICK_HZ`] (the scheduler's heartbeat), the TSC,
//! calibrated against the PIT at boot, gives a monotonic clock in nanoseconds, and the CMOS
//! real-time clock read once at boot gives the wall clock (`clock_time_get(realtime)`).

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

/// Measures the TSC's rate over 20 timer ticks (80 ms). Needs interrupts on.
pub fn calibrate() {
    let start_tick = ticks();
    while ticks() == start_tick {
        x86_64::instructions::hlt();
    }
    let (t0, k0) = (rdtsc(), ticks());
    while ticks() < k0 + 20 {
        x86_64::instructions::hlt();
    }
    let (t1, k1) = (rdtsc(), ticks());
    let hz = (t1 - t0) * TICK_HZ as u64 / (k1 - k0);
    TSC_HZ.store(hz.max(1), Ordering::Relaxed);
    TSC_AT_BOOT.store(t0 - (t1 - t0) / (k1 - k0) * k0, Ordering::Relaxed);
    WALL_AT_BOOT_NS.store(
        read_rtc_unix_seconds()
            .saturating_mul(1_000_000_000)
            .saturating_sub(monotonic_ns()),
        Ordering::Relaxed,
    );
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
