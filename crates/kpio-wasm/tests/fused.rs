//! The immediate and fused instruction forms (translate/fuse.rs) against the plain forms:
//! an operator with a constant operand must give what the same operator gives with that
//! value passed in, and a load or store that absorbs an `i32.add` of a constant must wrap
//! the address at 2^32 as the add does, and trap where the plain load traps.

use kpio_wasm::*;

fn setup(wat: &str) -> (Store<()>, Instance) {
    let engine = Engine::default();
    let bytes = wat::parse_str(wat).expect("test module parses");
    let module = Module::new(&engine, &bytes).expect("test module validates");
    let mut store = Store::new(&engine, ());
    let inst = Linker::new()
        .instantiate(&mut store, &module)
        .expect("instantiates");
    (store, inst)
}

fn call(store: &mut Store<()>, inst: Instance, name: &str, args: &[Val]) -> Result<Val, Trap> {
    let f = inst.get_func(store, name).expect("export exists");
    let t = f.ty(store).results()[0];
    let mut out = [Val::default_for(t)];
    f.call(store, args, &mut out)?;
    Ok(out[0])
}

const I32_OPS: &[&str] = &[
    "add", "sub", "mul", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr",
];
const I32_CONSTS: &[i32] = &[0, 1, -1, 4, -4, 31, 32, 33, 63, 100, i32::MAX, i32::MIN];
const I32_VALUES: &[i32] = &[0, 1, -1, 7, -8, 0x1234_5678, i32::MAX, i32::MIN];

const I64_CONSTS: &[i64] = &[
    0,
    1,
    -1,
    4,
    -4,
    63,
    64,
    65,
    127,
    i32::MAX as i64,
    i32::MIN as i64,
    i32::MAX as i64 + 1,
    i32::MIN as i64 - 1,
    0x1_0000_0000,
    i64::MAX,
    i64::MIN,
];
const I64_VALUES: &[i64] = &[0, 1, -1, 7, -8, 0x1234_5678_9abc_def0, i64::MAX, i64::MIN];

/// A module with, per operator, the plain form (`OP_r`, both operands passed in) and the
/// forms with constant `k` on the right (`OP_k_N`) and on the left (`OP_kl_N`).
fn imm_module(ty: &str, ops: &[&str], consts: &[String]) -> String {
    let mut m = String::from("(module\n");
    for op in ops {
        m += &format!(
            "(func (export \"{op}_r\") (param {ty} {ty}) (result {ty}) ({ty}.{op} (local.get 0) (local.get 1)))\n"
        );
        for (n, k) in consts.iter().enumerate() {
            m += &format!(
                "(func (export \"{op}_k_{n}\") (param {ty}) (result {ty}) ({ty}.{op} (local.get 0) ({ty}.const {k})))\n"
            );
            m += &format!(
                "(func (export \"{op}_kl_{n}\") (param {ty}) (result {ty}) ({ty}.{op} ({ty}.const {k}) (local.get 0)))\n"
            );
        }
    }
    m + ")"
}

#[test]
fn i32_immediate_forms_match_the_plain_forms() {
    let consts: Vec<String> = I32_CONSTS.iter().map(|k| k.to_string()).collect();
    let (mut s, i) = setup(&imm_module("i32", I32_OPS, &consts));
    for op in I32_OPS {
        for (n, &k) in I32_CONSTS.iter().enumerate() {
            for &x in I32_VALUES {
                let want =
                    call(&mut s, i, &format!("{op}_r"), &[Val::I32(x), Val::I32(k)]).unwrap();
                let got = call(&mut s, i, &format!("{op}_k_{n}"), &[Val::I32(x)]).unwrap();
                assert_eq!(got, want, "i32.{op} {x} {k}");
                let want =
                    call(&mut s, i, &format!("{op}_r"), &[Val::I32(k), Val::I32(x)]).unwrap();
                let got = call(&mut s, i, &format!("{op}_kl_{n}"), &[Val::I32(x)]).unwrap();
                assert_eq!(got, want, "i32.{op} {k} {x}");
            }
        }
    }
}

