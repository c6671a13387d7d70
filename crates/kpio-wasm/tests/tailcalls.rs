//! Guard for threaded dispatch (issue 7, defect 12): its handlers end in tail calls that
//! only work if the compiler turns them into jumps. If a toolchain change made them real
//! calls, every executed instruction would leave a host stack frame, and this long loop of
//! mixed instructions (arithmetic, locals, branches, calls and returns, loads and stores),
//! run on a thread with a 256 KiB stack, would overflow it and abort the test binary.
//!
//! Meant for release builds: `cargo test --release -p kpio-wasm --test tailcalls`
//! (debug builds of this workspace also compile the engine at opt-level 2, so it runs
//! there too).

use kpio_wasm::*;

const WAT: &str = r#"(module (memory 1)
  (func $mix (param i32 i32) (result i32)
    (i32.add
      (i32.mul (i32.xor (local.get 0) (local.get 1)) (i32.const 0x9e3779b9))
      (i32.rotl (local.get 0) (i32.const 5))))
  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $acc i32) (local $addr i32) (local $x i64)
    (loop $l
      (local.set $addr (i32.and (i32.mul (local.get $i) (i32.const 4)) (i32.const 0xfffc)))
      (i32.store (local.get $addr) (i32.add (i32.load (local.get $addr)) (local.get $acc)))
      (local.set $acc (call $mix (local.get $acc) (local.get $i)))
      (local.set $x (i64.add (local.get $x) (i64.extend_i32_u (local.get $acc))))
      (if (i32.and (local.get $acc) (i32.const 1))
        (then (local.set $acc (i32.shr_u (local.get $acc) (i32.const 1))))
        (else (local.set $acc (i32.add (local.get $acc) (i32.const 7)))))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i64.xor (local.get $x)
      (i64.extend_i32_u (i32.add (local.get $acc) (i32.load (i32.const 400)))))))"#;

/// The same computation in Rust.
fn expected(n: u32) -> i64 {
    let mut mem = vec![0u32; 16384];
    let (mut acc, mut x) = (0u32, 0u64);
    let mut i = 0u32;
    loop {
        let addr = (i.wrapping_mul(4) & 0xfffc) as usize / 4;
        mem[addr] = mem[addr].wrapping_add(acc);
        acc = (acc ^ i)
            .wrapping_mul(0x9e37_79b9)
            .wrapping_add(acc.rotate_left(5));
        x = x.wrapping_add(acc as u64);
        acc = if acc & 1 != 0 {
            acc >> 1
        } else {
            acc.wrapping_add(7)
        };
        i = i.wrapping_add(1);
        if i == n {
            break;
        }
    }
    (x ^ acc.wrapping_add(mem[100]) as u64) as i64
}

/// About 24 wasm instructions per iteration: 12.5M iterations are some 300M instructions.
const ITERATIONS: u32 = 12_500_000;

#[test]
fn the_backend_is_the_expected_one() {
    // The workspace compiles kpio-wasm at opt-level 2 or more in every profile
    // (Cargo.toml), where build.rs picks threaded dispatch on hosted x86_64 unless the
    // `portable-dispatch` feature asks otherwise.
    let threaded = cfg!(all(
        target_arch = "x86_64",
        not(target_os = "none"),
        not(feature = "portable-dispatch")
    ));
    assert_eq!(
        dispatch_backend(),
        if threaded { "threaded" } else { "portable" }
    );
}

#[test]
fn a_long_mixed_loop_runs_on_a_small_stack() {
    let worker = std::thread::Builder::new()
        .name("small-stack".into())
        .stack_size(256 * 1024)
        .spawn(|| {
            let engine = Engine::default();
            let module = Module::new(&engine, &wat::parse_str(WAT).unwrap()).unwrap();
            let mut store = Store::new(&engine, ());
            let inst = Linker::new().instantiate(&mut store, &module).unwrap();
            let run = inst.get_func(&store, "run").unwrap();
            let mut out = [Val::I64(0)];
            run.call(&mut store, &[Val::I32(ITERATIONS as i32)], &mut out)
                .unwrap();
            out[0]
        })
        .unwrap();
    let got = worker.join().expect("the guest ran to completion");
    assert_eq!(got, Val::I64(expected(ITERATIONS)));
}
