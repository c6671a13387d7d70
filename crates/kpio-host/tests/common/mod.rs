//! Shared by the end-to-end tests: a wasm module that re-exports every host function
//! through a wasm wrapper (so each call comes from wasm, with the instance's memory), a
//! recording GUI backend, a recording log, and helpers to build contexts and call.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use kpio_app::{AppInstanceId, Permissions};
use kpio_host::{
    Denial, DrawOp, GuiBackend, GuiEvent, HostCtx, HostCtxBuilder, HostError, HostLog, LogLevel,
    add_to_linker,
};
use kpio_wasm::{Engine, Instance, Linker, Memory, Module, Store, Trap, Val};

/// Every import of the contract: (module, name, params, result).
pub const SIGS: &[(&str, &str, &[&str], &str)] = &[
    ("kpio_gui", "create_window", &["i32"; 4], "i32"),
    ("kpio_gui", "close_window", &["i32"], "i32"),
    ("kpio_gui", "set_title", &["i32"; 3], "i32"),
    ("kpio_gui", "clear", &["i32"; 2], "i32"),
    ("kpio_gui", "draw_rect", &["i32"; 6], "i32"),
    ("kpio_gui", "draw_line", &["i32"; 6], "i32"),
    ("kpio_gui", "draw_text", &["i32"; 7], "i32"),
    ("kpio_gui", "measure_text", &["i32"; 3], "i32"),
    ("kpio_gui", "draw_image", &["i32"; 7], "i32"),
    ("kpio_gui", "request_frame", &["i32"], "i32"),
    ("kpio_gui", "poll_event", &["i32"; 3], "i32"),
    ("kpio_system", "get_time", &[], "i64"),
    ("kpio_system", "get_monotonic", &[], "i64"),
    ("kpio_system", "get_hostname", &["i32"; 2], "i32"),
    ("kpio_system", "notify", &["i32"; 4], "i32"),
    ("kpio_system", "clipboard_read", &["i32"; 2], "i32"),
    ("kpio_system", "clipboard_write", &["i32"; 2], "i32"),
    ("kpio_system", "get_locale", &["i32"; 2], "i32"),
    ("kpio_system", "log", &["i32"; 3], "i32"),
    ("kpio_net", "socket_create", &["i32"], "i32"),
    ("kpio_net", "bind", &["i32"; 4], "i32"),
    ("kpio_net", "connect", &["i32"; 4], "i32"),
    ("kpio_net", "listen", &["i32"; 2], "i32"),
    ("kpio_net", "accept", &["i32"; 2], "i32"),
    ("kpio_net", "send", &["i32"; 3], "i32"),
    ("kpio_net", "recv", &["i32"; 4], "i32"),
    ("kpio_net", "close", &["i32"], "i32"),
];

/// A module importing every host function, exporting `memory` (1 page) and a wrapper
/// `"module.name"` for each import, plus `extra` (more WAT fields).
pub fn wrapper_wat(extra: &str) -> String {
    let mut w = String::from("(module\n");
    for (i, (m, n, params, r)) in SIGS.iter().enumerate() {
        let _ = writeln!(
            w,
            "  (import \"{m}\" \"{n}\" (func $f{i} (param {}) (result {r})))",
            params.join(" ")
        );
    }
    w.push_str("  (memory (export \"memory\") 1)\n");
    for (i, (m, n, params, r)) in SIGS.iter().enumerate() {
        let gets: String = (0..params.len())
            .map(|p| format!(" (local.get {p})"))
            .collect();
        let _ = writeln!(
            w,
            "  (func (export \"{m}.{n}\") (param {}) (result {r}) (call $f{i}{gets}))",
            params.join(" ")
        );
    }
    w.push_str(extra);
    w.push(')');
    w
}

/// An instantiated wrapper module over a [`HostCtx`].
pub struct App {
    pub store: Store<HostCtx>,
    pub inst: Instance,
    pub mem: Memory,
}

impl App {
    pub fn new(ctx: HostCtx) -> App {
        App::with_extra(ctx, "")
    }

