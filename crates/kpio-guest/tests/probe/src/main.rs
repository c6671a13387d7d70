//! Calls every host function once through the safe wrappers (never run: only built,
//! so that tests/imports.rs can check the module's imports).

use kpio_guest::net::{Kind, Socket};
use kpio_guest::system::{self, Level};
use kpio_guest::{EventWindow, Surface, Timeout, Window};

fn main() -> Result<(), kpio_guest::Error> {
    let mut w = Window::new("probe", 10, 10)?;
    w.set_title("probe")?;
    w.clear(0);
    w.rect(0, 0, 1, 1, 0);
    w.line(0, 0, 1, 1, 0);
    let width = w.text(0, 0, "x", 10, 0) + w.measure_text("x", 10);
    w.image(0, 0, 1, 1, &[0; 4]);
    w.request_frame()?;
    let _ = w.poll_event(Timeout::Now)?;
    w.close()?;

    let t = system::time_ms() as u64 + system::monotonic_ns();
    let host = system::hostname()? + &system::locale()?;
    system::notify("probe", &host)?;
    let clip = system::clipboard_read()?;
    system::clipboard_write(&clip)?;
    system::log(Level::Info, &format!("{width} {t}"));

    let l = Socket::listen_tcp("127.0.0.1", 0, 1)?;
    let c = Socket::new(Kind::Udp)?;
    c.connect("localhost", 1)?;
    let a = l.accept(Timeout::Forever)?;
    a.send_all(b"x")?;
    let mut buf = [0; 4];
    a.recv(&mut buf, Timeout::Ms(5))?;
    a.close()
}
