//! Compositing: draws the whole desktop into a canvas, back to front: wallpaper, icons,
//! windows (frame, content, splash or failed overlay), taskbar, notification panel, toasts,
//! menu, dialog. Layout comes from the same functions hit testing uses, so what is drawn is
//! where clicks land.

use alloc::format;
use alloc::string::String;

use super::Shell;
use super::desktop::NOTIFICATIONS_ID;
use super::geometry::clamp_u32;
use super::notifications::PanelRow;
use super::theme::*;
use super::windows::{Window, WindowPart};
use crate::canvas::Canvas;
use crate::color::{blend_alpha, to_surface};
use crate::font::Font;
use crate::framebuffer::FrameBuffer;

impl Shell {
    /// Draws the desktop. The canvas should be the screen's size; a different size is drawn
    /// into as far as it reaches (clipped), never panics.
    pub fn render(&self, c: &mut Canvas) {
        self.draw_wallpaper(c);
        self.draw_icons(c);
        for w in self.windows.iter().filter(|w| !w.minimised) {
            self.draw_window(c, w);
        }
        self.draw_taskbar(c);
        if self.notifications.panel_open {
            self.draw_panel(c);
        }
        self.draw_toasts(c);
        self.draw_menu(c);
        self.draw_dialog(c);
    }

    /// Renders into `scratch` (resized to the screen first if needed) and copies the result
    /// to the framebuffer in its pixel format.
    pub fn render_to(&self, scratch: &mut Canvas, fb: &mut FrameBuffer<'_>) {
        if (scratch.width(), scratch.height()) != (self.width, self.height) {
            // Refused only above the canvas limit; then the old size is drawn, clipped.
            let _ = scratch.resize(self.width, self.height);
        }
        self.render(scratch);
        fb.present(scratch);
    }

    fn draw_wallpaper(&self, c: &mut Canvas) {
        let mut cache = self.wallpaper.borrow_mut();
        let fresh = cache
            .as_ref()
            .is_some_and(|w| (w.width(), w.height()) == (self.width, self.height));
        if !fresh {
            *cache = Canvas::new(self.width, self.height).ok().map(|mut w| {
                paint_wallpaper(&mut w);
                w
            });
        }
        if let Some(w) = cache.as_ref() {
            c.draw_canvas(w, 0, 0);
        }
    }

    fn draw_icons(&self, c: &mut Canvas) {
        let font = &self.font;
        for icon in &self.desktop.icons {
            if icon.rect.y >= clamp_u32(c.height()) {
                break;
            }
            if self.desktop.selected.as_deref() == Some(icon.id.as_str()) {
                let r = icon.rect.inset(2);
                c.fill_rounded_rect(r.x, r.y, r.w, r.h, 6, ICON_SELECTED);
            }
            let art = icon.art_rect();
            c.draw_image(&icon.art, art.x, art.y);
            let label = fit(font, &icon.label, ICON_LABEL_SIZE, icon.rect.w - 8);
            let tw = font.measure_text(&label, ICON_LABEL_SIZE);
            let x = icon.rect.x + clamp_u32(icon.rect.w.saturating_sub(tw) / 2);
            let y = icon.label_y();
            c.draw_text(font, x + 1, y + 1, &label, ICON_LABEL_SIZE, 0x99000000);
            c.draw_text(font, x, y, &label, ICON_LABEL_SIZE, ICON_LABEL);
        }
    }

