//! The event loop: wait for events without busy-waiting, let the app react, redraw
//! only when something changed, present with `request_frame`, stop on close.
//!
//! Two forms: [`run_app`] drives an [`App`] (separate `event` and `draw`, so the loop
//! can coalesce a burst of events into one redraw), and [`run`] drives a closure that
//! both handles events and draws.

use crate::{Error, Event, EventWindow, Surface, Timeout};

/// What the app wants after handling an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Control {
    /// Nothing visible changed: keep waiting.
    Continue,
    /// Something changed: draw and present a new frame.
    Redraw,
    /// Leave the event loop (the window closes when it is dropped).
    Exit,
}

/// An app with separate input handling and drawing, for [`run_app`].
pub trait App {
    /// Reacts to one event. `win` gives the window's size and text measurement (no
    /// drawing here: drawing belongs in [`App::draw`], which the loop calls once per
    /// batch of events). [`Event::Close`] is delivered before the loop ends; the
    /// answer to it is ignored.
    fn event(&mut self, win: &dyn Surface, event: Event) -> Control;
    /// Draws the whole window content.
    fn draw(&mut self, win: &mut dyn Surface);
}

/// What a batch of events asked for.
enum Batch {
    Idle,
    Redraw,
    Stop,
}

/// Waits (without a timeout, so without busy-waiting) for the next event, then also
/// takes every event already queued, passing each to `handle`; returns whether any
/// asked to redraw or to stop. A closed window stops the loop.
fn next_batch<W: EventWindow + ?Sized>(
    win: &mut W,
    mut handle: impl FnMut(&mut W, Event) -> Control,
) -> Result<Batch, Error> {
    let mut batch = Batch::Idle;
    let mut timeout = Timeout::Forever;
    loop {
        let event = match win.poll_event(timeout) {
            Ok(Some(e)) => e,
            Ok(None) => return Ok(batch),
            Err(Error::Closed) => return Ok(Batch::Stop),
            Err(e) => return Err(e),
        };
        let control = handle(win, event);
        if event == Event::Close {
            return Ok(Batch::Stop);
        }
        match control {
            Control::Exit => return Ok(Batch::Stop),
            Control::Redraw => batch = Batch::Redraw,
            Control::Continue => {}
        }
        // Drain what is already queued before drawing once for all of it.
        timeout = Timeout::Now;
    }
}

