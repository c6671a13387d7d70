//! The loop the crash-safety tests share: start a writer process, SIGKILL it at a
//! seeded-random moment, and hand back what it printed.
//!
//! Where the kills land is timed from the writer's own progress, not only from its
//! start: a loaded machine (CI's 2 cores running other tests) can take longer than any
//! fixed delay to start a `kpio web run`, and then every kill would land in start-up
//! and the test would exercise nothing. So the first `cold_kills` runs are killed a
//! random time after spawning (they cover start-up, creating the store and the first
//! writes), and the rest a random time after the writer printed its first line starting
//! with the marker (kills in the middle of writing).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long a writer may take to print its marker before the test fails.
const MARKER_TIMEOUT: Duration = Duration::from_secs(60);

pub struct KillLoop {
    seed: u64,
    /// Runs killed at a delay from spawning, before the marker rule applies.
    pub cold_kills: usize,
    /// The line prefix that says the writer is under way.
    pub marker: &'static str,
    /// Delays are drawn from `0..spread_ms` (plus 20 ms for cold kills).
    pub spread_ms: u64,
}

impl KillLoop {
    pub fn new(seed: u64, marker: &'static str) -> Self {
        Self {
            seed,
            cold_kills: 20,
            marker,
            spread_ms: 150,
        }
    }

    fn next_delay(&mut self) -> u64 {
        self.seed = self
            .seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.seed >> 33) % self.spread_ms
    }

    /// Spawns `cmd` (its stdout piped, stderr dropped), kills it with SIGKILL, and
    /// returns its stdout. Panics, naming the kill, when the writer ends by itself or
    /// never prints its marker: a kill test whose writer is not writing proves nothing.
    pub fn run(&mut self, cmd: &mut Command, kill: usize) -> String {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("kill {kill}: cannot start the writer: {e}"));
        let stdout = child.stdout.take().unwrap();
        let (lines_tx, lines) = mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut printed = String::new();
        let delay = self.next_delay();
        if kill < self.cold_kills {
            std::thread::sleep(Duration::from_millis(20 + delay));
        } else {
            loop {
                match lines.recv_timeout(MARKER_TIMEOUT) {
                    Ok(line) => {
                        let seen = line.starts_with(self.marker);
                        printed.push_str(&line);
                        printed.push('\n');
                        if seen {
                            break;
                        }
                    }
                    Err(_) => {
                        let _ = child.kill();
                        let _ = child.wait();
                        panic!(
                            "kill {kill}: the writer printed no `{}` line in {MARKER_TIMEOUT:?} \
                             or ended: {printed}",
                            self.marker
                        );
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(delay));
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("kill {kill}: the writer stopped by itself ({status}): {printed}");
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        for line in lines.try_iter() {
            printed.push_str(&line);
            printed.push('\n');
        }
        printed
    }
}