    fn draw_window(&self, c: &mut Canvas, w: &Window) {
        let font = &self.font;
        let focused = self.windows.focused() == Some(w.id);
        let o = w.outer_rect();
        // A soft shadow below and to the right.
        c.fill_rect(o.x + 3, o.y + 4, o.w, o.h, 0x30000000);
        let border = if focused {
            WINDOW_BORDER_FOCUSED
        } else {
            WINDOW_BORDER
        };
        c.fill_rect(o.x, o.y, o.w, o.h, border);
        let t = w.title_rect();
        c.fill_rect(
            t.x,
            t.y,
            t.w,
            t.h,
            if focused { TITLE_BG_FOCUSED } else { TITLE_BG },
        );
        // Buttons.
        let m = w.minimise_rect();
        let (mx, my) = m.center();
        c.fill_rect(mx - 5, my + 3, 10, 2, BUTTON_GLYPH);
        let x = w.close_rect();
        let (cx, cy) = x.center();
        // The close button turns red under the pointer (when nothing modal is up).
        let (px, py) = self.pointer;
        let hover = self.dialogs.is_empty()
            && self.menu.is_none()
            && self.windows.hit(px, py) == Some((w.id, WindowPart::Close));
        let glyph = if hover {
            c.fill_rounded_rect(x.x, x.y, x.w, x.h, 4, CLOSE_HOVER);
            0xFFFFFFFF
        } else {
            BUTTON_GLYPH
        };
        for d in -1..=0 {
            c.draw_line(cx - 5 + d, cy - 5, cx + 5 + d, cy + 5, glyph);
            c.draw_line(cx - 5 + d, cy + 5, cx + 5 + d, cy - 5, glyph);
        }
        // Title, cut before the buttons.
        let room = u32::try_from(m.x - t.x - 16).unwrap_or(0);
        let title = fit(font, self.display_title(w), TITLE_TEXT_SIZE, room);
        let ty = t.y + centre_text(font, t.h, TITLE_TEXT_SIZE);
        let colour = if focused {
            TITLE_TEXT
        } else {
            TITLE_TEXT_UNFOCUSED
        };
        c.draw_text(font, t.x + 8, ty, &title, TITLE_TEXT_SIZE, colour);
        // Content.
        let r = w.content_rect();
        c.fill_rect(r.x, r.y, r.w, r.h, CONTENT_BG);
        if let Some(frame) = &w.frame {
            c.draw_canvas_region(
                frame,
                0,
                0,
                r.w.min(frame.width()),
                r.h.min(frame.height()),
                r.x,
                r.y,
            );
        }
        if let Some(s) = &w.splash {
            c.fill_rect(r.x, r.y, r.w, r.h, s.accent | 0xFF00_0000);
            let (mx, my) = r.center();
            let iy = my - clamp_u32(s.icon.height / 2) - 12;
            // A light halo, so an icon in the accent colour stands out from the background.
            let r2 = clamp_u32(s.icon.width / 2);
            c.fill_circle(mx, iy + r2, s.icon.width / 2 + 10, 0x40FFFFFF);
            c.draw_image(&s.icon, mx - r2, iy);
            let name = fit(font, &s.app_name, 16, r.w.saturating_sub(16));
            let nw = font.measure_text(&name, 16);
            c.draw_text(
                font,
                mx - clamp_u32(nw / 2),
                iy + s.icon.height as i32 + 18,
                &name,
                16,
                0xFFFFFFFF,
            );
        }
        if let Some(reason) = &w.failed {
            c.fill_rect(r.x, r.y, r.w, r.h, FAILED_OVERLAY);
            let room = r.w.saturating_sub(24);
            let head = fit(font, "This app stopped", 16, room);
            c.draw_text(font, r.x + 12, r.y + 12, &head, 16, FAILED_ACCENT);
            let why = fit(font, reason, BODY_TEXT_SIZE, room);
            c.draw_text(font, r.x + 12, r.y + 40, &why, BODY_TEXT_SIZE, FAILED_TEXT);
        }
        // The grip: three diagonal strokes in the corner.
        let g = w.grip_rect();
        for i in 0..3 {
            let off = 3 + i * 4;
            c.draw_line(
                g.right() - off,
                g.bottom() - 2,
                g.right() - 2,
                g.bottom() - off,
                GRIP_COLOUR,
            );
        }
    }

