//! Dense `f64` matrix multiply: `C = A × B` on 128x128 row-major matrices,
//! repeated, with each round feeding one element of its result back into `A`
//! so no round repeats an earlier one.
//!
//! The kernel is the textbook triple loop over `A` and a transposed copy of
//! `B`, so the inner loop is a dot product of two contiguous rows: two `f64`
//! loads, a multiply and an add into one accumulator. That accumulator chain
//! is what an interpreter either keeps in a register or writes back to its
//! frame every step.
//!
//! Results agree bit for bit between wasm and native: every operation is a
//! correctly rounded IEEE 754 multiply or add done in program order (Rust
//! neither fuses them into FMAs nor reassociates the sum).

use crate::{Buf, xorshift32};

/// Matrix dimension.
pub const N: usize = 128;

type Mat = [[f64; N]; N];

struct State {
    a: Mat,
    bt: Mat,
    c: Mat,
}

static STATE: Buf<State> = Buf::new(State {
    a: [[0.0; N]; N],
    bt: [[0.0; N]; N],
    c: [[0.0; N]; N],
});

/// A pseudo-random value in [-1, 1), exactly representable (a 24-bit
/// integer scaled by a power of two), so generation itself cannot differ
/// between targets.
#[inline(always)]
fn unit(x: &mut u32) -> f64 {
    ((xorshift32(x) >> 8) as i32 - (1 << 23)) as f64 * (1.0 / (1 << 23) as f64)
}

/// `c = a × b`, given `bt` = transpose of `b`.
#[inline(never)]
pub fn multiply(a: &Mat, bt: &Mat, c: &mut Mat) {
    for (arow, crow) in a.iter().zip(c.iter_mut()) {
        for (brow, cij) in bt.iter().zip(crow.iter_mut()) {
            let mut sum = 0.0;
            for k in 0..N {
                sum += arow[k] * brow[k];
            }
            *cij = sum;
        }
    }
}

/// `rounds` multiplications; returns the bits of a checksum of every
/// result's trace and one sampled element.
pub fn run(rounds: u32) -> f64 {
    // SAFETY: single-threaded, no other reference to STATE exists.
    let s = unsafe { STATE.get() };
    let mut x = 0x2468_ACE1u32;
    for row in s.a.iter_mut().chain(s.bt.iter_mut()) {
        for v in row.iter_mut() {
            *v = unit(&mut x);
        }
    }
    let mut check = 0.0f64;
    for r in 0..rounds as usize {
        multiply(&s.a, &s.bt, &mut s.c);
        let mut trace = 0.0;
        for (i, row) in s.c.iter().enumerate() {
            trace += row[i];
        }
        // |c| <= N, so c / N stays in [-1, 1]; the division by a power of
        // two is exact.
        let (i, j) = ((r * 7) % N, (r * 31 + 3) % N);
        s.a[i][j] = s.c[j][i] * (1.0 / N as f64);
        check = check * 0.5 + trace + s.c[i][j];
    }
    check
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_times_b_is_b() {
        let mut a: std::boxed::Box<Mat> = std::boxed::Box::new([[0.0; N]; N]);
        let mut bt: std::boxed::Box<Mat> = std::boxed::Box::new([[0.0; N]; N]);
        let mut c: std::boxed::Box<Mat> = std::boxed::Box::new([[0.0; N]; N]);
        let mut x = 1u32;
        for i in 0..N {
            a[i][i] = 1.0;
            for j in 0..N {
                bt[i][j] = unit(&mut x);
            }
        }
        multiply(&a, &bt, &mut c);
        for i in 0..N {
            for j in 0..N {
                // c[i][j] = b[i][j] = bt[j][i]
                assert_eq!(c[i][j], bt[j][i], "at ({i}, {j})");
            }
        }
    }

    #[test]
    fn small_product_by_hand() {
        // Only the top-left 2x2 corner is non-zero: [[1,2],[3,4]] x [[5,6],[7,8]].
        let mut a: std::boxed::Box<Mat> = std::boxed::Box::new([[0.0; N]; N]);
        let mut bt: std::boxed::Box<Mat> = std::boxed::Box::new([[0.0; N]; N]);
        let mut c: std::boxed::Box<Mat> = std::boxed::Box::new([[0.0; N]; N]);
        a[0][0] = 1.0;
        a[0][1] = 2.0;
        a[1][0] = 3.0;
        a[1][1] = 4.0;
        // b = [[5,6],[7,8]], stored transposed.
        bt[0][0] = 5.0;
        bt[0][1] = 7.0;
        bt[1][0] = 6.0;
        bt[1][1] = 8.0;
        multiply(&a, &bt, &mut c);
        assert_eq!(
            [c[0][0], c[0][1], c[1][0], c[1][1]],
            [19.0, 22.0, 43.0, 50.0]
        );
        assert_eq!(c[2][2], 0.0);
    }

    #[test]
    fn rounds_differ() {
        assert_ne!(run(1).to_bits(), run(2).to_bits());
        assert_eq!(run(2).to_bits(), run(2).to_bits());
    }
}
