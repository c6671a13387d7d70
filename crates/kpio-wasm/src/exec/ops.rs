//! The simple instructions' semantics, written once and expanded into both dispatch
//! backends: the portable `match` loop and the threaded handlers.
//!
//! A simple instruction touches only the frame, linear memory and `ip`. Each row is
//! `Variant { fields } => { body }`; bodies use the helper macros (`r!`, `r32!`, `f32r!`,
//! `f64r!`, `w!`, `set!`, `jump!`, `skip!`, `tri!`, `branch!`, `load!`, `store!`, defined
//! once here by `frame_helpers!`, and each backend's own `aux_a!` and `trap!`; never `ip`
//! or `fp` directly, which hygiene would resolve to the wrong place)
//! and either advance `ip` or trap *before* any side effect, so a backend may hand a
//! trapping instruction to the other to re-execute.

/// Defines the helper macros the `simple_ops` rows use, once for both backends, over the
/// backend's own `ip`, `fp`, `mem_base` and `mem_len` (named by the caller, since macro
/// hygiene would not let these definitions see its locals). `$d` is a `$` token, for the
/// inner macros' own metavariables. The backend itself defines only what differs between
/// them: `trap!` (the portable loop raises the trap; a threaded handler hands the
/// instruction back) and `aux_a!` (the first operand of the following `Aux` word).
///
/// SAFETY (for every `unsafe` in these): translated code names only slots below its frame
/// size, and `fp` points at a frame of that many slots; branch targets are instruction
/// starts inside the function's code, which never falls off its end (both checked by
/// `verify` in debug builds). Memory accesses are bounds-checked by `ea` against `mem_len`,
/// and `mem_base`/`mem_len` describe the instance's memory 0 as it is now (each backend
/// reloads them after anything that may move or resize it). Unaligned access is fine: the
/// pointers are to byte arrays.
macro_rules! frame_helpers {
    ({ $d:tt } $ip:ident, $fp:ident, $mem_base:ident, $mem_len:ident
        $(; $int_acc:ident, $float_acc:ident, $operand:ident of $base:ident)?
    ) => {
        macro_rules! r {
            $(($operand) => {
                // SAFETY: the instruction before this one computed `$operand` and passed
                // it in the accumulator (checked by `verify` in debug builds).
                unsafe { $int_acc.assume_init() }
            };)?
            ($d s:expr) => {
                // SAFETY: a slot below the frame size (see `frame_helpers`).
                unsafe { *$fp.add($d s as usize) }
            };
        }
        // These pass their operand on as tokens, not as a parsed expression, so that an
        // accumulator form's handler can tell its accumulator operand apart (see
        // `threaded`'s `accumulator_operand!`).
        macro_rules! r32 {
            ($d($d s:tt)*) => {
                r!($d($d s)*) as u32
            };
        }
        macro_rules! f32r {
            ($d($d s:tt)*) => {
                f32::from_bits(r!($d($d s)*) as u32)
            };
        }
        macro_rules! f64r {
            $(($operand) => {
                // SAFETY: as for `r!`.
                unsafe { $float_acc.assume_init() }
            };)?
            ($d($d s:tt)*) => {
                f64::from_bits(r!($d($d s)*))
            };
        }
        macro_rules! set {
            ($d dst:expr, $d v:expr) => {{
                let v: u64 = $d v;
                // SAFETY: a slot below the frame size (see `frame_helpers`).
                unsafe { *$fp.add($d dst as usize) = v }
                // The backend may also keep the result in its accumulator.
                keep_result!(v);
            }};
        }
        macro_rules! w {
            ($d dst:expr, $d v:expr) => {{
                set!($d dst, $d v);
                skip!(1);
            }};
        }
        macro_rules! jump {
            ($d off:expr) => {
                // SAFETY: a branch target inside the function's code (see `frame_helpers`).
                $ip = unsafe { $ip.offset($d off as isize) }
            };
        }
        macro_rules! skip {
            ($d n:expr) => {
                // SAFETY: stays inside the function's code (see `frame_helpers`).
                $ip = unsafe { $ip.add($d n) }
            };
        }
        macro_rules! tri {
            ($d e:expr) => {
                match $d e {
                    Ok(v) => v,
                    Err(c) => trap!(c),
                }
            };
        }
        macro_rules! branch {
            ($d cond:expr, $d off:expr) => {{
                if $d cond {
                    jump!($d off);
                } else {
                    skip!(1);
                }
            }};
        }
        macro_rules! load {
            ($d dst:expr, $d a:tt, $d off:expr, $d t:ty, $d conv:expr) => {{
                let a = tri!(ea(r!($d a), $d off, size_of::<$d t>(), $mem_len));
                // SAFETY: within memory 0 (see `frame_helpers`).
                let bytes = unsafe { *($mem_base.add(a) as *const [u8; size_of::<$d t>()]) };
                w!($d dst, $d conv(<$d t>::from_le_bytes(bytes)))
            }};
        }
        // `load!`/`store!` at a computed 32-bit address (`I32LoadAddImm` and the like).
        macro_rules! load_ea {
            ($d dst:expr, $d addr:expr, $d t:ty, $d conv:expr) => {{
                let a = tri!(ea($d addr as u64, 0, size_of::<$d t>(), $mem_len));
                // SAFETY: within memory 0 (see `frame_helpers`).
                let bytes = unsafe { *($mem_base.add(a) as *const [u8; size_of::<$d t>()]) };
                w!($d dst, $d conv(<$d t>::from_le_bytes(bytes)))
            }};
        }
        macro_rules! store_ea {
            ($d addr:expr, $d v:tt, $d t:ty) => {{
                let a = tri!(ea($d addr as u64, 0, size_of::<$d t>(), $mem_len));
                let bytes = (r!($d v) as $d t).to_le_bytes();
                // SAFETY: within memory 0 (see `frame_helpers`).
                unsafe { *($mem_base.add(a) as *mut [u8; size_of::<$d t>()]) = bytes };
                skip!(1);
            }};
        }
        macro_rules! store {
            ($d a:tt, $d v:tt, $d off:expr, $d t:ty) => {{
                let a = tri!(ea(r!($d a), $d off, size_of::<$d t>(), $mem_len));
                let bytes = (r!($d v) as $d t).to_le_bytes();
                // SAFETY: within memory 0 (see `frame_helpers`).
                unsafe { *($mem_base.add(a) as *mut [u8; size_of::<$d t>()]) = bytes };
                skip!(1);
            }};
        }
    };
}

