//! An in-memory [`Surface`] and [`EventWindow`] for host-side tests of app code:
//! it records every drawing call, measures text with a fixed-width rule, and plays
//! back a scripted list of events.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use crate::{Error, Event, EventWindow, Surface, Timeout};

/// One recorded drawing call (or a presented frame).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// [`Surface::clear`].
    Clear(u32),
    /// [`Surface::rect`].
    Rect {
        /// Left.
        x: i32,
        /// Top.
        y: i32,
        /// Width.
        w: u32,
        /// Height.
        h: u32,
        /// Colour.
        argb: u32,
    },
    /// [`Surface::line`].
    Line {
        /// Start x.
        x0: i32,
        /// Start y.
        y0: i32,
        /// End x.
        x1: i32,
        /// End y.
        y1: i32,
        /// Colour.
        argb: u32,
    },
    /// [`Surface::text`].
    Text {
        /// Left of the line box.
        x: i32,
        /// Top of the line box.
        y: i32,
        /// The string.
        text: String,
        /// Font size in pixels.
        size: u32,
        /// Colour.
        argb: u32,
    },
    /// [`Surface::image`] (the pixels are not kept).
    Image {
        /// Left.
        x: i32,
        /// Top.
        y: i32,
        /// Width.
        w: u32,
        /// Height.
        h: u32,
    },
    /// [`EventWindow::request_frame`].
    Frame,
}

/// A recording surface with scripted events. When the script runs out,
/// `poll_event` reports [`Event::Close`] (so an event loop under test ends).
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    /// Canvas size.
    pub width: u32,
    /// Canvas height.
    pub height: u32,
    /// Every call so far, in order.
    pub ops: Vec<Recorded>,
    /// Events still to deliver.
    pub events: VecDeque<Event>,
    /// How many times `poll_event` was called with each kind of timeout:
    /// (`Now`, `Ms`, `Forever`).
    pub polls: (u32, u32, u32),
}

impl Recorder {
    /// A `width` × `height` recorder with no events.
    pub fn new(width: u32, height: u32) -> Recorder {
        Recorder {
            width,
            height,
            ..Recorder::default()
        }
    }

    /// Queues events for `poll_event`.
    pub fn script(&mut self, events: impl IntoIterator<Item = Event>) -> &mut Self {
        self.events.extend(events);
        self
    }

    /// The strings of the text drawn since the last `clear` (or ever, if none).
    pub fn texts(&self) -> Vec<&str> {
        let start = self
            .ops
            .iter()
            .rposition(|o| matches!(o, Recorded::Clear(_)))
            .map_or(0, |i| i + 1);
        self.ops[start..]
            .iter()
            .filter_map(|o| match o {
                Recorded::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Number of frames presented.
    pub fn frames(&self) -> usize {
        self.ops.iter().filter(|o| **o == Recorded::Frame).count()
    }

    /// The fixed-width rule `measure_text` uses: each character is
    /// `size_px * 6 / 10` pixels wide (rounded down), like a typical monospace font.
    pub fn char_width(size_px: u32) -> u32 {
        size_px * 6 / 10
    }
}

impl Surface for Recorder {
    fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }
    fn clear(&mut self, argb: u32) {
        self.ops.push(Recorded::Clear(argb));
    }
    fn rect(&mut self, x: i32, y: i32, w: u32, h: u32, argb: u32) {
        self.ops.push(Recorded::Rect { x, y, w, h, argb });
    }
    fn line(&mut self, x0: i32, y0: i32, x1: i32, y1: i32, argb: u32) {
        self.ops.push(Recorded::Line {
            x0,
            y0,
            x1,
            y1,
            argb,
        });
    }
    fn text(&mut self, x: i32, y: i32, text: &str, size_px: u32, argb: u32) -> u32 {
        self.ops.push(Recorded::Text {
            x,
            y,
            text: text.into(),
            size: size_px,
            argb,
        });
        self.measure_text(text, size_px)
    }
    fn measure_text(&self, text: &str, size_px: u32) -> u32 {
        text.chars().count() as u32 * Recorder::char_width(size_px)
    }
    fn image(&mut self, x: i32, y: i32, w: u32, h: u32, _rgba: &[u8]) {
        self.ops.push(Recorded::Image { x, y, w, h });
    }
}

impl EventWindow for Recorder {
    fn poll_event(&mut self, timeout: Timeout) -> Result<Option<Event>, Error> {
        match timeout {
            Timeout::Now => self.polls.0 += 1,
            Timeout::Ms(_) => self.polls.1 += 1,
            Timeout::Forever => self.polls.2 += 1,
        }
        match self.events.pop_front() {
            Some(e) => {
                if let Event::Resize { w, h } = e {
                    (self.width, self.height) = (w, h);
                }
                Ok(Some(e))
            }
            // With a timeout the "host" simply has nothing more queued; waiting forever
            // on an empty script would hang, so the script's end closes the window.
            None if timeout == Timeout::Forever => Ok(Some(Event::Close)),
            None => Ok(None),
        }
    }
    fn request_frame(&mut self) -> Result<(), Error> {
        self.ops.push(Recorded::Frame);
        Ok(())
    }
}