    pub fn with_extra(ctx: HostCtx, extra: &str) -> App {
        let wasm = wat::parse_str(wrapper_wat(extra)).expect("wat");
        let engine = Engine::default();
        let module = Module::new(&engine, &wasm).expect("module");
        let mut store = Store::new(&engine, ctx);
        let mut linker = Linker::<HostCtx>::new();
        add_to_linker(&mut linker, &mut store, |c| c);
        let inst = linker
            .instantiate(&mut store, &module)
            .expect("instantiate");
        let mem = inst.get_memory(&store, "memory").expect("memory");
        App { store, inst, mem }
    }

    /// Calls export `name` with i32 arguments; its i32 result, or the trap.
    pub fn try_call(&mut self, name: &str, args: &[i32]) -> Result<i32, Trap> {
        let f = self
            .inst
            .get_func(&self.store, name)
            .unwrap_or_else(|| panic!("{name}"));
        let params: Vec<Val> = args.iter().map(|a| Val::I32(*a)).collect();
        let mut out = [Val::I32(0)];
        f.call(&mut self.store, &params, &mut out)?;
        match out[0] {
            Val::I32(v) => Ok(v),
            ref v => panic!("{name} returned {v:?}"),
        }
    }

    pub fn call(&mut self, name: &str, args: &[i32]) -> i32 {
        self.try_call(name, args)
            .unwrap_or_else(|t| panic!("{name} trapped: {t}"))
    }

    pub fn call64(&mut self, name: &str) -> i64 {
        let f = self.inst.get_func(&self.store, name).expect(name);
        let mut out = [Val::I64(0)];
        f.call(&mut self.store, &[], &mut out).expect(name);
        match out[0] {
            Val::I64(v) => v,
            ref v => panic!("{name} returned {v:?}"),
        }
    }

    pub fn write(&mut self, ptr: u32, bytes: &[u8]) {
        self.mem
            .write(&mut self.store, ptr as usize, bytes)
            .expect("write");
    }

    pub fn read(&self, ptr: u32, len: usize) -> Vec<u8> {
        let mut buf = vec![0; len];
        self.mem
            .read(&self.store, ptr as usize, &mut buf)
            .expect("read");
        buf
    }

    pub fn ctx(&self) -> &HostCtx {
        self.store.data()
    }
}

/// One recorded drawing operation (owned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Create(String, u32, u32),
    Close(u32),
    Title(u32, String),
    Clear(u32, u32),
    Rect(u32, i32, i32, u32, u32, u32),
    Line(u32, i32, i32, i32, i32, u32),
    Text(u32, i32, i32, String, u32, u32),
    Image(u32, i32, i32, u32, u32, Vec<u8>),
    Frame(u32),
    Poll(u32, Option<u32>),
}

/// What the recording backend saw, and the events it will hand out.
#[derive(Debug, Default)]
pub struct GuiState {
    pub ops: Vec<Op>,
    pub events: VecDeque<GuiEvent>,
    pub next_win: u32,
    pub open: Vec<u32>,
}

/// A [`GuiBackend`] that records every call; text is 7 px per character per 10 px size.
#[derive(Clone, Default)]
pub struct RecordingGui(pub Arc<Mutex<GuiState>>);

impl RecordingGui {
    pub fn ops(&self) -> Vec<Op> {
        self.0.lock().unwrap().ops.clone()
    }
    pub fn push_event(&self, e: GuiEvent) {
        self.0.lock().unwrap().events.push_back(e);
    }
    fn check(&self, win: u32) -> Result<(), HostError> {
        if self.0.lock().unwrap().open.contains(&win) {
            Ok(())
        } else {
            Err(HostError::Invalid)
        }
    }
}

pub fn text_width(text: &str, size: u32) -> u32 {
    text.chars().count() as u32 * size * 7 / 10
}

