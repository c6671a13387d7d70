//! The headless desktop's scripts (`kpio desktop --headless --script FILE`): one command
//! per line, `#` starts a comment, arguments with spaces in double quotes.
//!
//! Targets are found in the scene, so scripts never hard-code where things are drawn:
//!
//! | command | what it does |
//! |---|---|
//! | `install FILE` | install a package: the permission review dialog opens (or it installs at once when the permissions are already approved) |
//! | `launch APP` | start an app as a double-click on its icon would |
//! | `click icon APP` / `double-click icon APP` / `right-click icon APP` | on a desktop icon (APP: app id or label; `All apps`, `Notifications`) |
//! | `click menu LABEL` | an item of the open menu (`Open`, `Uninstall`, an app in the launcher) |
//! | `click dialog LABEL` | a button of the open dialog (`Install`, `Cancel`) |
//! | `click text TEXT in WINDOW` | the middle of a text the window drew (a calculator key) |
//! | `click WINDOW at X Y` | content coordinates of a window |
//! | `click at X Y` / `right-click at X Y` | screen coordinates |
//! | `click close WINDOW` / `click minimise WINDOW` / `click taskbar WINDOW` | window controls and taskbar entries |
//! | `click bell` / `click mark-all-read` / `click toast TITLE` | notifications |
//! | `drag X1 Y1 X2 Y2` | press at the first point, move, release at the second |
//! | `key NAME` | press and release a key: a character, or `Enter`, `Backspace`, `Tab`, `Escape`, `Delete`, `Space`, `Up`, `Down`, `Left`, `Right`, `PageUp`, `PageDown`, `Home`, `End`, `F1`…`F12` |
//! | `type TEXT` | each character as a key press |
//! | `wait DURATION` | let the desktop run (`500ms`, `2s`) |
//! | `wait-for CONDITION [timeout DURATION]` | run until the condition holds (default timeout 10 s; the script fails if it does not) |
//! | `screenshot FILE.png` / `scene FILE.json` / `log FILE` | write the screen, the scene description, the session log |
//! | `quit` | end the script (it also ends after its last line) |
//!
//! Conditions: `window TITLE`, `no-window TITLE`, `text TEXT in WINDOW`, `failed WINDOW`,
//! `icon APP`, `no-icon APP`, `toast TITLE`, `dialog TITLE`, `windows N` (exactly N open),
//! `log TEXT` (a session log line contains it). WINDOW is a window's title (the topmost
//! window with that title).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use kpio_gui::shell::Key;

/// Default time a `wait-for` waits.
pub const DEFAULT_WAIT_FOR: Duration = Duration::from_secs(10);

/// Which mouse action a click is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Click {
    Single,
    Double,
    Right,
}

/// Where a click lands, resolved against the scene when it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Icon(String),
    Menu(String),
    DialogButton(String),
    Text { text: String, window: String },
    InWindow { window: String, x: i32, y: i32 },
    Screen { x: i32, y: i32 },
    Close(String),
    Minimise(String),
    Taskbar(String),
    Bell,
    MarkAllRead,
    Toast(String),
}

/// What a `wait-for` waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Window(String),
    NoWindow(String),
    Text { text: String, window: String },
    Failed(String),
    Icon(String),
    NoIcon(String),
    Toast(String),
    Dialog(String),
    Windows(usize),
    Log(String),
}

/// One script command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Install(PathBuf),
    Launch(String),
    Click(Click, Target),
    Drag { from: (i32, i32), to: (i32, i32) },
    Key(Key),
    Type(String),
    Wait(Duration),
    WaitFor(Condition, Duration),
    Screenshot(PathBuf),
    Scene(PathBuf),
    Log(PathBuf),
    Quit,
}

/// A script line that could not be read: its 1-based number, the line, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    pub line: usize,
    pub text: String,
    pub reason: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {:?}", self.line, self.reason, self.text)
    }
}

impl std::error::Error for ScriptError {}

/// Parses a whole script into `(line number, command)` pairs.
pub fn parse(script: &str) -> Result<Vec<(usize, Command)>, ScriptError> {
    let mut out = Vec::new();
    for (i, line) in script.lines().enumerate() {
        let err = |reason: String| ScriptError {
            line: i + 1,
            text: line.to_string(),
            reason,
        };
        let words = split(line).map_err(err)?;
        if words.is_empty() {
            continue;
        }
        out.push((i + 1, command(&words).map_err(err)?));
    }
    Ok(out)
}