/// Invokes `$cb! { { extra tokens } rows... }`.
macro_rules! simple_ops {
    // The accumulator rows, one at a time: each becomes its base row plus one row per
    // accumulator form, `Form { fields } [operand of Base] => { the same body }`.
    (@acc $cb:ident $extra:tt [$($done:tt)*]
        $name:ident $fields:tt [$($form:ident $operand:ident),*] => $body:block
        $($rest:tt)*
    ) => {
        simple_ops! { @acc $cb $extra [
            $($done)*
            $name $fields => $body
            $($form $fields [$operand of $name] => $body)*
        ] $($rest)* }
    };
    (@acc $cb:ident { $($extra:tt)* } [$($done:tt)*]) => {
        $cb! { { $($extra)* } $($done)* }
    };
    ($cb:ident { $($extra:tt)* }) => {
        simple_ops! { @acc $cb { $($extra)* } [
        Br { off } => { jump!(off) }
        BrTable { index, len } => {
                    let i = r32!(index).min(len);
                    skip!(1 + i as usize);
                }
        // Typed function references.
        RefAsNonNull { s } => {
                    if r!(s) == 0 {
                        trap!(TrapCode::NullReference);
                    }
                    skip!(1);
                }
        F32Load { d, a, off } => { load!(d, a, off, u32, |v: u32| v as u64) }
        I64Load8S { d, a, off } => { load!(d, a, off, i8, |v: i8| v as i64 as u64) }
        I64Load8U { d, a, off } => { load!(d, a, off, u8, |v: u8| v as u64) }
        I64Load16S { d, a, off } => { load!(d, a, off, i16, |v: i16| v as i64 as u64) }
        I64Load16U { d, a, off } => { load!(d, a, off, u16, |v: u16| v as u64) }
        I64Load32S { d, a, off } => { load!(d, a, off, i32, |v: i32| v as i64 as u64) }
        I64Load32U { d, a, off } => { load!(d, a, off, u32, |v: u32| v as u64) }
        I64Store8 { a, v, off } => { store!(a, v, off, u8) }
        I64Store16 { a, v, off } => { store!(a, v, off, u16) }
        I64Store32 { a, v, off } => { store!(a, v, off, u32) }
        I64Load8SAddImm { d, a, imm } => {
                    load_ea!(d, r32!(a).wrapping_add(imm as u32), i8, |v: i8| v as i64 as u64)
                }
        I64Load16SAddImm { d, a, imm } => {
                    load_ea!(d, r32!(a).wrapping_add(imm as u32), i16, |v: i16| v as i64 as u64)
                }
        I64Load32SAddImm { d, a, imm } => {
                    load_ea!(d, r32!(a).wrapping_add(imm as u32), i32, |v: i32| v as i64 as u64)
                }
        I32Store16AddImm { a, v, imm } => {
                    store_ea!(r32!(a).wrapping_add(imm as u32), v, u16)
                }
        I64LeS { d, a, b } => { w!(d, (r!(a) as i64 <= r!(b) as i64) as u64) }
        I64LeU { d, a, b } => { w!(d, (r!(a) <= r!(b)) as u64) }
        I64GeS { d, a, b } => { w!(d, (r!(a) as i64 >= r!(b) as i64) as u64) }
        I64GeU { d, a, b } => { w!(d, (r!(a) >= r!(b)) as u64) }
        F32Eq { d, a, b } => { w!(d, (f32r!(a) == f32r!(b)) as u64) }
        F32Ne { d, a, b } => { w!(d, (f32r!(a) != f32r!(b)) as u64) }
        F32Lt { d, a, b } => { w!(d, (f32r!(a) < f32r!(b)) as u64) }
        F32Gt { d, a, b } => { w!(d, (f32r!(a) > f32r!(b)) as u64) }
        F32Le { d, a, b } => { w!(d, (f32r!(a) <= f32r!(b)) as u64) }
        F32Ge { d, a, b } => { w!(d, (f32r!(a) >= f32r!(b)) as u64) }
        F64Eq { d, a, b } => { w!(d, (f64r!(a) == f64r!(b)) as u64) }
        F64Ne { d, a, b } => { w!(d, (f64r!(a) != f64r!(b)) as u64) }
        F64Lt { d, a, b } => { w!(d, (f64r!(a) < f64r!(b)) as u64) }
        F64Gt { d, a, b } => { w!(d, (f64r!(a) > f64r!(b)) as u64) }
        F64Le { d, a, b } => { w!(d, (f64r!(a) <= f64r!(b)) as u64) }
        F64Ge { d, a, b } => { w!(d, (f64r!(a) >= f64r!(b)) as u64) }
        I32DivS { d, a, b } => {
                    let (x, y) = (r32!(a) as i32, r32!(b) as i32);
                    if y == 0 {
                        trap!(TrapCode::IntegerDivideByZero);
                    }
                    if x == i32::MIN && y == -1 {
                        trap!(TrapCode::IntegerOverflow);
                    }
                    w!(d, (x / y) as u32 as u64)
                }
        I32DivU { d, a, b } => {
                    let y = r32!(b);
                    if y == 0 {
                        trap!(TrapCode::IntegerDivideByZero);
                    }
                    w!(d, (r32!(a) / y) as u64)
                }
        I32RemS { d, a, b } => {
                    let (x, y) = (r32!(a) as i32, r32!(b) as i32);
                    if y == 0 {
                        trap!(TrapCode::IntegerDivideByZero);
                    }
                    w!(d, x.wrapping_rem(y) as u32 as u64)
                }
        I32RemU { d, a, b } => {
                    let y = r32!(b);
                    if y == 0 {
                        trap!(TrapCode::IntegerDivideByZero);
                    }
                    w!(d, (r32!(a) % y) as u64)
                }
        I32Rotr { d, a, b } => { w!(d, r32!(a).rotate_right(r32!(b) % 32) as u64) }
        I64Clz { d, s } => { w!(d, r!(s).leading_zeros() as u64) }
        I64Ctz { d, s } => { w!(d, r!(s).trailing_zeros() as u64) }
        I64DivS { d, a, b } => {
                    let (x, y) = (r!(a) as i64, r!(b) as i64);
                    if y == 0 {
                        trap!(TrapCode::IntegerDivideByZero);
                    }
                    if x == i64::MIN && y == -1 {
                        trap!(TrapCode::IntegerOverflow);
                    }
                    w!(d, (x / y) as u64)
                }
        I64DivU { d, a, b } => {
                    let y = r!(b);
                    if y == 0 {
                        trap!(TrapCode::IntegerDivideByZero);
                    }
                    w!(d, r!(a) / y)
                }
        I64RemS { d, a, b } => {
                    let (x, y) = (r!(a) as i64, r!(b) as i64);
                    if y == 0 {
                        trap!(TrapCode::IntegerDivideByZero);
                    }
                    w!(d, x.wrapping_rem(y) as u64)
                }
        I64RemU { d, a, b } => {
                    let y = r!(b);
                    if y == 0 {
                        trap!(TrapCode::IntegerDivideByZero);
                    }
                    w!(d, r!(a) % y)
                }
        I64Rotr { d, a, b } => { w!(d, r!(a).rotate_right((r!(b) % 64) as u32)) }
        F32Abs { d, s } => { w!(d, (r32!(s) & 0x7fff_ffff) as u64) }
        F32Neg { d, s } => { w!(d, (r32!(s) ^ 0x8000_0000) as u64) }
        F32Ceil { d, s } => { w!(d, float::ceil32(f32r!(s)).to_bits() as u64) }
        F32Floor { d, s } => { w!(d, float::floor32(f32r!(s)).to_bits() as u64) }
        F32Trunc { d, s } => { w!(d, float::trunc32(f32r!(s)).to_bits() as u64) }
        F32Nearest { d, s } => { w!(d, float::nearest32(f32r!(s)).to_bits() as u64) }
        F32Sqrt { d, s } => { w!(d, float::sqrt32(f32r!(s)).to_bits() as u64) }
        F32Add { d, a, b } => { w!(d, (f32r!(a) + f32r!(b)).to_bits() as u64) }
        F32Sub { d, a, b } => { w!(d, (f32r!(a) - f32r!(b)).to_bits() as u64) }
        F32Mul { d, a, b } => { w!(d, (f32r!(a) * f32r!(b)).to_bits() as u64) }
        F32Div { d, a, b } => { w!(d, (f32r!(a) / f32r!(b)).to_bits() as u64) }
        F32Min { d, a, b } => {
                    w!(d, float::min32(f32r!(a), f32r!(b)).to_bits() as u64)
                }
        F32Max { d, a, b } => {
                    w!(d, float::max32(f32r!(a), f32r!(b)).to_bits() as u64)
                }
        F32Copysign { d, a, b } => {
                    w!(
                        d,
                        ((r32!(a) & 0x7fff_ffff) | (r32!(b) & 0x8000_0000)) as u64
                    )
                }
        F64Ceil { d, s } => { w!(d, float::ceil64(f64r!(s)).to_bits()) }
        F64Floor { d, s } => { w!(d, float::floor64(f64r!(s)).to_bits()) }
        F64Trunc { d, s } => { w!(d, float::trunc64(f64r!(s)).to_bits()) }
        F64Nearest { d, s } => { w!(d, float::nearest64(f64r!(s)).to_bits()) }
        F64Min { d, a, b } => { w!(d, float::min64(f64r!(a), f64r!(b)).to_bits()) }
        F64Max { d, a, b } => { w!(d, float::max64(f64r!(a), f64r!(b)).to_bits()) }
        F64Copysign { d, a, b } => {
                    w!(
                        d,
                        (r!(a) & 0x7fff_ffff_ffff_ffff) | (r!(b) & 0x8000_0000_0000_0000)
                    )
                }
        I32TruncF32S { d, s } => {
                    w!(d, tri!(float::i32_trunc_f32(f32r!(s))) as u32 as u64)
                }
        I32TruncF32U { d, s } => { w!(d, tri!(float::u32_trunc_f32(f32r!(s))) as u64) }
        I32TruncF64S { d, s } => {
                    w!(d, tri!(float::i32_trunc_f64(f64r!(s))) as u32 as u64)
                }
        I32TruncF64U { d, s } => { w!(d, tri!(float::u32_trunc_f64(f64r!(s))) as u64) }
        I64TruncF32S { d, s } => { w!(d, tri!(float::i64_trunc_f32(f32r!(s))) as u64) }
        I64TruncF32U { d, s } => { w!(d, tri!(float::u64_trunc_f32(f32r!(s)))) }
        I64TruncF64S { d, s } => { w!(d, tri!(float::i64_trunc_f64(f64r!(s))) as u64) }
        I64TruncF64U { d, s } => { w!(d, tri!(float::u64_trunc_f64(f64r!(s)))) }
        F32ConvertI32S { d, s } => { w!(d, (r32!(s) as i32 as f32).to_bits() as u64) }
        F32ConvertI32U { d, s } => { w!(d, (r32!(s) as f32).to_bits() as u64) }
        F32ConvertI64S { d, s } => { w!(d, (r!(s) as i64 as f32).to_bits() as u64) }
        F32ConvertI64U { d, s } => { w!(d, (r!(s) as f32).to_bits() as u64) }
        F32DemoteF64 { d, s } => { w!(d, (f64r!(s) as f32).to_bits() as u64) }
        F64ConvertI32U { d, s } => { w!(d, (r32!(s) as f64).to_bits()) }
        F64ConvertI64U { d, s } => { w!(d, (r!(s) as f64).to_bits()) }
        F64PromoteF32 { d, s } => { w!(d, (f32r!(s) as f64).to_bits()) }
        I32Extend8S { d, s } => { w!(d, r!(s) as i8 as i32 as u32 as u64) }
        I32Extend16S { d, s } => { w!(d, r!(s) as i16 as i32 as u32 as u64) }
        I64Extend8S { d, s } => { w!(d, r!(s) as i8 as i64 as u64) }
        I64Extend16S { d, s } => { w!(d, r!(s) as i16 as i64 as u64) }
        I64Extend32S { d, s } => { w!(d, r!(s) as i32 as i64 as u64) }
        I32TruncSatF32S { d, s } => { w!(d, f32r!(s) as i32 as u32 as u64) }
        I32TruncSatF32U { d, s } => { w!(d, f32r!(s) as u32 as u64) }
        I32TruncSatF64S { d, s } => { w!(d, f64r!(s) as i32 as u32 as u64) }
        I32TruncSatF64U { d, s } => { w!(d, f64r!(s) as u32 as u64) }
        I64TruncSatF32S { d, s } => { w!(d, f32r!(s) as i64 as u64) }
        I64TruncSatF32U { d, s } => { w!(d, f32r!(s) as u64) }
        I64TruncSatF64S { d, s } => { w!(d, f64r!(s) as i64 as u64) }
        I64TruncSatF64U { d, s } => { w!(d, f64r!(s) as u64) }
        ]
        // Rows with accumulator forms (see `translate::accumulator`): `[Form operand, ..]`
        // names, for each form, the operand it takes from the accumulator.
        BrIfNez { c, off } [BrIfNezAccC c] => { branch!(r32!(c) != 0, off) }
        BrIfEqz { c, off } [BrIfEqzAccC c] => { branch!(r32!(c) == 0, off) }
        BrI64Nez { c, off } [BrI64NezAccC c] => { branch!(r!(c) != 0, off) }
        BrI64Eqz { c, off } [BrI64EqzAccC c] => { branch!(r!(c) == 0, off) }
        BrI32Eq { a, b, off } [BrI32EqAccA a, BrI32EqAccB b] => { branch!(r32!(a) == r32!(b), off) }
        BrI32Ne { a, b, off } [BrI32NeAccA a, BrI32NeAccB b] => { branch!(r32!(a) != r32!(b), off) }
        BrI32LtS { a, b, off } [BrI32LtSAccA a, BrI32LtSAccB b] => { branch!((r32!(a) as i32) < r32!(b) as i32, off) }
        BrI32LtU { a, b, off } [BrI32LtUAccA a, BrI32LtUAccB b] => { branch!(r32!(a) < r32!(b), off) }
        BrI32GtS { a, b, off } [BrI32GtSAccA a, BrI32GtSAccB b] => { branch!(r32!(a) as i32 > r32!(b) as i32, off) }
        BrI32GtU { a, b, off } [BrI32GtUAccA a, BrI32GtUAccB b] => { branch!(r32!(a) > r32!(b), off) }
        BrI32LeS { a, b, off } [BrI32LeSAccA a, BrI32LeSAccB b] => { branch!(r32!(a) as i32 <= r32!(b) as i32, off) }
        BrI32LeU { a, b, off } [BrI32LeUAccA a, BrI32LeUAccB b] => { branch!(r32!(a) <= r32!(b), off) }
        BrI32GeS { a, b, off } [BrI32GeSAccA a, BrI32GeSAccB b] => { branch!(r32!(a) as i32 >= r32!(b) as i32, off) }
        BrI32GeU { a, b, off } [BrI32GeUAccA a, BrI32GeUAccB b] => { branch!(r32!(a) >= r32!(b), off) }
        BrI64Eq { a, b, off } [BrI64EqAccA a, BrI64EqAccB b] => { branch!(r!(a) == r!(b), off) }
        BrI64Ne { a, b, off } [BrI64NeAccA a, BrI64NeAccB b] => { branch!(r!(a) != r!(b), off) }
        BrI64LtS { a, b, off } [BrI64LtSAccA a, BrI64LtSAccB b] => { branch!((r!(a) as i64) < r!(b) as i64, off) }
        BrI64LtU { a, b, off } [BrI64LtUAccA a, BrI64LtUAccB b] => { branch!(r!(a) < r!(b), off) }
        BrI64GtS { a, b, off } [BrI64GtSAccA a, BrI64GtSAccB b] => { branch!(r!(a) as i64 > r!(b) as i64, off) }
        BrI64GtU { a, b, off } [BrI64GtUAccA a, BrI64GtUAccB b] => { branch!(r!(a) > r!(b), off) }
        BrI64LeS { a, b, off } [BrI64LeSAccA a, BrI64LeSAccB b] => { branch!(r!(a) as i64 <= r!(b) as i64, off) }
        BrI64LeU { a, b, off } [BrI64LeUAccA a, BrI64LeUAccB b] => { branch!(r!(a) <= r!(b), off) }
        BrI64GeS { a, b, off } [BrI64GeSAccA a, BrI64GeSAccB b] => { branch!(r!(a) as i64 >= r!(b) as i64, off) }
        BrI64GeU { a, b, off } [BrI64GeUAccA a, BrI64GeUAccB b] => { branch!(r!(a) >= r!(b), off) }
        Copy { d, s } [CopyAccS s] => { w!(d, r!(s)) }
        I32Load { d, a, off } [I32LoadAccA a] => { load!(d, a, off, u32, |v: u32| v as u64) }
        I64Load { d, a, off } [I64LoadAccA a] => { load!(d, a, off, u64, |v: u64| v) }
        F64Load { d, a, off } [F64LoadAccA a] => { load!(d, a, off, u64, |v: u64| v) }
        I32Load8S { d, a, off } [I32Load8SAccA a] => {
                    load!(d, a, off, i8, |v: i8| v as i32 as u32 as u64)
                }
        I32Load8U { d, a, off } [I32Load8UAccA a] => { load!(d, a, off, u8, |v: u8| v as u64) }
        I32Load16S { d, a, off } [I32Load16SAccA a] => {
                    load!(d, a, off, i16, |v: i16| v as i32 as u32 as u64)
                }
        I32Load16U { d, a, off } [I32Load16UAccA a] => { load!(d, a, off, u16, |v: u16| v as u64) }
        I32Store { a, v, off } [I32StoreAccA a, I32StoreAccV v] => { store!(a, v, off, u32) }
        I64Store { a, v, off } [I64StoreAccA a, I64StoreAccV v] => { store!(a, v, off, u64) }
        I32Store8 { a, v, off } [I32Store8AccA a, I32Store8AccV v] => { store!(a, v, off, u8) }
        I32Store16 { a, v, off } [I32Store16AccV v] => { store!(a, v, off, u16) }
        I32AddImm { d, a, imm } [I32AddImmAccA a] => { w!(d, r32!(a).wrapping_add(imm as u32) as u64) }
        I32MulImm { d, a, imm } [I32MulImmAccA a] => { w!(d, r32!(a).wrapping_mul(imm as u32) as u64) }
        I32AndImm { d, a, imm } [I32AndImmAccA a] => { w!(d, (r32!(a) & imm as u32) as u64) }
        I32OrImm { d, a, imm } [I32OrImmAccA a] => { w!(d, (r32!(a) | imm as u32) as u64) }
        I32XorImm { d, a, imm } [I32XorImmAccA a] => { w!(d, (r32!(a) ^ imm as u32) as u64) }
        I32ShlImm { d, a, imm } [I32ShlImmAccA a] => { w!(d, r32!(a).wrapping_shl(imm as u32) as u64) }
        I32ShrSImm { d, a, imm } [I32ShrSImmAccA a] => {
                    w!(d, (r32!(a) as i32).wrapping_shr(imm as u32) as u32 as u64)
                }
        I32ShrUImm { d, a, imm } [I32ShrUImmAccA a] => { w!(d, r32!(a).wrapping_shr(imm as u32) as u64) }
        I32RotlImm { d, a, imm } [I32RotlImmAccA a] => { w!(d, r32!(a).rotate_left(imm as u32) as u64) }
        I64AddImm { d, a, imm } [I64AddImmAccA a] => { w!(d, r!(a).wrapping_add(imm as i64 as u64)) }
        I64MulImm { d, a, imm } [I64MulImmAccA a] => { w!(d, r!(a).wrapping_mul(imm as i64 as u64)) }
        I64AndImm { d, a, imm } [I64AndImmAccA a] => { w!(d, r!(a) & imm as i64 as u64) }
        I64OrImm { d, a, imm } [I64OrImmAccA a] => { w!(d, r!(a) | imm as i64 as u64) }
        I64XorImm { d, a, imm } [I64XorImmAccA a] => { w!(d, r!(a) ^ imm as i64 as u64) }
        I64ShlImm { d, a, imm } [I64ShlImmAccA a] => { w!(d, r!(a).wrapping_shl(imm as u32)) }
        I64ShrSImm { d, a, imm } [I64ShrSImmAccA a] => {
                    w!(d, (r!(a) as i64).wrapping_shr(imm as u32) as u64)
                }
        I64ShrUImm { d, a, imm } [I64ShrUImmAccA a] => { w!(d, r!(a).wrapping_shr(imm as u32)) }
        I64RotlImm { d, a, imm } [I64RotlImmAccA a] => { w!(d, r!(a).rotate_left(imm as u32)) }
        I32AddShl { k, d, a, b } [I32AddShlAccA a, I32AddShlAccB b] => { w!(d, r32!(a).wrapping_add(r32!(b) << k) as u64) }
        I32LoadAddImm { d, a, imm } [I32LoadAddImmAccA a] => {
                    load_ea!(d, r32!(a).wrapping_add(imm as u32), u32, |v: u32| v as u64)
                }
        I64LoadAddImm { d, a, imm } [I64LoadAddImmAccA a] => {
                    load_ea!(d, r32!(a).wrapping_add(imm as u32), u64, |v: u64| v)
                }
        I32Load8SAddImm { d, a, imm } [I32Load8SAddImmAccA a] => {
                    load_ea!(d, r32!(a).wrapping_add(imm as u32), i8, |v: i8| v as i32 as u32 as u64)
                }
        I32Load8UAddImm { d, a, imm } [I32Load8UAddImmAccA a] => {
                    load_ea!(d, r32!(a).wrapping_add(imm as u32), u8, |v: u8| v as u64)
                }
        I32Load16SAddImm { d, a, imm } [I32Load16SAddImmAccA a] => {
                    load_ea!(d, r32!(a).wrapping_add(imm as u32), i16, |v: i16| v as i32 as u32 as u64)
                }
        I32Load16UAddImm { d, a, imm } [I32Load16UAddImmAccA a] => {
                    load_ea!(d, r32!(a).wrapping_add(imm as u32), u16, |v: u16| v as u64)
                }
        I32StoreAddImm { a, v, imm } [I32StoreAddImmAccA a, I32StoreAddImmAccV v] => { store_ea!(r32!(a).wrapping_add(imm as u32), v, u32) }
        I64StoreAddImm { a, v, imm } [I64StoreAddImmAccA a, I64StoreAddImmAccV v] => { store_ea!(r32!(a).wrapping_add(imm as u32), v, u64) }
        I32Store8AddImm { a, v, imm } [I32Store8AddImmAccA a, I32Store8AddImmAccV v] => { store_ea!(r32!(a).wrapping_add(imm as u32), v, u8) }
        I32Eqz { d, s } [I32EqzAccS s] => { w!(d, (r32!(s) == 0) as u64) }
        I64Eqz { d, s } [I64EqzAccS s] => { w!(d, (r!(s) == 0) as u64) }
        I32Add { d, a, b } [I32AddAccA a, I32AddAccB b] => { w!(d, r32!(a).wrapping_add(r32!(b)) as u64) }
        I32Sub { d, a, b } [I32SubAccA a, I32SubAccB b] => { w!(d, r32!(a).wrapping_sub(r32!(b)) as u64) }
        I32Mul { d, a, b } [I32MulAccA a, I32MulAccB b] => { w!(d, r32!(a).wrapping_mul(r32!(b)) as u64) }
        I32And { d, a, b } [I32AndAccA a, I32AndAccB b] => { w!(d, (r32!(a) & r32!(b)) as u64) }
        I32Or { d, a, b } [I32OrAccA a, I32OrAccB b] => { w!(d, (r32!(a) | r32!(b)) as u64) }
        I32Xor { d, a, b } [I32XorAccA a, I32XorAccB b] => { w!(d, (r32!(a) ^ r32!(b)) as u64) }
        I32Shl { d, a, b } [I32ShlAccA a, I32ShlAccB b] => { w!(d, r32!(a).wrapping_shl(r32!(b)) as u64) }
        I32ShrS { d, a, b } [I32ShrSAccA a, I32ShrSAccB b] => {
                    w!(d, (r32!(a) as i32).wrapping_shr(r32!(b)) as u32 as u64)
                }
        I32ShrU { d, a, b } [I32ShrUAccA a, I32ShrUAccB b] => { w!(d, r32!(a).wrapping_shr(r32!(b)) as u64) }
        I32Rotl { d, a, b } [I32RotlAccA a, I32RotlAccB b] => { w!(d, r32!(a).rotate_left(r32!(b) % 32) as u64) }
        I64Add { d, a, b } [I64AddAccA a, I64AddAccB b] => { w!(d, r!(a).wrapping_add(r!(b))) }
        I64Sub { d, a, b } [I64SubAccA a, I64SubAccB b] => { w!(d, r!(a).wrapping_sub(r!(b))) }
        I64Mul { d, a, b } [I64MulAccA a, I64MulAccB b] => { w!(d, r!(a).wrapping_mul(r!(b))) }
        I64And { d, a, b } [I64AndAccA a, I64AndAccB b] => { w!(d, r!(a) & r!(b)) }
        I64Or { d, a, b } [I64OrAccA a, I64OrAccB b] => { w!(d, r!(a) | r!(b)) }
        I64Xor { d, a, b } [I64XorAccA a, I64XorAccB b] => { w!(d, r!(a) ^ r!(b)) }
        I64Shl { d, a, b } [I64ShlAccA a, I64ShlAccB b] => { w!(d, r!(a).wrapping_shl(r!(b) as u32)) }
        I64ShrS { d, a, b } [I64ShrSAccA a, I64ShrSAccB b] => {
                    w!(d, (r!(a) as i64).wrapping_shr(r!(b) as u32) as u64)
                }
        I64ShrU { d, a, b } [I64ShrUAccA a, I64ShrUAccB b] => { w!(d, r!(a).wrapping_shr(r!(b) as u32)) }
        I64Rotl { d, a, b } [I64RotlAccA a, I64RotlAccB b] => { w!(d, r!(a).rotate_left((r!(b) % 64) as u32)) }
        F64Abs { d, s } [F64AbsAccS s] => { w!(d, r!(s) & 0x7fff_ffff_ffff_ffff) }
        F64Neg { d, s } [F64NegAccS s] => { w!(d, r!(s) ^ 0x8000_0000_0000_0000) }
        F64Sqrt { d, s } [F64SqrtAccS s] => { w!(d, float::sqrt64(f64r!(s)).to_bits()) }
        F64Add { d, a, b } [F64AddAccA a, F64AddAccB b] => { w!(d, (f64r!(a) + f64r!(b)).to_bits()) }
        F64Sub { d, a, b } [F64SubAccA a, F64SubAccB b] => { w!(d, (f64r!(a) - f64r!(b)).to_bits()) }
        F64Mul { d, a, b } [F64MulAccA a, F64MulAccB b] => { w!(d, (f64r!(a) * f64r!(b)).to_bits()) }
        F64Div { d, a, b } [F64DivAccA a, F64DivAccB b] => { w!(d, (f64r!(a) / f64r!(b)).to_bits()) }
        I64ExtendI32S { d, s } [I64ExtendI32SAccS s] => { w!(d, r32!(s) as i32 as i64 as u64) }
        I64ExtendI32U { d, s } [I64ExtendI32UAccS s] => { w!(d, r32!(s) as u64) }
        F64ConvertI32S { d, s } [F64ConvertI32SAccS s] => { w!(d, (r32!(s) as i32 as f64).to_bits()) }
        F64ConvertI64S { d, s } [F64ConvertI64SAccS s] => { w!(d, (r!(s) as i64 as f64).to_bits()) }
        I32Eq { d, a, b } [I32EqAccA a, I32EqAccB b] => { w!(d, (r32!(a) == r32!(b)) as u64) }
        I32Ne { d, a, b } [I32NeAccA a, I32NeAccB b] => { w!(d, (r32!(a) != r32!(b)) as u64) }
        I32LtS { d, a, b } [I32LtSAccA a, I32LtSAccB b] => { w!(d, ((r32!(a) as i32) < r32!(b) as i32) as u64) }
        I32LtU { d, a, b } [I32LtUAccA a, I32LtUAccB b] => { w!(d, (r32!(a) < r32!(b)) as u64) }
        I32GtS { d, a, b } [I32GtSAccA a, I32GtSAccB b] => { w!(d, (r32!(a) as i32 > r32!(b) as i32) as u64) }
        I32GtU { d, a, b } [I32GtUAccA a, I32GtUAccB b] => { w!(d, (r32!(a) > r32!(b)) as u64) }
        I32LeS { d, a, b } [I32LeSAccA a, I32LeSAccB b] => { w!(d, (r32!(a) as i32 <= r32!(b) as i32) as u64) }
        I32LeU { d, a, b } [I32LeUAccA a, I32LeUAccB b] => { w!(d, (r32!(a) <= r32!(b)) as u64) }
        I32GeS { d, a, b } [I32GeSAccA a, I32GeSAccB b] => { w!(d, (r32!(a) as i32 >= r32!(b) as i32) as u64) }
        I32GeU { d, a, b } [I32GeUAccA a, I32GeUAccB b] => { w!(d, (r32!(a) >= r32!(b)) as u64) }
        I64Eq { d, a, b } [I64EqAccA a, I64EqAccB b] => { w!(d, (r!(a) == r!(b)) as u64) }
        I64Ne { d, a, b } [I64NeAccA a, I64NeAccB b] => { w!(d, (r!(a) != r!(b)) as u64) }
        I64LtS { d, a, b } [I64LtSAccA a, I64LtSAccB b] => { w!(d, ((r!(a) as i64) < r!(b) as i64) as u64) }
        I64LtU { d, a, b } [I64LtUAccA a, I64LtUAccB b] => { w!(d, (r!(a) < r!(b)) as u64) }
        I64GtS { d, a, b } [I64GtSAccA a, I64GtSAccB b] => { w!(d, (r!(a) as i64 > r!(b) as i64) as u64) }
        I64GtU { d, a, b } [I64GtUAccA a, I64GtUAccB b] => { w!(d, (r!(a) > r!(b)) as u64) }
        I32Clz { d, s } [I32ClzAccS s] => { w!(d, r32!(s).leading_zeros() as u64) }
        I32Ctz { d, s } [I32CtzAccS s] => { w!(d, r32!(s).trailing_zeros() as u64) }
        I32Popcnt { d, s } [I32PopcntAccS s] => { w!(d, r32!(s).count_ones() as u64) }
        I64Popcnt { d, s } [I64PopcntAccS s] => { w!(d, r!(s).count_ones() as u64) }
        Select { d, c, a } [SelectAccC c, SelectAccA a] => {
                    let b = aux_a!();
                    set!(d, if r32!(c) != 0 { r!(a) } else { r!(b) });
                    skip!(2);
                }
        }
    };
}

pub(crate) use {frame_helpers, simple_ops};
