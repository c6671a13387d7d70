//! The PS/2 controller (i8042): keyboard on its first port (IRQ 1), mouse on its second
//! (IRQ 12). Interrupt handlers only read the byte and queue it (keyboard scancodes as
//! they come, mouse bytes assembled into 3-byte packets); decoding happens in a thread
//! (`input.rs`). The queue is a fixed ring, so an interrupt never allocates.

use spin::Mutex;
use x86_64::instructions::port::Port;

const DATA: u16 = 0x60;
const STATUS_CMD: u16 = 0x64;

/// One thing the controller delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Raw {
    /// A keyboard byte in scancode set 1 (the controller translates).
    Scancode(u8),
    /// A mouse packet: movement (y up is positive, as PS/2 reports it) and the buttons
    /// held (bit 0 left, 1 right, 2 middle).
    Mouse { dx: i16, dy: i16, buttons: u8 },
}

const QUEUE: usize = 512;

struct Ring {
    items: [Raw; QUEUE],
    head: usize,
    len: usize,
    dropped: u64,
}

impl Ring {
    fn push(&mut self, r: Raw) {
        if self.len == QUEUE {
            self.dropped += 1;
            return;
        }
        self.items[(self.head + self.len) % QUEUE] = r;
        self.len += 1;
    }
    fn pop(&mut self) -> Option<Raw> {
        if self.len == 0 {
            return None;
        }
        let r = self.items[self.head];
        self.head = (self.head + 1) % QUEUE;
        self.len -= 1;
        Some(r)
    }
}

static RING: Mutex<Ring> = Mutex::new(Ring {
    items: [Raw::Scancode(0); QUEUE],
    head: 0,
    len: 0,
    dropped: 0,
});

/// The mouse packet being assembled (only the mouse interrupt touches it).
static PACKET: Mutex<([u8; 3], usize)> = Mutex::new(([0; 3], 0));

fn status() -> u8 {
    // SAFETY: reading the i8042 status register has no side effects.
    unsafe { Port::<u8>::new(STATUS_CMD).read() }
}

fn wait_write() -> bool {
    for _ in 0..100_000 {
        if status() & 2 == 0 {
            return true;
        }
        core::hint::spin_loop();
    }
    false
}

fn wait_read() -> bool {
    for _ in 0..100_000 {
        if status() & 1 != 0 {
            return true;
        }
        core::hint::spin_loop();
    }
    false
}

fn command(c: u8) {
    wait_write();
    // SAFETY: the i8042 command port; only this module drives the controller.
    unsafe { Port::<u8>::new(STATUS_CMD).write(c) };
}

fn write_data(b: u8) {
    wait_write();
    // SAFETY: the i8042 data port.
    unsafe { Port::<u8>::new(DATA).write(b) };
}

fn read_data() -> Option<u8> {
    // SAFETY: the i8042 data port.
    wait_read().then(|| unsafe { Port::<u8>::new(DATA).read() })
}

/// Sends a command to the mouse and reads its acknowledgement (0xFA).
fn mouse_command(c: u8) -> bool {
    command(0xD4);
    write_data(c);
    read_data() == Some(0xFA)
}

/// What `init` found.
pub struct Ps2 {
    pub mouse: bool,
}

/// Sets the controller up with both ports' interrupts on and the mouse reporting.
/// Runs with interrupts off.
pub fn init() -> Ps2 {
    command(0xAD); // disable the keyboard port
    command(0xA7); // and the mouse port while configuring
    while status() & 1 != 0 {
        // SAFETY: draining stale bytes from the data port.
        unsafe { Port::<u8>::new(DATA).read() };
    }
    command(0x20);
    let config = read_data().unwrap_or(0);
    // IRQ 1 and 12 on, both clocks on, translation to set 1 kept.
    let config = (config | 0b0000_0011) & !0b0011_0000;
    command(0x60);
    write_data(config);
    command(0xAE);
    command(0xA8);
    let mouse = mouse_command(0xF6) && mouse_command(0xF4);
    Ps2 { mouse }
}

pub fn on_keyboard_interrupt() {
    // As for the mouse: only a byte that is there, and from the keyboard.
    if status() & 0x21 != 0x01 {
        return;
    }
    // SAFETY: the status says a keyboard byte waits in the data port.
    let b = unsafe { Port::<u8>::new(DATA).read() };
    RING.lock().push(Raw::Scancode(b));
}

pub fn on_mouse_interrupt() {
    // An IRQ latched while `init` polled the acknowledgements finds the buffer empty:
    // reading the port then would return a stale byte and shift every later packet.
    if status() & 0x21 != 0x21 {
        return;
    }
    // SAFETY: the status says a byte from the mouse waits in the data port.
    let b = unsafe { Port::<u8>::new(DATA).read() };
    let mut p = PACKET.lock();
    // The first byte of a packet has bit 3 set and (in practice) no overflow bits: on
    // anything else, drop the byte and resynchronise on the next.
    if p.1 == 0 && (b & 0x08 == 0 || b & 0xC0 != 0) {
        return;
    }
    let i = p.1;
    p.0[i] = b;
    p.1 += 1;
    if p.1 < 3 {
        return;
    }
    p.1 = 0;
    let [flags, x, y] = p.0;
    let dx = x as i16 - if flags & 0x10 != 0 { 256 } else { 0 };
    let dy = y as i16 - if flags & 0x20 != 0 { 256 } else { 0 };
    RING.lock().push(Raw::Mouse {
        dx,
        dy,
        buttons: flags & 0x07,
    });
}

/// The next queued input, if any (callable from any thread).
pub fn pop() -> Option<Raw> {
    x86_64::instructions::interrupts::without_interrupts(|| RING.lock().pop())
}
