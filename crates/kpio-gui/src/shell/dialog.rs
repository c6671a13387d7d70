//! Modal dialogs (the install permission review, confirmations): a title, lines of text and
//! a row of buttons, centred on screen. The first button is the default (Enter), the last
//! the cancel (Escape). Dialogs queue: one is shown at a time, in the order they were asked
//! for. Lines are shown as given (callers break long text into lines).

use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use super::geometry::{Rect, clamp_u32};
use super::theme::*;

/// A dialog's handle (never reused).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct DialogId(pub u32);

#[derive(Clone, Debug)]
pub struct Dialog {
    pub id: DialogId,
    pub title: String,
    pub lines: Vec<String>,
    /// Never empty (an "OK" is supplied when asked for none).
    pub buttons: Vec<String>,
}

/// Where a dialog's parts are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DialogLayout {
    pub rect: Rect,
    pub title_bar: Rect,
    /// Top of each line's box.
    pub line_ys: Vec<i32>,
    pub buttons: Vec<Rect>,
}

impl Dialog {
    /// Centred on a `width × height` screen; shrunk (never below zero) when the screen is
    /// smaller than the dialog. Lines that do not fit are not shown.
    pub fn layout(&self, width: u32, height: u32) -> DialogLayout {
        let w = DIALOG_W.min(width);
        let fixed = DIALOG_TITLE_H + 3 * DIALOG_PADDING + DIALOG_BUTTON_H;
        let want = fixed.saturating_add((self.lines.len() as u32).saturating_mul(DIALOG_LINE_H));
        let h = want.min(height);
        let rect = Rect::new(
            clamp_u32((width - w) / 2),
            clamp_u32((height - h) / 2),
            w,
            h,
        );
        let title_bar = Rect::new(rect.x, rect.y, w, DIALOG_TITLE_H.min(h));
        let text_bottom = rect.bottom() - (2 * DIALOG_PADDING + DIALOG_BUTTON_H) as i32;
        let mut line_ys = Vec::new();
        let mut y = title_bar.bottom() + DIALOG_PADDING as i32;
        for _ in &self.lines {
            if y + DIALOG_LINE_H as i32 > text_bottom {
                break;
            }
            line_ys.push(y);
            y += DIALOG_LINE_H as i32;
        }
        let n = self.buttons.len() as u32;
        let gaps = n.saturating_sub(1).saturating_mul(DIALOG_BUTTON_GAP);
        let room = w.saturating_sub(gaps.saturating_add(2 * DIALOG_PADDING));
        let bw = DIALOG_BUTTON_W.min(room / n.max(1));
        let row_w = clamp_u32(n.saturating_mul(bw).saturating_add(gaps));
        // The row is right-aligned, in the given order.
        let mut x = rect
            .right()
            .saturating_sub(row_w.saturating_add(DIALOG_PADDING as i32));
        let by = rect.bottom() - (DIALOG_PADDING + DIALOG_BUTTON_H) as i32;
        let mut buttons = Vec::new();
        for _ in &self.buttons {
            buttons.push(Rect::new(x, by, bw, DIALOG_BUTTON_H));
            x = x.saturating_add((bw + DIALOG_BUTTON_GAP) as i32);
        }
        DialogLayout {
            rect,
            title_bar,
            line_ys,
            buttons,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    #[test]
    fn centred_with_buttons_inside() {
        let d = Dialog {
            id: DialogId(1),
            title: "Install".to_string(),
            lines: vec!["a".to_string(), "b".to_string()],
            buttons: vec!["Allow".to_string(), "Cancel".to_string()],
        };
        let l = d.layout(1024, 768);
        assert_eq!(l.rect.center(), (512, 384));
        assert_eq!(l.line_ys.len(), 2);
        assert_eq!(l.buttons.len(), 2);
        for b in &l.buttons {
            assert!(l.rect.contains_rect(b));
        }
        assert!(l.buttons[0].right() <= l.buttons[1].x);
        let tiny = d.layout(10, 10);
        assert!(tiny.line_ys.is_empty());
        assert_eq!(tiny.buttons.len(), 2);
    }
}