#[test]
fn i64_immediate_forms_match_the_plain_forms() {
    let consts: Vec<String> = I64_CONSTS.iter().map(|k| k.to_string()).collect();
    let (mut s, i) = setup(&imm_module("i64", I32_OPS, &consts));
    for op in I32_OPS {
        for (n, &k) in I64_CONSTS.iter().enumerate() {
            for &x in I64_VALUES {
                let want =
                    call(&mut s, i, &format!("{op}_r"), &[Val::I64(x), Val::I64(k)]).unwrap();
                let got = call(&mut s, i, &format!("{op}_k_{n}"), &[Val::I64(x)]).unwrap();
                assert_eq!(got, want, "i64.{op} {x} {k}");
                let want =
                    call(&mut s, i, &format!("{op}_r"), &[Val::I64(k), Val::I64(x)]).unwrap();
                let got = call(&mut s, i, &format!("{op}_kl_{n}"), &[Val::I64(x)]).unwrap();
                assert_eq!(got, want, "i64.{op} {k} {x}");
            }
        }
    }
}

/// Every load, plain (`L_r`: address passed in) and with an `i32.add` of a constant
/// before it (`L_k_N`), over one page holding the bytes 0, 1, 2, ... (mod 256).
const LOADS: &[(&str, &str)] = &[
    ("i32", "load"),
    ("i64", "load"),
    ("f32", "load"),
    ("f64", "load"),
    ("i32", "load8_s"),
    ("i32", "load8_u"),
    ("i32", "load16_s"),
    ("i32", "load16_u"),
    ("i64", "load8_s"),
    ("i64", "load8_u"),
    ("i64", "load16_s"),
    ("i64", "load16_u"),
    ("i64", "load32_s"),
    ("i64", "load32_u"),
];
const ADDR_CONSTS: &[i32] = &[0, 8, 200, -4, -200, 65_532, 65_535, 65_536, i32::MIN];