    fn draw_taskbar(&self, c: &mut Canvas) {
        let font = &self.font;
        let tb = self.taskbar_layout();
        let b = tb.bar;
        c.fill_rect(b.x, b.y, b.w, b.h, TASKBAR_BG);
        c.fill_rect(b.x, b.y, b.w, 1, 0xFF3C4043);
        // The launcher button and the bell reuse the system icons' art.
        let art = |id: &str| {
            self.desktop
                .icons
                .iter()
                .find(|i| i.id == id)
                .map(|i| &i.art)
        };
        if let Some(a) = art(super::desktop::ALL_APPS_ID) {
            let (x, y) = tb.launcher.center();
            c.draw_image(a, x - clamp_u32(a.width / 2), y - clamp_u32(a.height / 2));
        }
        if let Some(a) = art(NOTIFICATIONS_ID) {
            let (x, y) = tb.bell.center();
            c.draw_image(a, x - clamp_u32(a.width / 2), y - clamp_u32(a.height / 2));
        }
        if let Some(t) = &self.clock {
            let r = tb.clock;
            let text = fit(font, t, BODY_TEXT_SIZE, r.w);
            let y = r.y + centre_text(font, r.h, BODY_TEXT_SIZE);
            c.draw_text(font, r.x + 4, y, &text, BODY_TEXT_SIZE, TASKBAR_TEXT);
        }
        let unread = self.notifications.unread();
        if unread > 0 {
            let text = if unread > 99 {
                String::from("99+")
            } else {
                format!("{unread}")
            };
            let tw = font.measure_text(&text, SMALL_TEXT_SIZE);
            let bw = (tw + 8).max(16);
            let bx = tb.bell.right() - clamp_u32(bw) - 2;
            let by = tb.bell.y;
            c.fill_rounded_rect(bx, by, bw, 16, 8, BADGE_BG);
            let ty = by + centre_text(font, 16, SMALL_TEXT_SIZE);
            c.draw_text(
                font,
                bx + clamp_u32((bw - tw) / 2),
                ty,
                &text,
                SMALL_TEXT_SIZE,
                BADGE_TEXT,
            );
        }
        let focused = self.windows.focused();
        for (id, r) in self.windows.opening_order().iter().zip(&tb.entries) {
            let Some(w) = self.windows.get(*id) else {
                continue;
            };
            let active = focused == Some(*id);
            c.fill_rounded_rect(
                r.x,
                r.y,
                r.w,
                r.h,
                4,
                if active {
                    TASKBAR_ENTRY_ACTIVE
                } else {
                    TASKBAR_ENTRY_BG
                },
            );
            let accent = self.accent_of(&w.owner.app_id) | 0xFF00_0000;
            // The accent strip: full width when shown, short when minimised.
            let sw = if w.minimised {
                r.w / 3
            } else {
                r.w.saturating_sub(8)
            };
            let sx = r.x + clamp_u32((r.w - sw) / 2);
            c.fill_rect(
                sx,
                r.bottom() - TASKBAR_ACCENT_HEIGHT as i32,
                sw,
                TASKBAR_ACCENT_HEIGHT,
                accent,
            );
            let label = fit(
                font,
                self.display_title(w),
                BODY_TEXT_SIZE,
                r.w.saturating_sub(16),
            );
            let ty = r.y + centre_text(font, r.h, BODY_TEXT_SIZE) - 1;
            c.draw_text(font, r.x + 8, ty, &label, BODY_TEXT_SIZE, TASKBAR_TEXT);
        }
    }

    fn draw_panel(&self, c: &mut Canvas) {
        let font = &self.font;
        let p = self.panel_layout();
        let r = p.rect;
        c.fill_rect(r.x - 1, r.y, 1, r.h, MENU_BORDER);
        c.fill_rect(r.x, r.y, r.w, r.h, PANEL_BG);
        let hy = r.y + centre_text(font, PANEL_HEADER_H, 16);
        c.draw_text(font, r.x + 12, hy, "Notifications", 16, PANEL_TEXT);
        let b = p.mark_all_read;
        c.fill_rounded_rect(b.x, b.y, b.w, b.h, 4, BUTTON_BG);
        let label = "Mark all read";
        let lw = font.measure_text(label, BODY_TEXT_SIZE);
        let ly = b.y + centre_text(font, b.h, BODY_TEXT_SIZE);
        c.draw_text(
            font,
            b.x + clamp_u32(b.w.saturating_sub(lw) / 2),
            ly,
            label,
            BODY_TEXT_SIZE,
            BUTTON_TEXT,
        );
        if p.rows.is_empty() {
            let y = r.y + PANEL_HEADER_H as i32 + 12;
            c.draw_text(
                font,
                r.x + 12,
                y,
                "No notifications",
                BODY_TEXT_SIZE,
                PANEL_MUTED,
            );
        }
        let room = r.w.saturating_sub(36);
        for (row, rr) in &p.rows {
            match row {
                PanelRow::Group { app_name, .. } => {
                    let name = fit(font, app_name, SMALL_TEXT_SIZE + 1, room);
                    let y = rr.y + centre_text(font, rr.h, SMALL_TEXT_SIZE + 1);
                    c.draw_text(font, rr.x + 12, y, &name, SMALL_TEXT_SIZE + 1, PANEL_MUTED);
                }
                PanelRow::Item(id) => {
                    let Some(n) = self.notifications.get(*id) else {
                        continue;
                    };
                    c.fill_rect(
                        rr.x + 8,
                        rr.bottom() - 1,
                        rr.w.saturating_sub(16),
                        1,
                        0xFFDADCE0,
                    );
                    if !n.read {
                        c.fill_circle(rr.x + 14, rr.y + 17, 4, PANEL_UNREAD);
                    }
                    let title = fit(font, &n.title, BODY_TEXT_SIZE + 1, room);
                    c.draw_text(
                        font,
                        rr.x + 24,
                        rr.y + 6,
                        &title,
                        BODY_TEXT_SIZE + 1,
                        PANEL_TEXT,
                    );
                    let body = fit(font, &n.body, BODY_TEXT_SIZE, room);
                    c.draw_text(
                        font,
                        rr.x + 24,
                        rr.y + 27,
                        &body,
                        BODY_TEXT_SIZE,
                        PANEL_MUTED,
                    );
                }
            }
        }
    }

