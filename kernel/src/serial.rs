//! The serial console: COM1 (a 16550 UART at port 0x3F8), where the kernel writes its log,
//! its reports and the output of apps, and where the QEMU end-to-end tests read them.
//!
//! Output is polled (wait for the transmit register to empty, then write a byte): it works
//! from the first instruction and in exception handlers. Interrupt handlers never print
//! (only the fault report does, after taking the lock by force on its way out of QEMU),
//! so writers hold the lock with interrupts on: formatting may allocate, and the
//! allocator's lock must never be waited for with interrupts off (`sched.rs`).

use core::fmt::{self, Write};
use spin::Mutex;
use x86_64::instructions::port::Port;

const COM1: u16 = 0x3F8;

struct Uart {
    base: u16,
}

impl Uart {
    /// 115200 baud, 8N1, FIFOs on, interrupts off.
    fn init(&mut self) {
        // SAFETY: these are the 16550's registers at COM1; writing them only configures the
        // UART, which nothing else in the kernel touches.
        unsafe {
            Port::<u8>::new(self.base + 1).write(0x00); // no UART interrupts
            Port::<u8>::new(self.base + 3).write(0x80); // DLAB on: the divisor follows
            Port::<u8>::new(self.base).write(0x01); // divisor 1: 115200 baud
            Port::<u8>::new(self.base + 1).write(0x00);
            Port::<u8>::new(self.base + 3).write(0x03); // 8 bits, no parity, 1 stop bit
            Port::<u8>::new(self.base + 2).write(0xC7); // FIFOs on and cleared
            Port::<u8>::new(self.base + 4).write(0x0B); // DTR, RTS, OUT2
        }
    }

    fn write_byte(&mut self, b: u8) {
        // SAFETY: reading the line status and writing the transmit register of COM1.
        unsafe {
            let mut status = Port::<u8>::new(self.base + 5);
            while status.read() & 0x20 == 0 {
                core::hint::spin_loop();
            }
            Port::<u8>::new(self.base).write(b);
        }
    }
}

impl Write for Uart {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for b in s.bytes() {
            if b == b'\n' {
                self.write_byte(b'\r');
            }
            self.write_byte(b);
        }
        Ok(())
    }
}

static SERIAL: Mutex<Uart> = Mutex::new(Uart { base: COM1 });

pub fn init() {
    SERIAL.lock().init();
}

/// Writes bytes as they are (app output: a guest's bytes need not be UTF-8).
pub fn write_bytes(bytes: &[u8]) {
    let mut uart = SERIAL.lock();
    for &b in bytes {
        if b == b'\n' {
            uart.write_byte(b'\r');
        }
        uart.write_byte(b);
    }
}

#[doc(hidden)]
pub fn _print(args: fmt::Arguments) {
    let _ = SERIAL.lock().write_fmt(args);
}

/// Forcibly takes the console for a last report (a panic or a fault while it was held).
pub fn force_unlock() {
    // SAFETY: only called on the way to exiting QEMU, after which nothing the holder
    // was doing matters; its half-written line is the worst outcome.
    unsafe { SERIAL.force_unlock() };
}

#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => ($crate::serial::_print(format_args!($($arg)*)));
}

#[macro_export]
macro_rules! println {
    () => ($crate::print!("\n"));
    ($($arg:tt)*) => ($crate::print!("{}\n", format_args!($($arg)*)));
}
