//! A CoreMark-like integer workload (not the official CoreMark and not
//! comparable to CoreMark scores). Each iteration runs:
//! - list: finds with reverse and move, merge sort by (value, index),
//!   CRC walk, merge sort back by index, CRC walk (on an index-linked list);
//! - matrix: add/multiply by a constant, matrix-vector, matrix-matrix and
//!   bit-extracting matrix-matrix products on 32x32 `i16` matrices, each
//!   summarised and fed into the CRC;
//! - state machine: a scanner classifying comma-separated numbers as
//!   int/float/scientific/invalid, run on the input, on a corrupted copy,
//!   and the CRC of the per-state counts;
//! - CRC-16 of everything above (CoreMark's `crcu8`).

use crate::Buf;

const LIST_N: usize = 512;
const NIL: u16 = u16::MAX;
const MAT_N: usize = 32;
const SM_LEN: usize = 4096;

struct State {
    next: [u16; LIST_N],
    val: [i16; LIST_N],
    idx: [i16; LIST_N],
    ma: [i16; MAT_N * MAT_N],
    mb: [i16; MAT_N * MAT_N],
    mc: [i32; MAT_N * MAT_N],
    sm: [u8; SM_LEN],
}

static STATE: Buf<State> = Buf::new(State {
    next: [0; LIST_N],
    val: [0; LIST_N],
    idx: [0; LIST_N],
    ma: [0; MAT_N * MAT_N],
    mb: [0; MAT_N * MAT_N],
    mc: [0; MAT_N * MAT_N],
    sm: [0; SM_LEN],
});

// ---- CRC-16 (CoreMark's crcu8/crcu16) ----

fn crcu8(mut data: u8, mut crc: u16) -> u16 {
    for _ in 0..8 {
        let x16 = (data & 1) as u16 ^ (crc & 1);
        data >>= 1;
        if x16 == 1 {
            crc ^= 0x4002;
            crc = (crc >> 1) | 0x8000;
        } else {
            crc = (crc >> 1) & 0x7fff;
        }
    }
    crc
}

fn crcu16(v: u16, crc: u16) -> u16 {
    crcu8((v >> 8) as u8, crcu8(v as u8, crc))
}

fn crcu32(v: u32, crc: u16) -> u16 {
    crcu16((v >> 16) as u16, crcu16(v as u16, crc))
}

// ---- list ----

fn list_init(s: &mut State, seed: u32) -> u16 {
    let mut x = seed | 1;
    for i in 0..LIST_N {
        s.next[i] = if i + 1 < LIST_N { (i + 1) as u16 } else { NIL };
        s.idx[i] = i as i16;
        s.val[i] = (crate::xorshift32(&mut x) & 0xff) as i16;
    }
    0
}

fn list_find(s: &State, mut p: u16, val: i16) -> u16 {
    while p != NIL && s.val[p as usize] != val {
        p = s.next[p as usize];
    }
    p
}

fn list_reverse(s: &mut State, mut p: u16) -> u16 {
    let mut rev = NIL;
    while p != NIL {
        let n = s.next[p as usize];
        s.next[p as usize] = rev;
        rev = p;
        p = n;
    }
    rev
}

/// Bottom-up merge sort of a singly linked list (the algorithm CoreMark uses).
fn list_mergesort(s: &mut State, mut list: u16, by_value: bool) -> u16 {
    let le = |s: &State, a: u16, b: u16| -> bool {
        let (a, b) = (a as usize, b as usize);
        if by_value {
            (s.val[a], s.idx[a]) <= (s.val[b], s.idx[b])
        } else {
            s.idx[a] <= s.idx[b]
        }
    };
    let mut insize = 1;
    loop {
        let mut p = list;
        list = NIL;
        let mut tail = NIL;
        let mut nmerges = 0;
        while p != NIL {
            nmerges += 1;
            let mut q = p;
            let mut psize = 0;
            for _ in 0..insize {
                psize += 1;
                q = s.next[q as usize];
                if q == NIL {
                    break;
                }
            }
            let mut qsize = insize;
            while psize > 0 || (qsize > 0 && q != NIL) {
                let e;
                if psize == 0 {
                    e = q;
                    q = s.next[q as usize];
                    qsize -= 1;
                } else if qsize == 0 || q == NIL || le(s, p, q) {
                    e = p;
                    p = s.next[p as usize];
                    psize -= 1;
                } else {
                    e = q;
                    q = s.next[q as usize];
                    qsize -= 1;
                }
                if tail != NIL {
                    s.next[tail as usize] = e;
                } else {
                    list = e;
                }
                tail = e;
            }
            p = q;
        }
        if tail != NIL {
            s.next[tail as usize] = NIL;
        }
        if nmerges <= 1 {
            return list;
        }
        insize *= 2;
    }
}

