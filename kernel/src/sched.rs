//! Kernel threads, preemptively scheduled: the timer interrupt switches threads every
//! [`SLICE_TICKS`] ticks, round robin, so an app that loops forever takes its share of the
//! CPU and no more; the desktop and the other apps keep running.
//!
//! A switch is the interrupt entry's business (`interrupts.rs`): every register of the
//! interrupted thread is saved on its own stack as a [`Context`], and the handler returns
//! the saved context of the next thread, which the common exit restores. A new thread's
//! stack starts with a context that "returns" into [`thread_start`].
//!
//! Two rules keep this free of deadlocks on one CPU:
//! - The scheduler's lock is only taken with interrupts off (here and in the handler).
//! - Nothing allocates or frees with interrupts off: a thread preempted while holding the
//!   allocator's lock would never run again to release it. So stacks are freed by
//!   [`reap`] in thread context, and the thread list has its room reserved before a push.
//!
//! The kernel is soft-float, but the engine's native code uses SSE: each switch saves the
//! outgoing thread's SSE state and restores the incoming one's (`fpu.rs`).

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use spin::Mutex;
use x86_64::instructions::interrupts::without_interrupts;

use crate::fpu::FxArea;
use crate::interrupts::Context;

/// Time slice: 2 ticks of 4 ms.
pub const SLICE_TICKS: u64 = 2;
/// Each kernel thread's stack. The engine does not recurse on the host stack for guest
/// calls; validation and translation of a function need far less than this.
const STACK_SIZE: usize = 512 * 1024;
/// Written at the bottom of every thread stack and checked at each switch.
const STACK_CANARY: u64 = 0x4B50_494F_5354_4B21;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Ready,
    /// Asleep until the monotonic clock reaches this many ms.
    Sleeping(u64),
    Finished,
}

struct Thread {
    name: String,
    /// Where its registers are saved while it is not running.
    ctx: *mut Context,
    stack: Option<Box<[u64]>>,
    /// Its SSE state while it is not running (native code uses XMM registers).
    fx: Box<FxArea>,
    entry: Option<Box<dyn FnOnce() + Send>>,
    state: State,
    /// Runs only when no other thread is ready.
    idle: bool,
}

// SAFETY: the raw context pointer is only dereferenced by the scheduler with interrupts
// off, on the single CPU.
unsafe impl Send for Thread {}

struct Scheduler {
    threads: Vec<Thread>,
    current: usize,
    /// The SSE state new threads start with.
    clean: FxArea,
}

static SCHED: Mutex<Option<Scheduler>> = Mutex::new(None);

/// Makes the running boot code thread 0 ("boot"), the idle thread once it says so.
pub fn init() {
    let mut threads = Vec::with_capacity(64);
    let clean = FxArea::capture();
    threads.push(Thread {
        fx: Box::new(clean.clone()),
        name: String::from("boot"),
        ctx: core::ptr::null_mut(),
        stack: None,
        entry: None,
        state: State::Ready,
        idle: false,
    });
    without_interrupts(|| {
        *SCHED.lock() = Some(Scheduler {
            threads,
            current: 0,
            clean,
        })
    });
}

/// Starts `f` on a new kernel thread.
pub fn spawn(name: &str, f: impl FnOnce() + Send + 'static) {
    reap();
    let mut stack: Box<[u64]> = alloc::vec![0u64; STACK_SIZE / 8].into_boxed_slice();
    stack[0] = STACK_CANARY;
    let top = stack.as_mut_ptr_range().end as u64 & !0xF;
    let ctx = (top - 64 - size_of::<Context>() as u64) as *mut Context;
    let sel = crate::gdt::selectors();
    // SAFETY: `ctx` lies inside the new stack, below its top, suitably aligned.
    unsafe {
        ctx.write(Context {
            rip: thread_start as *const () as u64,
            cs: sel.code.0 as u64,
            rflags: 0x202, // interrupts on
            rsp: top - 8,  // as after a call: rsp + 8 is 16-aligned
            ss: sel.data.0 as u64,
            ..Context::default()
        })
    };
    let clean = without_interrupts(|| SCHED.lock().as_ref().map(|s| s.clean.clone()));
    let thread = Thread {
        fx: Box::new(clean.expect("sched::init ran")),
        name: String::from(name),
        ctx,
        stack: Some(stack),
        entry: Some(Box::new(f)),
        state: State::Ready,
        idle: false,
    };
    // Grow the list (an allocation) with interrupts on, then push without reallocating.
    loop {
        let (len, cap) = without_interrupts(|| {
            let s = SCHED.lock();
            let s = s.as_ref().expect("sched::init ran");
            (s.threads.len(), s.threads.capacity())
        });
        if len < cap {
            break;
        }
        let bigger: Vec<Thread> = Vec::with_capacity(cap * 2);
        let old = without_interrupts(|| {
            let mut s = SCHED.lock();
            let s = s.as_mut().unwrap();
            let mut bigger = bigger;
            if bigger.capacity() > s.threads.len() {
                bigger.append(&mut s.threads);
                core::mem::swap(&mut s.threads, &mut bigger);
            }
            bigger
        });
        drop(old); // freed with interrupts on
    }
    without_interrupts(|| {
        SCHED.lock().as_mut().unwrap().threads.push(thread);
    });
}