impl GuiBackend for RecordingGui {
    fn create_window(&mut self, title: &str, width: u32, height: u32) -> Result<u32, HostError> {
        let mut s = self.0.lock().unwrap();
        s.next_win += 1;
        let w = s.next_win;
        s.open.push(w);
        s.ops.push(Op::Create(title.into(), width, height));
        Ok(w)
    }
    fn close_window(&mut self, win: u32) -> Result<(), HostError> {
        self.check(win)?;
        let mut s = self.0.lock().unwrap();
        s.open.retain(|w| *w != win);
        s.ops.push(Op::Close(win));
        Ok(())
    }
    fn set_title(&mut self, win: u32, title: &str) -> Result<(), HostError> {
        self.check(win)?;
        self.0
            .lock()
            .unwrap()
            .ops
            .push(Op::Title(win, title.into()));
        Ok(())
    }
    fn draw(&mut self, win: u32, op: DrawOp<'_>) -> Result<u32, HostError> {
        self.check(win)?;
        let (rec, width) = match op {
            DrawOp::Clear(c) => (Op::Clear(win, c), 0),
            DrawOp::Rect { x, y, w, h, argb } => (Op::Rect(win, x, y, w, h, argb), 0),
            DrawOp::Line {
                x0,
                y0,
                x1,
                y1,
                argb,
            } => (Op::Line(win, x0, y0, x1, y1, argb), 0),
            DrawOp::Text {
                x,
                y,
                text,
                size,
                argb,
            } => (
                Op::Text(win, x, y, text.into(), size, argb),
                text_width(text, size),
            ),
            DrawOp::Image { x, y, w, h, rgba } => (Op::Image(win, x, y, w, h, rgba.to_vec()), 0),
        };
        self.0.lock().unwrap().ops.push(rec);
        Ok(width)
    }
    fn measure_text(&mut self, text: &str, size: u32) -> u32 {
        text_width(text, size)
    }
    fn request_frame(&mut self, win: u32) -> Result<(), HostError> {
        if !self.0.lock().unwrap().open.contains(&win) {
            return Err(HostError::Closed);
        }
        self.0.lock().unwrap().ops.push(Op::Frame(win));
        Ok(())
    }
    fn poll_event(
        &mut self,
        win: u32,
        timeout_ms: Option<u32>,
    ) -> Result<Option<GuiEvent>, HostError> {
        self.check(win)?;
        let mut s = self.0.lock().unwrap();
        s.ops.push(Op::Poll(win, timeout_ms));
        Ok(s.events.pop_front())
    }
}

/// Everything a [`RecordingLog`] received.
#[derive(Debug, Default)]
pub struct LogState {
    pub lines: Vec<(String, u64, LogLevel, String)>,
    pub denials: Vec<(String, u64, Denial)>,
    pub faults: Vec<String>,
}

#[derive(Clone, Default)]
pub struct RecordingLog(pub Arc<Mutex<LogState>>);

impl RecordingLog {
    pub fn denials(&self) -> Vec<Denial> {
        self.0
            .lock()
            .unwrap()
            .denials
            .iter()
            .map(|d| d.2.clone())
            .collect()
    }
    pub fn faults(&self) -> Vec<String> {
        self.0.lock().unwrap().faults.clone()
    }
}

impl HostLog for RecordingLog {
    fn app_log(&mut self, app_id: &str, instance: AppInstanceId, level: LogLevel, message: &str) {
        self.0
            .lock()
            .unwrap()
            .lines
            .push((app_id.into(), instance.0, level, message.into()));
    }
    fn denied(&mut self, app_id: &str, instance: AppInstanceId, denial: &Denial) {
        self.0
            .lock()
            .unwrap()
            .denials
            .push((app_id.into(), instance.0, denial.clone()));
    }
    fn fault(&mut self, _app_id: &str, _instance: AppInstanceId, message: &str) {
        self.0.lock().unwrap().faults.push(message.into());
    }
}

/// A context for app `test.app` instance 7 with `perms`, a recording log, and the std
/// system and network backends.
pub fn builder(perms: Permissions, log: &RecordingLog) -> HostCtxBuilder {
    HostCtx::builder("test.app")
        .instance_id(AppInstanceId(7))
        .permissions(perms)
        .log(Box::new(log.clone()))
}

pub fn gui_perms() -> Permissions {
    Permissions {
        gui: true,
        ..Permissions::default()
    }
}

pub const DENIED: i32 = -1;
pub const INVALID: i32 = -2;
pub const LIMIT: i32 = -3;
pub const UNAVAILABLE: i32 = -4;
