//! The network under `fetch()`: the app's network scope ([`scope`]), one HTTP exchange
//! ([`http`]), and the realm's side of the exchanges in flight ([`NetLink`]).
//!
//! Each exchange runs on its own thread, so a slow server never blocks the realm. The
//! thread reports the response head, then reads the body only when the page pulls it (a
//! `ReadableStream`'s pull), one chunk per pull: a page that stops reading stops the
//! download, and memory holds at most one chunk per exchange. Reports travel over one
//! channel per realm, which the event loop waits on when nothing else is due.

pub mod http;
pub(crate) mod ops;
pub mod scope;

use http::{Body, Cut, Exchange, NetError, ResponseHead};
use scope::Network;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Wakes a thread waiting for any of several realms' reports: the threads of every
/// realm that shares it raise it after each report.
#[derive(Default)]
pub(crate) struct Signal {
    raised: Mutex<bool>,
    cv: Condvar,
}

impl Signal {
    pub(crate) fn raise(&self) {
        *self.raised.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.cv.notify_all();
    }

    /// Waits at most `timeout` for a raise; whether there was one (and lowers it).
    pub(crate) fn wait(&self, timeout: Duration) -> bool {
        let guard = self.raised.lock().unwrap_or_else(|e| e.into_inner());
        let (mut raised, _) = self
            .cv
            .wait_timeout_while(guard, timeout, |r| !*r)
            .unwrap_or_else(|e| e.into_inner());
        core::mem::replace(&mut *raised, false)
    }
}

/// The most exchanges a realm has waiting for their response heads at once; more wait
/// their turn (browsers, too, limit connections and queue the rest). Exchanges past their
/// head do not count: an unread body must not stall the realm's next fetch (js/fetch.js
/// cuts a body nobody can read any more when its stream is collected).
pub(crate) const MAX_CONNECTING: usize = 32;
/// The most bytes one pull delivers.
const CHUNK: usize = 64 * 1024;

/// What an exchange's thread reports.
pub(crate) enum NetEvent {
    Head(u32, ResponseHead),
    Chunk(u32, Vec<u8>),
    End(u32),
    Failed(u32, NetError),
}

impl NetEvent {
    fn id(&self) -> u32 {
        match self {
            NetEvent::Head(id, _)
            | NetEvent::Chunk(id, _)
            | NetEvent::End(id)
            | NetEvent::Failed(id, _) => *id,
        }
    }

    /// Whether the exchange ends with this report.
    fn ends(&self) -> bool {
        matches!(self, NetEvent::End(_) | NetEvent::Failed(..))
    }
}

/// What the realm tells an exchange's thread.
enum Control {
    /// Read the next chunk of the body.
    Pull,
}

struct InFlight {
    /// `None` while the exchange waits for a free slot.
    control: Option<Sender<Control>>,
    cut: Cut,
    /// Whether the realm waits for a report of this exchange (its head, or a pulled
    /// chunk): the event loop is not idle while one does.
    awaited: bool,
}

/// A realm's exchanges in flight, and the channel their threads report on.
pub(crate) struct NetLink {
    pub(crate) network: Arc<Network>,
    signal: Arc<Signal>,
    sender: Sender<NetEvent>,
    receiver: Receiver<NetEvent>,
    in_flight: HashMap<u32, InFlight>,
    waiting: VecDeque<(u32, Exchange)>,
    /// Exchanges whose thread runs and has not reported a head (or failure) yet, aborted
    /// ones included until their thread reports.
    connecting: HashSet<u32>,
    next_id: u32,
    /// Reports received while waiting, not yet delivered.
    ready: VecDeque<NetEvent>,
}

impl NetLink {
    pub(crate) fn new(network: Arc<Network>, signal: Arc<Signal>) -> NetLink {
        let (sender, receiver) = mpsc::channel();
        NetLink {
            network,
            signal,
            sender,
            receiver,
            in_flight: HashMap::new(),
            waiting: VecDeque::new(),
            connecting: HashSet::new(),
            next_id: 1,
            ready: VecDeque::new(),
        }
    }