extern "C" fn thread_start() -> ! {
    let entry = without_interrupts(|| {
        let mut s = SCHED.lock();
        let s = s.as_mut().unwrap();
        let cur = s.current;
        s.threads[cur].entry.take()
    });
    if let Some(f) = entry {
        f();
    }
    without_interrupts(|| {
        let mut s = SCHED.lock();
        let s = s.as_mut().unwrap();
        let cur = s.current;
        s.threads[cur].state = State::Finished;
    });
    loop {
        yield_now();
    }
}

/// Frees the stacks of finished threads (in thread context: freeing takes the allocator).
pub fn reap() {
    let mut dead: Vec<Thread> = Vec::with_capacity(8);
    without_interrupts(|| {
        let mut s = SCHED.lock();
        let Some(s) = s.as_mut() else { return };
        let mut i = 0;
        while i < s.threads.len() && dead.len() < dead.capacity() {
            if s.threads[i].state == State::Finished && i != s.current {
                let t = s.threads.remove(i);
                if s.current > i {
                    s.current -= 1;
                }
                dead.push(t);
            } else {
                i += 1;
            }
        }
    });
    drop(dead);
}

/// Gives up the rest of this thread's time slice.
pub fn yield_now() {
    // SAFETY: vector 48 is the scheduler's yield entry, an ordinary interrupt stub.
    unsafe { core::arch::asm!("int 48") };
}

/// Sleeps at least `ms` milliseconds, letting other threads run.
pub fn sleep_ms(ms: u64) {
    let until = crate::clock::monotonic_ms() + ms;
    // A sleeping thread runs again early only when nothing else could (no idle thread yet).
    while crate::clock::monotonic_ms() < until {
        without_interrupts(|| {
            let mut s = SCHED.lock();
            let s = s.as_mut().unwrap();
            let cur = s.current;
            s.threads[cur].state = State::Sleeping(until);
        });
        yield_now();
    }
}

/// Marks the calling thread as the idle thread and idles forever.
pub fn become_idle() -> ! {
    without_interrupts(|| {
        let mut s = SCHED.lock();
        let s = s.as_mut().unwrap();
        let cur = s.current;
        s.threads[cur].idle = true;
    });
    loop {
        reap();
        x86_64::instructions::interrupts::enable_and_hlt();
    }
}

/// The running thread's name (for fault reports; never blocks).
pub fn current_name() -> Option<&'static str> {
    let s = SCHED.try_lock()?;
    let s = s.as_ref()?;
    let name: *const str = s.threads[s.current].name.as_str();
    // SAFETY: the report is printed and QEMU exits before the thread could be freed.
    Some(unsafe { &*name })
}

/// The timer interrupt: switch when the slice is used up.
pub fn on_timer(ctx: *mut Context) -> *mut Context {
    if !crate::clock::ticks().is_multiple_of(SLICE_TICKS) {
        return ctx;
    }
    switch(ctx)
}

/// The yield interrupt: switch now.
pub fn on_yield(ctx: *mut Context) -> *mut Context {
    switch(ctx)
}

fn switch(ctx: *mut Context) -> *mut Context {
    // Interrupts are off; a thread holds this lock only with interrupts off, so it is free.
    let Some(mut guard) = SCHED.try_lock() else {
        return ctx;
    };
    let Some(s) = guard.as_mut() else {
        return ctx;
    };
    let cur = s.current;
    s.threads[cur].ctx = ctx;
    if let Some(stack) = &s.threads[cur].stack
        && stack[0] != STACK_CANARY
    {
        let name: *const str = s.threads[cur].name.as_str();
        drop(guard);
        crate::serial::force_unlock();
        // SAFETY: the thread record lives on; QEMU exits right after the report.
        crate::println!("\nKPIO FAULT: kernel stack overflow in thread {}", unsafe {
            &*name
        });
        crate::qemu::exit(crate::qemu::ExitCode::Fault);
    }
    let now = crate::clock::monotonic_ms();
    let n = s.threads.len();
    let mut pick = None;
    for step in 1..=n {
        let i = (cur + step) % n;
        let t = &mut s.threads[i];
        if let State::Sleeping(until) = t.state
            && now >= until
        {
            t.state = State::Ready;
        }
        if t.state == State::Ready && !t.idle {
            pick = Some(i);
            break;
        }
    }
    let next = pick
        .or_else(|| {
            s.threads
                .iter()
                .position(|t| t.idle && t.state == State::Ready)
        })
        .unwrap_or(cur);
    if next != cur {
        s.threads[cur].fx.save();
        s.threads[next].fx.restore();
    }
    s.current = next;
    s.threads[next].ctx
}
