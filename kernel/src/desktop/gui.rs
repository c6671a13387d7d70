//! The desktop's side of `kpio_gui` on the kernel: each run of an app gets a [`KernelGui`],
//! its windows in the shell. As hosted (`kpio-cli/src/desktop/app_gui.rs`), an app draws
//! on a back canvas per window without any lock, `request_frame` hands the shell a copy
//! and waits for the display's next frame, and `poll_event` takes events from the window's
//! queue. Waits sleep in short slices (the scheduler runs other threads meanwhile) and end
//! when the run is stopped.

use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use kpio_gui::shell::{WindowId, WindowOwner};
use kpio_gui::{Canvas, Font, Image};
use kpio_host::{Cancel, DrawOp, GuiBackend, GuiEvent, HostError};

use super::DESK;
use crate::{clock, sched};

/// Most windows one app instance may have open at once.
const MAX_WINDOWS_PER_INSTANCE: usize = 8;
/// How long a waiting app sleeps between looks at the shell.
const WAIT_SLICE_MS: u64 = 4;

/// What the desktop knows of an installed app when it launches it.
#[derive(Clone)]
pub struct AppLook {
    pub app_id: alloc::string::String,
    pub name: alloc::string::String,
    pub icon: Option<Image>,
    pub accent: u32,
}

struct AppWindow {
    id: WindowId,
    back: Canvas,
}

pub struct KernelGui {
    pub font: Arc<Font>,
    pub owner: WindowOwner,
    pub look: AppLook,
    pub cancel: Cancel,
    windows: BTreeMap<u32, AppWindow>,
    next_handle: u32,
}

impl KernelGui {
    pub fn new(font: Arc<Font>, owner: WindowOwner, look: AppLook, cancel: Cancel) -> KernelGui {
        KernelGui {
            font,
            owner,
            look,
            cancel,
            windows: BTreeMap::new(),
            next_handle: 1,
        }
    }

    fn window(&mut self, win: u32) -> Result<&mut AppWindow, HostError> {
        self.windows.get_mut(&win).ok_or(HostError::Invalid)
    }
}

impl GuiBackend for KernelGui {
    fn create_window(&mut self, title: &str, width: u32, height: u32) -> Result<u32, HostError> {
        if self.windows.len() >= MAX_WINDOWS_PER_INSTANCE {
            return Err(HostError::Limit);
        }
        let now = clock::monotonic_ms();
        let (id, w, h) = {
            let mut desk = DESK.lock();
            let desk = desk.as_mut().ok_or(HostError::Unavailable)?;
            let id = desk
                .shell
                .open_window(self.owner.clone(), title, width, height, None, now);
            desk.shell.show_splash(
                id,
                &self.look.name,
                self.look.icon.as_ref(),
                self.look.accent,
            );
            let (w, h) = desk.shell.content_size(id).unwrap_or((width, height));
            desk.changed = true;
            (id, w, h)
        };
        let back = Canvas::new(w, h).map_err(|_| HostError::Limit)?;
        let handle = self.next_handle;
        self.next_handle += 1;
        self.windows.insert(handle, AppWindow { id, back });
        Ok(handle)
    }

    fn close_window(&mut self, win: u32) -> Result<(), HostError> {
        let w = self.windows.remove(&win).ok_or(HostError::Invalid)?;
        if let Some(desk) = DESK.lock().as_mut() {
            desk.shell.close_window(w.id);
            desk.changed = true;
        }
        Ok(())
    }

    fn set_title(&mut self, win: u32, title: &str) -> Result<(), HostError> {
        let id = self.window(win)?.id;
        let ok = DESK.lock().as_mut().is_some_and(|d| {
            d.changed = true;
            d.shell.set_title(id, title)
        });
        if ok { Ok(()) } else { Err(HostError::Closed) }
    }

    fn draw(&mut self, win: u32, op: DrawOp<'_>) -> Result<u32, HostError> {
        let font = Arc::clone(&self.font);
        kpio_host::draw_on(&mut self.window(win)?.back, &font, op)
    }

    fn measure_text(&mut self, text: &str, size: u32) -> u32 {
        self.font.measure_text(text, size)
    }

    fn request_frame(&mut self, win: u32) -> Result<(), HostError> {
        let w = self.windows.get(&win).ok_or(HostError::Invalid)?;
        let id = w.id;
        let frame = w.back.clone(); // copied without the lock
        let (size, target) = {
            let mut desk = DESK.lock();
            let desk = desk.as_mut().ok_or(HostError::Closed)?;
            let size = desk.shell.content_size(id);
            if size.is_some() {
                desk.shell.present(id, frame);
                desk.changed = true;
            }
            (size, desk.frame_no + 1)
        };
        let Some((cw, ch)) = size else {
            self.windows.remove(&win);
            return Err(HostError::Closed);
        };
        let w = self.windows.get_mut(&win).ok_or(HostError::Invalid)?;
        if (cw, ch) != (w.back.width(), w.back.height()) {
            w.back.resize(cw, ch).map_err(|_| HostError::Limit)?;
        }
        while DESK.lock().as_ref().is_some_and(|d| d.frame_no < target)
            && !self.cancel.is_cancelled()
        {
            sched::sleep_ms(WAIT_SLICE_MS);
        }
        Ok(())
    }

    fn poll_event(
        &mut self,
        win: u32,
        timeout_ms: Option<u32>,
    ) -> Result<Option<GuiEvent>, HostError> {
        let id = self.window(win)?.id;
        let deadline = timeout_ms.map(|ms| clock::monotonic_ms() + u64::from(ms));
        loop {
            let (open, event) = {
                let mut desk = DESK.lock();
                match desk.as_mut() {
                    Some(d) if d.shell.content_size(id).is_some() => (true, d.shell.pop_event(id)),
                    _ => (false, None),
                }
            };
            if !open {
                self.windows.remove(&win);
                return Err(HostError::Closed);
            }
            if let Some(ev) = event {
                return Ok(Some(ev));
            }
            if timeout_ms == Some(0)
                || deadline.is_some_and(|d| clock::monotonic_ms() >= d)
                || self.cancel.is_cancelled()
            {
                return Ok(None);
            }
            sched::sleep_ms(WAIT_SLICE_MS);
        }
    }
}