/// Splits a line into words: whitespace-separated, `"..."` for words with spaces (`\"`
/// and `\\` inside), `#` outside quotes starts a comment.
fn split(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '#' {
            break;
        } else if c == '"' {
            chars.next();
            let mut w = String::new();
            loop {
                match chars.next() {
                    None => return Err("a quoted word is not closed".into()),
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some(e @ ('"' | '\\')) => w.push(e),
                        Some('n') => w.push('\n'),
                        other => return Err(format!("unknown escape \\{}", other.unwrap_or(' '))),
                    },
                    Some(ch) => w.push(ch),
                }
            }
            words.push(w);
        } else {
            let mut w = String::new();
            while let Some(&ch) = chars.peek() {
                if ch.is_whitespace() {
                    break;
                }
                w.push(ch);
                chars.next();
            }
            words.push(w);
        }
    }
    Ok(words)
}

fn int(word: &str) -> Result<i32, String> {
    word.parse()
        .map_err(|_| format!("{word:?} is not a whole number"))
}

/// `500ms`, `2s`, `1.5s`.
pub fn duration(word: &str) -> Result<Duration, String> {
    let bad = || format!("{word:?} is not a duration like 500ms or 2s");
    let (num, scale) = if let Some(n) = word.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = word.strip_suffix('s') {
        (n, 1.0)
    } else {
        return Err(bad());
    };
    let v: f64 = num.parse().map_err(|_| bad())?;
    if !(0.0..=3600.0).contains(&(v * scale)) {
        return Err(format!("{word:?} is not between 0 and 1 hour"));
    }
    Ok(Duration::from_secs_f64(v * scale))
}

/// A key by name (see the module docs).
pub fn key(name: &str) -> Result<Key, String> {
    let mut chars = name.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return Ok(Key::Char(c));
    }
    Ok(match name {
        "Enter" | "Return" => Key::Enter,
        "Backspace" => Key::Backspace,
        "Tab" => Key::Tab,
        "Escape" | "Esc" => Key::Escape,
        "Delete" => Key::Delete,
        "Space" => Key::Char(' '),
        "Up" => Key::Up,
        "Down" => Key::Down,
        "Left" => Key::Left,
        "Right" => Key::Right,
        "PageUp" => Key::PageUp,
        "PageDown" => Key::PageDown,
        "Home" => Key::Home,
        "End" => Key::End,
        "Shift" => Key::Shift,
        "Control" | "Ctrl" => Key::Control,
        "Alt" => Key::Alt,
        f if f.starts_with('F') && f.len() > 1 => match f[1..].parse::<u8>() {
            Ok(n @ 1..=12) => Key::F(n),
            _ => return Err(format!("unknown key {name:?}")),
        },
        _ => return Err(format!("unknown key {name:?}")),
    })
}

fn command(w: &[String]) -> Result<Command, String> {
    let s: Vec<&str> = w.iter().map(String::as_str).collect();
    let want = |n: usize, usage: &str| {
        if s.len() == n {
            Ok(())
        } else {
            Err(format!("expected `{usage}`"))
        }
    };
    Ok(match s[0] {
        "install" => {
            want(2, "install FILE")?;
            Command::Install(PathBuf::from(s[1]))
        }
        "launch" => {
            want(2, "launch APP")?;
            Command::Launch(s[1].into())
        }
        "click" | "double-click" | "right-click" => {
            let kind = match s[0] {
                "click" => Click::Single,
                "double-click" => Click::Double,
                _ => Click::Right,
            };
            Command::Click(kind, target(&s[1..])?)
        }
        "drag" => {
            want(5, "drag X1 Y1 X2 Y2")?;
            Command::Drag {
                from: (int(s[1])?, int(s[2])?),
                to: (int(s[3])?, int(s[4])?),
            }
        }
        "key" => {
            want(2, "key NAME")?;
            Command::Key(key(s[1])?)
        }
        "type" => {
            want(2, "type TEXT")?;
            Command::Type(s[1].into())
        }
        "wait" => {
            want(2, "wait DURATION")?;
            Command::Wait(duration(s[1])?)
        }
        "wait-for" => {
            let (cond, rest) = condition(&s[1..])?;
            let timeout = match rest {
                [] => DEFAULT_WAIT_FOR,
                ["timeout", d] => duration(d)?,
                _ => return Err("expected `wait-for CONDITION [timeout DURATION]`".into()),
            };
            Command::WaitFor(cond, timeout)
        }
        "screenshot" => {
            want(2, "screenshot FILE.png")?;
            Command::Screenshot(PathBuf::from(s[1]))
        }
        "scene" => {
            want(2, "scene FILE.json")?;
            Command::Scene(PathBuf::from(s[1]))
        }
        "log" => {
            want(2, "log FILE")?;
            Command::Log(PathBuf::from(s[1]))
        }
        "quit" => {
            want(1, "quit")?;
            Command::Quit
        }
        other => return Err(format!("unknown command {other:?}")),
    })
}