/// Presents a frame; `Ok(false)` when the window is gone.
fn present<W: EventWindow + ?Sized>(win: &mut W) -> Result<bool, Error> {
    match win.request_frame() {
        Ok(()) => Ok(true),
        Err(Error::Closed) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Runs `app` in `win` until the window is closed or the app returns
/// [`Control::Exit`]: draws the first frame, then repeatedly waits for events,
/// handles every queued event, and redraws and presents once if any asked for it.
///
/// Returns `Ok(())` when the loop ends normally (including the host reporting the
/// window closed), or the first other error of `poll_event` or `request_frame` (a
/// drawing call's error surfaces through `request_frame`).
pub fn run_app<W: EventWindow, A: App + ?Sized>(win: &mut W, app: &mut A) -> Result<(), Error> {
    app.draw(win);
    if !present(win)? {
        return Ok(());
    }
    loop {
        match next_batch(win, |w, e| app.event(&*w, e))? {
            Batch::Idle => {}
            Batch::Redraw => {
                app.draw(win);
                if !present(win)? {
                    return Ok(());
                }
            }
            Batch::Stop => return Ok(()),
        }
    }
}

/// Runs a closure-driven loop in `win`: `f` gets each event and draws what it wants
/// itself, returning [`Control::Redraw`] to have the drawing presented. The first
/// call is a synthetic [`Event::Resize`] with the window's current size, so the app
/// can lay out and draw its first frame in the same place it handles resizes.
/// [`Event::Close`] is delivered, then the loop ends. Errors as for [`run_app`].
pub fn run<W: EventWindow + ?Sized>(
    win: &mut W,
    mut f: impl FnMut(&mut W, Event) -> Control,
) -> Result<(), Error> {
    let (w, h) = win.size();
    match f(win, Event::Resize { w, h }) {
        Control::Exit => return Ok(()),
        Control::Redraw => {
            if !present(win)? {
                return Ok(());
            }
        }
        Control::Continue => {}
    }
    loop {
        match next_batch(win, &mut f)? {
            Batch::Idle => {}
            Batch::Redraw => {
                if !present(win)? {
                    return Ok(());
                }
            }
            Batch::Stop => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Key, Recorder};

    /// Counts events and draws; asks to redraw on key presses.
    #[derive(Default)]
    struct Counter {
        events: u32,
        draws: u32,
        saw_close: bool,
    }

    impl App for Counter {
        fn event(&mut self, _win: &dyn Surface, event: Event) -> Control {
            self.events += 1;
            match event {
                Event::Close => {
                    self.saw_close = true;
                    Control::Continue
                }
                Event::KeyDown { key: Key::Escape } => Control::Exit,
                Event::KeyDown { .. } => Control::Redraw,
                _ => Control::Continue,
            }
        }
        fn draw(&mut self, win: &mut dyn Surface) {
            self.draws += 1;
            win.clear(0xFF00_0000);
        }
    }

    fn key(c: char) -> Event {
        Event::KeyDown { key: Key::Char(c) }
    }

    #[test]
    fn draws_first_then_once_per_batch_and_stops_on_close() {
        let mut rec = Recorder::new(300, 400);
        // The recorder delivers the whole script at once, as a host would after a
        // burst: three keys and a mouse move are one batch, so one redraw.
        rec.script([
            key('1'),
            key('2'),
            Event::MouseMove { x: 1, y: 1 },
            key('3'),
        ]);
        let mut app = Counter::default();
        run_app(&mut rec, &mut app).unwrap();
        // Initial frame + one for the batch; the script's end delivers Close.
        assert_eq!((app.draws, rec.frames()), (2, 2));
        assert!(app.saw_close);
        assert_eq!(app.events, 5);
        // Waiting is always "forever" (never a busy loop of timed polls); the batch is
        // drained with "now" polls.
        assert_eq!(rec.polls.1, 0);
        assert_eq!(rec.polls.2, 2);
    }

    #[test]
    fn continue_does_not_redraw_and_exit_stops() {
        let mut rec = Recorder::new(10, 10);
        rec.script([Event::MouseMove { x: 1, y: 1 }]);
        let mut app = Counter::default();
        run_app(&mut rec, &mut app).unwrap();
        assert_eq!(app.draws, 1);

        let mut rec = Recorder::new(10, 10);
        rec.script([Event::KeyDown { key: Key::Escape }, key('1')]);
        let mut app = Counter::default();
        run_app(&mut rec, &mut app).unwrap();
        assert_eq!(app.events, 1);
        assert!(!app.saw_close);
    }

    #[test]
    fn resize_updates_the_size_the_app_sees() {
        let mut rec = Recorder::new(10, 10);
        rec.script([Event::Resize { w: 640, h: 480 }]);
        let mut sizes = alloc::vec::Vec::new();
        run(&mut rec, |w, e| {
            sizes.push((e, w.size()));
            Control::Redraw
        })
        .unwrap();
        assert_eq!(
            sizes,
            [
                (Event::Resize { w: 10, h: 10 }, (10, 10)),
                (Event::Resize { w: 640, h: 480 }, (640, 480)),
                (Event::Close, (640, 480)),
            ]
        );
        // First frame, then one for the resize batch (Close ends without a frame).
        assert_eq!(rec.frames(), 2);
    }

    /// A window whose frames fail, as a host reports a window the desktop closed.
    struct Gone(Recorder);
    impl Surface for Gone {
        fn size(&self) -> (u32, u32) {
            self.0.size()
        }
        fn clear(&mut self, argb: u32) {
            self.0.clear(argb)
        }
        fn rect(&mut self, x: i32, y: i32, w: u32, h: u32, argb: u32) {
            self.0.rect(x, y, w, h, argb)
        }
        fn line(&mut self, x0: i32, y0: i32, x1: i32, y1: i32, argb: u32) {
            self.0.line(x0, y0, x1, y1, argb)
        }
        fn text(&mut self, x: i32, y: i32, t: &str, s: u32, argb: u32) -> u32 {
            self.0.text(x, y, t, s, argb)
        }
        fn measure_text(&self, t: &str, s: u32) -> u32 {
            self.0.measure_text(t, s)
        }
        fn image(&mut self, x: i32, y: i32, w: u32, h: u32, rgba: &[u8]) {
            self.0.image(x, y, w, h, rgba)
        }
    }
    impl EventWindow for Gone {
        fn poll_event(&mut self, t: Timeout) -> Result<Option<Event>, Error> {
            self.0.poll_event(t)
        }
        fn request_frame(&mut self) -> Result<(), Error> {
            Err(Error::Closed)
        }
    }

    #[test]
    fn a_closed_window_ends_the_loop_quietly() {
        let mut w = Gone(Recorder::new(10, 10));
        w.0.script([key('1')]);
        let mut app = Counter::default();
        assert_eq!(run_app(&mut w, &mut app), Ok(()));
        // Stopped after the first frame failed: no event was read.
        assert_eq!(app.events, 0);
    }
}
