//! Randomness from the CPU: RDSEED where the CPU has it (entropy straight from the
//! conditioner), else RDRAND (its DRBG). QEMU's TCG offers both with `-cpu max`; a CPU
//! with neither is refused at boot rather than handing apps predictable numbers.

use core::arch::x86_64::{__cpuid, __cpuid_count, _rdrand64_step, _rdseed64_step};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Seed,
    Rand,
}

pub fn source() -> Option<Source> {
    // CPUID leaf 7 EBX bit 18: RDSEED; leaf 1 ECX bit 30: RDRAND.
    let (max_leaf, leaf1) = (__cpuid(0).eax, __cpuid(1));
    if max_leaf >= 7 && __cpuid_count(7, 0).ebx & (1 << 18) != 0 {
        return Some(Source::Seed);
    }
    (leaf1.ecx & (1 << 30) != 0).then_some(Source::Rand)
}

#[target_feature(enable = "rdseed")]
fn rdseed() -> Option<u64> {
    let mut v = 0;
    (_rdseed64_step(&mut v) == 1).then_some(v)
}

#[target_feature(enable = "rdrand")]
fn rdrand() -> Option<u64> {
    let mut v = 0;
    (_rdrand64_step(&mut v) == 1).then_some(v)
}

impl Source {
    pub fn name(&self) -> &'static str {
        match self {
            Source::Seed => "RDSEED",
            Source::Rand => "RDRAND",
        }
    }

    /// One 64-bit value, retrying while the hardware has none ready (RDRAND may fail
    /// transiently; RDSEED more often).
    pub fn next_u64(&self) -> u64 {
        loop {
            // SAFETY: `source()` made this variant only for a CPU with the instruction, so
            // the target feature the function is compiled with is present.
            let v = unsafe {
                match self {
                    Source::Seed => rdseed(),
                    Source::Rand => rdrand(),
                }
            };
            if let Some(v) = v {
                return v;
            }
            core::hint::spin_loop();
        }
    }

    pub fn fill(&self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}
