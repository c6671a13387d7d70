//! The desktop's look in one place: every size and colour layout and rendering use.
//!
//! Colours are `0xAARRGGBB` like the drawing API; sizes are pixels.

/// Largest screen width or height the shell lays out (larger sizes are clamped).
pub const MAX_SCREEN: u32 = 16_384;

/// Height of the taskbar along the bottom of the screen.
pub const TASKBAR_HEIGHT: u32 = 40;
/// Size of the all-apps button at the left of the taskbar.
pub const LAUNCHER_BUTTON_WIDTH: u32 = 48;
/// Width of one window entry on the taskbar (shrinks when many windows are open).
pub const TASKBAR_ENTRY_WIDTH: u32 = 160;
/// Narrowest a taskbar entry gets before entries stop fitting (then later ones are not shown).
pub const TASKBAR_ENTRY_MIN_WIDTH: u32 = 48;
/// Gap between taskbar entries and around the taskbar's contents.
pub const TASKBAR_GAP: u32 = 4;
/// Width of the notification bell at the right of the taskbar.
pub const BELL_WIDTH: u32 = 48;
/// Height of the accent strip under each taskbar entry.
pub const TASKBAR_ACCENT_HEIGHT: u32 = 3;

/// One desktop icon cell (icon, label below).
pub const ICON_CELL_W: u32 = 96;
pub const ICON_CELL_H: u32 = 88;
/// Margin between the screen edge and the icon grid.
pub const ICON_MARGIN: u32 = 8;
/// Icon art size (app PNGs are scaled to this).
pub const ICON_SIZE: u32 = 32;
/// Distance from the top of a cell to the icon art.
pub const ICON_TOP: u32 = 12;
/// Label text size.
pub const ICON_LABEL_SIZE: u32 = 13;
/// Two clicks on the same icon within this many milliseconds launch it.
pub const DOUBLE_CLICK_MS: u64 = 400;

/// Window frame: title bar height and border width.
pub const TITLE_BAR_HEIGHT: u32 = 28;
pub const BORDER: u32 = 1;
/// Title text size.
pub const TITLE_TEXT_SIZE: u32 = 14;
/// Title bar buttons (close, minimise): square, at the right of the title bar.
pub const TITLE_BUTTON: u32 = 22;
pub const TITLE_BUTTON_GAP: u32 = 3;
/// The resize grip: a square at the bottom-right corner of the content.
pub const GRIP: u32 = 14;
/// Smallest content size the grip can make a window.
pub const MIN_CONTENT_W: u32 = 80;
pub const MIN_CONTENT_H: u32 = 40;
/// Largest content size (the ABI's limit).
pub const MAX_CONTENT: u32 = 4096;
/// First cascade position and the step between cascaded windows.
pub const CASCADE_X: i32 = 120;
pub const CASCADE_Y: i32 = 40;
pub const CASCADE_STEP: i32 = 28;
/// How much of a dragged title bar must stay on screen.
pub const KEEP_VISIBLE: u32 = 48;

/// Popup menus (context menu, all-apps launcher).
pub const MENU_WIDTH: u32 = 200;
pub const MENU_ITEM_HEIGHT: u32 = 26;
pub const MENU_PADDING: u32 = 4;
pub const MENU_TEXT_SIZE: u32 = 14;

/// Toasts at the top right.
pub const TOAST_W: u32 = 300;
pub const TOAST_H: u32 = 72;
pub const TOAST_GAP: u32 = 8;
pub const TOAST_MARGIN: u32 = 12;
pub const MAX_TOASTS: usize = 3;
pub const TOAST_MS: u64 = 5_000;

/// The notification panel (right side, above the taskbar).
pub const PANEL_W: u32 = 340;
pub const PANEL_HEADER_H: u32 = 40;
pub const PANEL_GROUP_H: u32 = 26;
pub const PANEL_ITEM_H: u32 = 52;
pub const PANEL_BUTTON_W: u32 = 120;
pub const PANEL_BUTTON_H: u32 = 26;
/// How many notifications the shell keeps (older ones are forgotten).
pub const MAX_NOTIFICATIONS: usize = 200;