fn list_bench(s: &mut State, mut list: u16, iter: u32, crc: &mut u16) -> u16 {
    let mut found = 0u32;
    let mut missed = 0u32;
    let mut retval = 0u32;
    for i in 0..8u32 {
        let target = ((iter.wrapping_mul(7).wrapping_add(i * 37)) & 0xff) as i16;
        let f = list_find(s, list, target);
        list = list_reverse(s, list);
        if f == NIL {
            missed += 1;
            let n = s.next[list as usize];
            if n != NIL {
                retval = retval.wrapping_add(((s.val[n as usize] >> 3) & 1) as u32);
            }
        } else {
            found += 1;
            if s.val[f as usize] & 1 != 0 {
                retval = retval.wrapping_add(((s.val[f as usize] >> 1) & 1) as u32);
            }
            // Move the node after `f` to just after the head.
            let finder = s.next[f as usize];
            if finder != NIL && finder != list {
                s.next[f as usize] = s.next[finder as usize];
                s.next[finder as usize] = s.next[list as usize];
                s.next[list as usize] = finder;
            }
        }
    }
    list = list_mergesort(s, list, true);
    let mut p = list;
    while p != NIL {
        *crc = crcu16(s.val[p as usize] as u16, *crc);
        p = s.next[p as usize];
    }
    list = list_mergesort(s, list, false);
    let mut p = list;
    while p != NIL {
        *crc = crcu16(s.idx[p as usize] as u16, *crc);
        // Let the data evolve from iteration to iteration.
        let v = &mut s.val[p as usize];
        *v = (*v ^ (*crc & 0x7) as i16) & 0xff;
        p = s.next[p as usize];
    }
    *crc = crcu32(found << 16 | missed, *crc);
    *crc = crcu32(retval, *crc);
    list
}

// ---- matrix ----

fn matrix_init(s: &mut State, seed: u32) {
    let mut x = seed | 1;
    for i in 0..MAT_N * MAT_N {
        s.ma[i] = (crate::xorshift32(&mut x) & 0x7ff) as i16 - 0x400;
        s.mb[i] = (crate::xorshift32(&mut x) & 0x7ff) as i16 - 0x400;
    }
}

fn matrix_sum(c: &[i32; MAT_N * MAT_N], clipval: i32) -> u16 {
    let mut tmp = 0i32;
    let mut prev = 0i32;
    let mut ret = 0u16;
    for &cur in c.iter() {
        tmp = tmp.wrapping_add(cur);
        if tmp > clipval {
            ret = ret.wrapping_add(10);
            tmp = 0;
        } else {
            ret = ret.wrapping_add((cur > prev) as u16);
        }
        prev = cur;
    }
    ret
}

#[inline(always)]
fn bit_extract(x: i32, from: u32, n: u32) -> i32 {
    (x >> from) & ((1 << n) - 1)
}

fn matrix_bench(s: &mut State, val: i16, crc: &mut u16) {
    let clipval = 0x0001_0000 | (val as i32 & 0xffff);
    let n = MAT_N;
    for a in s.ma.iter_mut() {
        *a = a.wrapping_add(val);
    }
    // C = A * val
    for i in 0..n * n {
        s.mc[i] = (s.ma[i] as i32).wrapping_mul(val as i32);
    }
    *crc = crcu16(matrix_sum(&s.mc, clipval), *crc);
    // C = A * B[:, 0] (vector)
    s.mc.fill(0);
    for i in 0..n {
        let mut acc = 0i32;
        for j in 0..n {
            acc = acc.wrapping_add((s.ma[i * n + j] as i32).wrapping_mul(s.mb[j * n] as i32));
        }
        s.mc[i] = acc;
    }
    *crc = crcu16(matrix_sum(&s.mc, clipval), *crc);
    // C = A * B
    for i in 0..n {
        for j in 0..n {
            let mut acc = 0i32;
            for k in 0..n {
                acc =
                    acc.wrapping_add((s.ma[i * n + k] as i32).wrapping_mul(s.mb[k * n + j] as i32));
            }
            s.mc[i * n + j] = acc;
        }
    }
    *crc = crcu16(matrix_sum(&s.mc, clipval), *crc);
    // C = bitextract(A * B)
    for i in 0..n {
        for j in 0..n {
            let mut acc = 0i32;
            for k in 0..n {
                let t = (s.ma[i * n + k] as i32).wrapping_mul(s.mb[k * n + j] as i32);
                acc = acc.wrapping_add(bit_extract(t, 2, 4).wrapping_mul(bit_extract(t, 5, 7)));
            }
            s.mc[i * n + j] = acc;
        }
    }
    *crc = crcu16(matrix_sum(&s.mc, clipval), *crc);
    for a in s.ma.iter_mut() {
        *a = a.wrapping_sub(val);
    }
}

// ---- state machine ----

#[derive(Clone, Copy, PartialEq, Eq)]
enum St {
    Start = 0,
    Invalid,
    S1,
    S2,
    Int,
    Float,
    Exponent,
    Scientific,
}
const NUM_STATES: usize = 8;