#[test]
fn loads_that_absorb_an_add_wrap_and_trap_like_the_plain_loads() {
    let mut m = String::from(
        "(module (memory 1)
         (func $fill (local i32)
           (loop (i32.store8 (local.get 0) (i32.add (local.get 0) (i32.const 0x81)))
             (br_if 0 (i32.ne (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (i32.const 65536)))))
         (start $fill)\n",
    );
    for (ty, load) in LOADS {
        m += &format!(
            "(func (export \"{ty}.{load}_r\") (param i32) (result {ty}) ({ty}.{load} (local.get 0)))\n"
        );
        for (n, k) in ADDR_CONSTS.iter().enumerate() {
            m += &format!(
                "(func (export \"{ty}.{load}_k_{n}\") (param i32) (result {ty}) ({ty}.{load} (i32.add (local.get 0) (i32.const {k}))))\n"
            );
        }
    }
    let (mut s, i) = setup(&(m + ")"));
    let addrs = [0i32, 4, 100, 65_530, 65_532, 65_535, -8, -4, -1, i32::MIN];
    for (ty, load) in LOADS {
        for (n, &k) in ADDR_CONSTS.iter().enumerate() {
            for &x in &addrs {
                let sum = x.wrapping_add(k);
                let want = call(&mut s, i, &format!("{ty}.{load}_r"), &[Val::I32(sum)]);
                let got = call(&mut s, i, &format!("{ty}.{load}_k_{n}"), &[Val::I32(x)]);
                match (&got, &want) {
                    (Ok(g), Ok(w)) => assert!(same(g, w), "{ty}.{load} {x}+{k}: {g:?} != {w:?}"),
                    (Err(g), Err(w)) => assert_eq!(g.code(), w.code(), "{ty}.{load} {x}+{k}"),
                    _ => panic!("{ty}.{load} {x}+{k}: {got:?} against {want:?}"),
                }
            }
        }
    }
}

/// Floats compared by bits (the loaded patterns include NaNs).
fn same(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::F32(x), Val::F32(y)) => x.to_bits() == y.to_bits(),
        (Val::F64(x), Val::F64(y)) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

const STORES: &[(&str, &str)] = &[
    ("i32", "store"),
    ("i64", "store"),
    ("f32", "store"),
    ("f64", "store"),
    ("i32", "store8"),
    ("i32", "store16"),
    ("i64", "store8"),
    ("i64", "store16"),
    ("i64", "store32"),
];

#[test]
fn stores_that_absorb_an_add_write_where_the_plain_stores_write() {
    // Each store writes through an address `x + k`, then `peek` reads the 8 bytes at the
    // wrapped sum (the value is all ones, so the width shows in the result); a store out
    // of bounds traps and writes nothing.
    let mut m = String::from(
        "(module (memory 1)
         (func (export \"peek\") (param i32) (result i64) (i64.load (local.get 0)))
         (func (export \"clear\") (result i32) (memory.fill (i32.const 0) (i32.const 0) (i32.const 65536)) (i32.const 0))\n",
    );
    for (ty, store) in STORES {
        let ones = match *ty {
            "i32" => "(i32.const -1)",
            "i64" => "(i64.const -1)",
            "f32" => "(f32.reinterpret_i32 (i32.const -1))",
            _ => "(f64.reinterpret_i64 (i64.const -1))",
        };
        for (n, k) in ADDR_CONSTS.iter().enumerate() {
            m += &format!(
                "(func (export \"{ty}.{store}_k_{n}\") (param i32) (result i32) ({ty}.{store} (i32.add (local.get 0) (i32.const {k})) {ones}) (i32.const 1))\n"
            );
        }
    }
    let (mut s, i) = setup(&(m + ")"));
    let width = |store: &str, ty: &str| match store {
        "store8" => 1,
        "store16" => 2,
        "store32" => 4,
        _ if ty == "i32" || ty == "f32" => 4,
        _ => 8,
    };
    let addrs = [0i32, 100, 65_528, 65_532, 65_535, -8, -4, i32::MIN];
    for (ty, store) in STORES {
        let w = width(store, ty);
        for (n, &k) in ADDR_CONSTS.iter().enumerate() {
            for &x in &addrs {
                let sum = x.wrapping_add(k) as u32 as u64;
                let r = call(&mut s, i, &format!("{ty}.{store}_k_{n}"), &[Val::I32(x)]);
                if sum + w > 65_536 {
                    let e = r.expect_err("out of bounds");
                    assert_eq!(
                        e.code(),
                        Some(TrapCode::MemoryOutOfBounds),
                        "{ty}.{store} {x}+{k}"
                    );
                    continue;
                }
                r.unwrap();
                if sum + 8 <= 65_536 {
                    let got = call(&mut s, i, "peek", &[Val::I32(sum as i32)]).unwrap();
                    let want = if w == 8 { -1 } else { (1i64 << (8 * w)) - 1 };
                    assert_eq!(got, Val::I64(want), "{ty}.{store} {x}+{k}");
                }
                call(&mut s, i, "clear", &[]).unwrap();
            }
        }
    }
}

#[test]
fn an_add_of_a_shifted_operand_matches_the_two_instructions() {
    // `base + (i << k)` with the shift by a constant fused into the add, the shift on
    // either side of the add, against the same with `k` passed in.
    let ks = [0, 1, 2, 3, 31, 32, 33, -1];
    let mut m = String::from(
        "(module (func (export \"r\") (param i32 i32 i32) (result i32)
           (i32.add (local.get 0) (i32.shl (local.get 1) (local.get 2))))\n",
    );
    for (n, k) in ks.iter().enumerate() {
        m += &format!(
            "(func (export \"k_{n}\") (param i32 i32) (result i32) (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const {k}))))
             (func (export \"kl_{n}\") (param i32 i32) (result i32) (i32.add (i32.shl (local.get 1) (i32.const {k})) (local.get 0)))
             (func (export \"kt_{n}\") (param i32 i32) (result i32) (local.set 0 (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const {k})))) (local.get 0))\n"
        );
    }
    let (mut s, i) = setup(&(m + ")"));
    for (n, &k) in ks.iter().enumerate() {
        for &base in I32_VALUES {
            for &x in I32_VALUES {
                let want =
                    call(&mut s, i, "r", &[Val::I32(base), Val::I32(x), Val::I32(k)]).unwrap();
                for f in ["k", "kl", "kt"] {
                    let got = call(
                        &mut s,
                        i,
                        &format!("{f}_{n}"),
                        &[Val::I32(base), Val::I32(x)],
                    )
                    .unwrap();
                    assert_eq!(got, want, "{f}: {base} + ({x} << {k})");
                }
            }
        }
    }
}