/// Dialogs.
pub const DIALOG_W: u32 = 440;
pub const DIALOG_TITLE_H: u32 = 36;
pub const DIALOG_LINE_H: u32 = 20;
pub const DIALOG_PADDING: u32 = 16;
pub const DIALOG_BUTTON_W: u32 = 96;
pub const DIALOG_BUTTON_H: u32 = 30;
pub const DIALOG_BUTTON_GAP: u32 = 10;
pub const DIALOG_TEXT_SIZE: u32 = 14;

/// Per-window event queue bound.
pub const EVENT_QUEUE_CAP: usize = 256;

/// Text sizes elsewhere.
pub const BODY_TEXT_SIZE: u32 = 13;
pub const SMALL_TEXT_SIZE: u32 = 11;

// Colours.
/// Wallpaper gradient, top to bottom.
pub const WALLPAPER_TOP: u32 = 0xFF1E3A5F;
pub const WALLPAPER_BOTTOM: u32 = 0xFF0F1C2E;
/// A soft light in the wallpaper's upper right.
pub const WALLPAPER_GLOW: u32 = 0xFF6FA8DC;
pub const ICON_LABEL: u32 = 0xFFFFFFFF;
pub const ICON_SELECTED: u32 = 0x553D7BD9;
pub const TASKBAR_BG: u32 = 0xFF20232A;
pub const TASKBAR_ENTRY_BG: u32 = 0xFF2E323B;
pub const TASKBAR_ENTRY_ACTIVE: u32 = 0xFF454B57;
pub const TASKBAR_TEXT: u32 = 0xFFE8EAED;
pub const BADGE_BG: u32 = 0xFFD93025;
pub const BADGE_TEXT: u32 = 0xFFFFFFFF;
pub const WINDOW_BORDER: u32 = 0xFF3C4043;
pub const WINDOW_BORDER_FOCUSED: u32 = 0xFF3D7BD9;
pub const TITLE_BG: u32 = 0xFFDADCE0;
pub const TITLE_BG_FOCUSED: u32 = 0xFFF1F3F4;
pub const TITLE_TEXT: u32 = 0xFF202124;
pub const TITLE_TEXT_UNFOCUSED: u32 = 0xFF5F6368;
pub const CLOSE_HOVER: u32 = 0xFFD93025;
pub const BUTTON_GLYPH: u32 = 0xFF3C4043;
pub const CONTENT_BG: u32 = 0xFFFFFFFF;
pub const GRIP_COLOUR: u32 = 0xFF9AA0A6;
pub const FAILED_OVERLAY: u32 = 0xD0202124;
pub const FAILED_TEXT: u32 = 0xFFFFFFFF;
pub const FAILED_ACCENT: u32 = 0xFFF28B82;
pub const MENU_BG: u32 = 0xFFFFFFFF;
pub const MENU_BORDER: u32 = 0xFF9AA0A6;
pub const MENU_HIGHLIGHT: u32 = 0xFFE8F0FE;
pub const MENU_TEXT: u32 = 0xFF202124;
pub const TOAST_BG: u32 = 0xF02E323B;
pub const TOAST_TITLE: u32 = 0xFFFFFFFF;
pub const TOAST_BODY: u32 = 0xFFBDC1C6;
pub const PANEL_BG: u32 = 0xFFF8F9FA;
pub const PANEL_TEXT: u32 = 0xFF202124;
pub const PANEL_MUTED: u32 = 0xFF5F6368;
pub const PANEL_UNREAD: u32 = 0xFF3D7BD9;
pub const DIALOG_SCRIM: u32 = 0x80000000;
pub const DIALOG_BG: u32 = 0xFFFFFFFF;
pub const DIALOG_TITLE_BG: u32 = 0xFF3D7BD9;
pub const DIALOG_TITLE_TEXT: u32 = 0xFFFFFFFF;
pub const DIALOG_TEXT: u32 = 0xFF202124;
pub const BUTTON_BG: u32 = 0xFFE8EAED;
pub const BUTTON_DEFAULT_BG: u32 = 0xFF3D7BD9;
pub const BUTTON_TEXT: u32 = 0xFF202124;
pub const BUTTON_DEFAULT_TEXT: u32 = 0xFFFFFFFF;
/// Accent of the built-in system icons.
pub const SYSTEM_ACCENT: u32 = 0xFF5F6368;