const TOKENS: [&[u8]; 16] = [
    b"5012",
    b"1234",
    b"-874",
    b"+122",
    b"35.54400",
    b".1234500",
    b"-110.700",
    b"+0.64400",
    b"5.500e+3",
    b"-.123e-2",
    b"-87e+832",
    b"+0.6e-12",
    b"T0.3e-1F",
    b"-T.T++Tq",
    b"1T3.4e4z",
    b"34.0e-T^",
];

fn sm_init(s: &mut State, seed: u32) {
    let mut x = seed | 1;
    let mut pos = 0;
    loop {
        let t = TOKENS[(crate::xorshift32(&mut x) & 15) as usize];
        if pos + t.len() + 1 > SM_LEN {
            break;
        }
        s.sm[pos..pos + t.len()].copy_from_slice(t);
        pos += t.len();
        s.sm[pos] = b',';
        pos += 1;
    }
    s.sm[pos..].fill(0);
}

/// Scans one token starting at `*pos`; returns its final state.
fn transition(buf: &[u8], pos: &mut usize, transitions: &mut [u32; NUM_STATES]) -> St {
    let mut st = St::Start;
    while *pos < buf.len() {
        let ch = buf[*pos];
        if ch == b',' || ch == 0 {
            *pos += 1;
            break;
        }
        *pos += 1;
        let digit = ch.is_ascii_digit();
        let next = match st {
            St::Start => {
                if digit {
                    St::Int
                } else if ch == b'+' || ch == b'-' {
                    St::S1
                } else if ch == b'.' {
                    St::Float
                } else {
                    St::Invalid
                }
            }
            St::S1 => {
                if digit {
                    St::Int
                } else if ch == b'.' {
                    St::Float
                } else {
                    St::Invalid
                }
            }
            St::Int => {
                if ch == b'.' {
                    St::Float
                } else if ch == b'e' || ch == b'E' {
                    St::S2
                } else if digit {
                    St::Int
                } else {
                    St::Invalid
                }
            }
            St::Float => {
                if ch == b'e' || ch == b'E' {
                    St::S2
                } else if digit {
                    St::Float
                } else {
                    St::Invalid
                }
            }
            St::S2 => {
                if ch == b'+' || ch == b'-' {
                    St::Exponent
                } else {
                    St::Invalid
                }
            }
            St::Exponent => {
                if digit {
                    St::Scientific
                } else {
                    St::Invalid
                }
            }
            St::Scientific => {
                if digit {
                    St::Scientific
                } else {
                    St::Invalid
                }
            }
            St::Invalid => St::Invalid,
        };
        if next != st {
            transitions[next as usize] += 1;
        }
        st = next;
    }
    st
}

fn sm_scan(buf: &[u8], crc: &mut u16) {
    let mut finals = [0u32; NUM_STATES];
    let mut transitions = [0u32; NUM_STATES];
    let mut pos = 0;
    while pos < buf.len() && buf[pos] != 0 {
        let st = transition(buf, &mut pos, &mut transitions);
        finals[st as usize] += 1;
    }
    for i in 0..NUM_STATES {
        *crc = crcu32(finals[i], *crc);
        *crc = crcu32(transitions[i], *crc);
    }
}

fn sm_bench(s: &mut State, seed: u8, step: usize, crc: &mut u16) {
    sm_scan(&s.sm, crc);
    // Corrupt every `step`-th character, scan again, then restore.
    let mut i = 0;
    while i < SM_LEN {
        if s.sm[i] != b',' && s.sm[i] != 0 {
            s.sm[i] ^= seed;
        }
        i += step;
    }
    sm_scan(&s.sm, crc);
    let mut i = 0;
    while i < SM_LEN {
        if s.sm[i] != b',' && s.sm[i] != 0 {
            s.sm[i] ^= seed;
        }
        i += step;
    }
}

pub fn run(iters: u32) -> i64 {
    // SAFETY: single-threaded; no other reference to STATE exists.
    let s = unsafe { STATE.get() };
    let mut list = list_init(s, 0x2545_F491);
    matrix_init(s, 0x9E37_79B9);
    sm_init(s, 0x6C07_8965);
    let mut crc = 0u16;
    let mut crc_list = 0u16;
    let mut crc_mat = 0u16;
    let mut crc_sm = 0u16;
    for it in 0..iters {
        list = list_bench(s, list, it, &mut crc_list);
        matrix_bench(s, (crc_list & 0xff) as i16 | 1, &mut crc_mat);
        // XOR with 0x40..0x7f keeps ASCII letters/digits in range of the scanner.
        sm_bench(
            s,
            0x40 | (it as u8 & 0x3f),
            3 + (it as usize % 7),
            &mut crc_sm,
        );
        crc = crcu16(crc_list, crc);
        crc = crcu16(crc_mat, crc);
        crc = crcu16(crc_sm, crc);
    }
    ((crc as i64) << 48) | ((crc_list as i64) << 32) | ((crc_mat as i64) << 16) | crc_sm as i64
}