    fn draw_toasts(&self, c: &mut Canvas) {
        let font = &self.font;
        for (id, r) in self.notifications.toast_rects(self.width) {
            let Some(n) = self.notifications.get(id) else {
                continue;
            };
            c.fill_rounded_rect(r.x + 2, r.y + 3, r.w, r.h, 8, 0x40000000);
            c.fill_rounded_rect(r.x, r.y, r.w, r.h, 8, TOAST_BG);
            let accent = self.accent_of(&n.app_id) | 0xFF00_0000;
            c.fill_rect(r.x + 8, r.y + 12, 3, r.h.saturating_sub(24), accent);
            let room = r.w.saturating_sub(32);
            let app = fit(font, &n.app_name, SMALL_TEXT_SIZE, room);
            c.draw_text(font, r.x + 20, r.y + 8, &app, SMALL_TEXT_SIZE, TOAST_BODY);
            let title = fit(font, &n.title, BODY_TEXT_SIZE + 1, room);
            c.draw_text(
                font,
                r.x + 20,
                r.y + 25,
                &title,
                BODY_TEXT_SIZE + 1,
                TOAST_TITLE,
            );
            let body = fit(font, &n.body, BODY_TEXT_SIZE, room);
            c.draw_text(font, r.x + 20, r.y + 46, &body, BODY_TEXT_SIZE, TOAST_BODY);
        }
    }

    fn draw_menu(&self, c: &mut Canvas) {
        let Some(m) = &self.menu else { return };
        let font = &self.font;
        let r = m.rect;
        c.fill_rect(r.x + 2, r.y + 3, r.w, r.h, 0x40000000);
        c.fill_rect(r.x, r.y, r.w, r.h, MENU_BORDER);
        let inner = r.inset(1);
        c.fill_rect(inner.x, inner.y, inner.w, inner.h, MENU_BG);
        for (i, ir) in m.item_rects() {
            if m.highlighted == Some(i) {
                c.fill_rect(ir.x + 1, ir.y, ir.w.saturating_sub(2), ir.h, MENU_HIGHLIGHT);
            }
            let label = fit(
                font,
                &m.items[i].label,
                MENU_TEXT_SIZE,
                ir.w.saturating_sub(24),
            );
            let y = ir.y + centre_text(font, ir.h, MENU_TEXT_SIZE);
            c.draw_text(font, ir.x + 12, y, &label, MENU_TEXT_SIZE, MENU_TEXT);
        }
        if m.scroll > 0 || m.scroll + m.visible_count() < m.items.len() {
            // A thin scroll indicator on the right edge.
            let n = m.items.len() as u64;
            let h = u64::from(inner.h);
            let top = u64::try_from(m.scroll).unwrap_or(0) * h / n.max(1);
            let len = (m.visible_count() as u64 * h / n.max(1)).max(8);
            c.fill_rect(
                inner.right() - 3,
                inner.y + top as i32,
                2,
                len as u32,
                GRIP_COLOUR,
            );
        }
    }