    /// Starts (or queues) an exchange; its reports carry the id returned.
    pub(crate) fn start(&mut self, exchange: Exchange) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        self.in_flight.insert(
            id,
            InFlight {
                control: None,
                cut: Cut::default(),
                awaited: true,
            },
        );
        self.waiting.push_back((id, exchange));
        self.start_waiting();
        id
    }

    fn start_waiting(&mut self) {
        while self.connecting.len() < MAX_CONNECTING {
            let Some((id, exchange)) = self.waiting.pop_front() else {
                return;
            };
            let Some(f) = self.in_flight.get_mut(&id) else {
                continue;
            };
            let (control, orders) = mpsc::channel();
            f.control = Some(control);
            let cut = f.cut.clone();
            let network = self.network.clone();
            let events = Reports {
                sender: self.sender.clone(),
                signal: self.signal.clone(),
            };
            self.connecting.insert(id);
            let spawned = std::thread::Builder::new()
                .name(format!("kpio-fetch-{id}"))
                .spawn(move || exchange_thread(id, &network, &exchange, &cut, &events, &orders));
            if let Err(e) = spawned {
                self.connecting.remove(&id);
                self.ready.push_back(NetEvent::Failed(
                    id,
                    NetError::Io {
                        url: String::new(),
                        during: "starting the exchange's thread",
                        source: e,
                    },
                ));
            }
        }
    }

    /// Asks for the next chunk of an exchange's body; false if the exchange is over.
    pub(crate) fn pull(&mut self, id: u32) -> bool {
        let Some(f) = self.in_flight.get_mut(&id) else {
            return false;
        };
        let Some(control) = &f.control else {
            return false;
        };
        if control.send(Control::Pull).is_err() {
            return false;
        }
        f.awaited = true;
        true
    }

    /// Ends an exchange from the realm's side (an abort, or a body nobody will read):
    /// its connection is cut and its later reports are dropped.
    pub(crate) fn abort(&mut self, id: u32) {
        if let Some(f) = self.in_flight.remove(&id) {
            f.cut.cut();
            if f.control.is_none() {
                self.waiting.retain(|(w, _)| *w != id);
            }
        }
    }

    /// Whether the realm waits for a report.
    pub(crate) fn awaiting(&self) -> bool {
        !self.ready.is_empty() || self.in_flight.values().any(|f| f.awaited)
    }

    /// The next report for an exchange still in flight, if one has arrived.
    pub(crate) fn next(&mut self) -> Option<NetEvent> {
        loop {
            let event = match self.ready.pop_front() {
                Some(e) => e,
                None => match self.receiver.try_recv() {
                    Ok(e) => e,
                    Err(TryRecvError::Empty | TryRecvError::Disconnected) => return None,
                },
            };
            let id = event.id();
            // The exchange's first report frees its slot (aborted exchanges' too).
            if self.connecting.remove(&id) {
                self.start_waiting();
            }
            let Some(f) = self.in_flight.get_mut(&id) else {
                continue;
            };
            f.awaited = false;
            if event.ends() {
                self.in_flight.remove(&id);
            }
            return Some(event);
        }
    }

    /// Cuts every exchange (the realm is closing).
    pub(crate) fn close(&mut self) {
        for (_, f) in self.in_flight.drain() {
            f.cut.cut();
        }
        self.waiting.clear();
    }
}

/// Where an exchange's thread reports: the realm's channel, then the signal that wakes
/// whoever waits for it.
struct Reports {
    sender: Sender<NetEvent>,
    signal: Arc<Signal>,
}

impl Reports {
    fn send(&self, event: NetEvent) -> Result<(), ()> {
        let sent = self.sender.send(event).map_err(|_| ());
        self.signal.raise();
        sent
    }
}

fn exchange_thread(
    id: u32,
    network: &Network,
    exchange: &Exchange,
    cut: &Cut,
    events: &Reports,
    orders: &Receiver<Control>,
) {
    let (head, mut body): (ResponseHead, Body) = match http::send(network, exchange, cut) {
        Ok(r) => r,
        Err(e) => {
            let _ = events.send(NetEvent::Failed(id, e));
            return;
        }
    };
    if events.send(NetEvent::Head(id, head)).is_err() {
        return;
    }
    // One chunk per pull; the realm dropping its end (an abort, the realm closing) ends
    // the thread.
    while let Ok(Control::Pull) = orders.recv() {
        if network.is_offline() {
            let _ = events.send(NetEvent::Failed(id, NetError::Offline));
            return;
        }
        let event = match body.next_chunk(CHUNK) {
            Ok(Some(bytes)) => NetEvent::Chunk(id, bytes),
            Ok(None) => NetEvent::End(id),
            Err(e) => NetEvent::Failed(id, e),
        };
        let ends = event.ends();
        if events.send(event).is_err() || ends {
            return;
        }
    }
    // Told nothing more: still say the thread ended, so its slot is freed.
    let _ = events.send(NetEvent::End(id));
}