fn target(s: &[&str]) -> Result<Target, String> {
    Ok(match s {
        ["icon", app] => Target::Icon(app.to_string()),
        ["menu", label] => Target::Menu(label.to_string()),
        ["dialog", label] => Target::DialogButton(label.to_string()),
        ["text", text, "in", window] => Target::Text {
            text: text.to_string(),
            window: window.to_string(),
        },
        ["at", x, y] => Target::Screen {
            x: int(x)?,
            y: int(y)?,
        },
        ["close", window] => Target::Close(window.to_string()),
        ["minimise" | "minimize", window] => Target::Minimise(window.to_string()),
        ["taskbar", window] => Target::Taskbar(window.to_string()),
        ["bell"] => Target::Bell,
        ["mark-all-read"] => Target::MarkAllRead,
        ["toast", title] => Target::Toast(title.to_string()),
        [window, "at", x, y] => Target::InWindow {
            window: window.to_string(),
            x: int(x)?,
            y: int(y)?,
        },
        _ => return Err("unknown click target (see `kpio desktop --help`)".into()),
    })
}

fn condition<'a>(s: &'a [&'a str]) -> Result<(Condition, &'a [&'a str]), String> {
    Ok(match s {
        ["window", t, rest @ ..] => (Condition::Window(t.to_string()), rest),
        ["no-window", t, rest @ ..] => (Condition::NoWindow(t.to_string()), rest),
        ["text", text, "in", w, rest @ ..] => (
            Condition::Text {
                text: text.to_string(),
                window: w.to_string(),
            },
            rest,
        ),
        ["failed", t, rest @ ..] => (Condition::Failed(t.to_string()), rest),
        ["icon", a, rest @ ..] => (Condition::Icon(a.to_string()), rest),
        ["no-icon", a, rest @ ..] => (Condition::NoIcon(a.to_string()), rest),
        ["toast", t, rest @ ..] => (Condition::Toast(t.to_string()), rest),
        ["dialog", t, rest @ ..] => (Condition::Dialog(t.to_string()), rest),
        ["windows", n, rest @ ..] => (
            Condition::Windows(n.parse().map_err(|_| format!("{n:?} is not a count"))?),
            rest,
        ),
        ["log", t, rest @ ..] => (Condition::Log(t.to_string()), rest),
        _ => return Err("unknown wait-for condition (see `kpio desktop --help`)".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_parses_into_commands_with_line_numbers() {
        let script = "# calculator\n\ninstall target/apps/calculator.kpioapp\n\
            click dialog Install\nwait-for icon com.kpio.calculator timeout 5s\n\
            double-click icon com.kpio.calculator\nclick text \"+\" in Calculator # plus\n\
            key PageDown\ntype \"1+2=\"\nwait 250ms\nscreenshot out.png\n";
        let cmds = parse(script).unwrap();
        assert_eq!(
            cmds[0],
            (3, Command::Install("target/apps/calculator.kpioapp".into()))
        );
        assert_eq!(
            cmds[2],
            (
                5,
                Command::WaitFor(
                    Condition::Icon("com.kpio.calculator".into()),
                    Duration::from_secs(5)
                )
            )
        );
        assert_eq!(
            cmds[4],
            (
                7,
                Command::Click(
                    Click::Single,
                    Target::Text {
                        text: "+".into(),
                        window: "Calculator".into()
                    }
                )
            )
        );
        assert_eq!(cmds[5].1, Command::Key(Key::PageDown));
        assert_eq!(cmds[6].1, Command::Type("1+2=".into()));
        assert_eq!(cmds[7].1, Command::Wait(Duration::from_millis(250)));
    }

    #[test]
    fn bad_lines_name_the_line_and_the_problem() {
        let e = parse("wait 1s\nclick nowhere special\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.reason.contains("unknown click target"), "{e}");
        assert!(
            parse("type \"open")
                .unwrap_err()
                .reason
                .contains("not closed")
        );
        assert!(parse("wait 5 minutes").is_err());
        assert!(parse("wait -1s").is_err());
        assert!(parse("key F13").unwrap_err().reason.contains("unknown key"));
        assert!(
            parse("frobnicate")
                .unwrap_err()
                .reason
                .contains("unknown command")
        );
    }
}