    fn draw_dialog(&self, c: &mut Canvas) {
        let Some(d) = self.dialogs.first() else {
            return;
        };
        let font = &self.font;
        c.fill_rect(0, 0, self.width, self.height, DIALOG_SCRIM);
        let l = d.layout(self.width, self.height);
        let r = l.rect;
        c.fill_rect(r.x + 3, r.y + 5, r.w, r.h, 0x50000000);
        c.fill_rect(r.x, r.y, r.w, r.h, DIALOG_BG);
        let t = l.title_bar;
        c.fill_rect(t.x, t.y, t.w, t.h, DIALOG_TITLE_BG);
        let room = r.w.saturating_sub(2 * DIALOG_PADDING);
        let title = fit(font, &d.title, 16, room);
        c.draw_text(
            font,
            t.x + DIALOG_PADDING as i32,
            t.y + centre_text(font, t.h, 16),
            &title,
            16,
            DIALOG_TITLE_TEXT,
        );
        for (line, y) in d.lines.iter().zip(&l.line_ys) {
            let text = fit(font, line, DIALOG_TEXT_SIZE, room);
            c.draw_text(
                font,
                r.x + DIALOG_PADDING as i32,
                *y,
                &text,
                DIALOG_TEXT_SIZE,
                DIALOG_TEXT,
            );
        }
        for (i, (label, b)) in d.buttons.iter().zip(&l.buttons).enumerate() {
            let (bg, fg) = if i == 0 {
                (BUTTON_DEFAULT_BG, BUTTON_DEFAULT_TEXT)
            } else {
                (BUTTON_BG, BUTTON_TEXT)
            };
            c.fill_rounded_rect(b.x, b.y, b.w, b.h, 5, bg);
            let text = fit(font, label, DIALOG_TEXT_SIZE, b.w.saturating_sub(8));
            let tw = font.measure_text(&text, DIALOG_TEXT_SIZE);
            let y = b.y + centre_text(font, b.h, DIALOG_TEXT_SIZE);
            c.draw_text(
                font,
                b.x + clamp_u32(b.w.saturating_sub(tw) / 2),
                y,
                &text,
                DIALOG_TEXT_SIZE,
                fg,
            );
        }
    }
}

/// The wallpaper: a diagonal gradient from [`WALLPAPER_TOP`] (top left) to
/// [`WALLPAPER_BOTTOM`] (bottom right) with a soft glow of [`WALLPAPER_GLOW`] in the upper
/// right. Drawn once per screen size and cached.
fn paint_wallpaper(c: &mut Canvas) {
    let (w, h) = (c.width() as usize, c.height() as usize);
    let (top, bottom, glow) = (
        to_surface(WALLPAPER_TOP),
        to_surface(WALLPAPER_BOTTOM),
        to_surface(WALLPAPER_GLOW),
    );
    let span = (w + h).max(1) as u64;
    // The glow's centre and radius (squared), in pixels.
    let (gx, gy) = ((w as i64 * 3) / 4, (h as i64) / 5);
    let r2 = ((w.max(h) as i64) / 2).pow(2).max(1);
    for (y, row) in c.pixels_mut().chunks_exact_mut(w.max(1)).enumerate() {
        for (x, p) in row.iter_mut().enumerate() {
            let t = ((x + y) as u64 * 255 / span) as u8;
            let base = blend_alpha(bottom, top, t);
            let (dx, dy) = (x as i64 - gx, y as i64 - gy);
            let d2 = dx * dx + dy * dy;
            // Falls off quadratically to nothing at the radius; at most a quarter strength.
            let g = if d2 < r2 {
                ((r2 - d2) * 64 / r2) as u8
            } else {
                0
            };
            *p = blend_alpha(glow, base, g);
        }
    }
}

/// Offset that centres a line of text of `size` in a box `h` high.
fn centre_text(font: &Font, h: u32, size: u32) -> i32 {
    (h as i32 - font.line_height(size) as i32) / 2
}

/// The text cut with an ellipsis to fit `max_w` pixels at `size` (empty if nothing fits).
fn fit(font: &Font, text: &str, size: u32, max_w: u32) -> String {
    // Long strings: only the first characters can ever fit a line on screen.
    let text: String = text.chars().take(256).collect();
    if font.measure_text(&text, size) <= max_w {
        return text;
    }
    let chars: alloc::vec::Vec<char> = text.chars().collect();
    // Binary search the longest prefix that fits with the ellipsis.
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let s: String = chars[..mid].iter().chain(core::iter::once(&'…')).collect();
        if font.measure_text(&s, size) <= max_w {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    if lo == 0 {
        return String::new();
    }
    chars[..lo].iter().chain(core::iter::once(&'…')).collect()
}
