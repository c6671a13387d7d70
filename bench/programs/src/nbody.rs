//! The n-body simulation from the Computer Language Benchmarks Game
//! (Sun and the four gas giants, symplectic Euler, dt = 0.01).

use core::f64::consts::PI;

const SOLAR_MASS: f64 = 4.0 * PI * PI;
const DAYS_PER_YEAR: f64 = 365.24;

#[derive(Clone, Copy)]
struct Body {
    pos: [f64; 3],
    vel: [f64; 3],
    mass: f64,
}

#[inline(always)]
fn sqrt(x: f64) -> f64 {
    // Both are the correctly rounded IEEE 754 square root, so wasm and
    // native results agree bit for bit.
    #[cfg(target_arch = "wasm32")]
    {
        unsafe extern "C" {
            safe fn sqrt(x: f64) -> f64;
        }
        sqrt(x)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        x.sqrt()
    }
}

fn bodies() -> [Body; 5] {
    let sun = Body {
        pos: [0.0; 3],
        vel: [0.0; 3],
        mass: SOLAR_MASS,
    };
    let jupiter = Body {
        pos: [
            4.841_431_442_464_72e0,
            -1.160_320_044_027_428_4e0,
            -1.036_220_444_711_231_1e-1,
        ],
        vel: [
            1.660_076_642_744_037e-3 * DAYS_PER_YEAR,
            7.699_011_184_197_404e-3 * DAYS_PER_YEAR,
            -6.904_600_169_720_63e-5 * DAYS_PER_YEAR,
        ],
        mass: 9.547_919_384_243_266e-4 * SOLAR_MASS,
    };
    let saturn = Body {
        pos: [
            8.343_366_718_244_58e0,
            4.124_798_564_124_305e0,
            -4.035_234_171_143_214e-1,
        ],
        vel: [
            -2.767_425_107_268_624e-3 * DAYS_PER_YEAR,
            4.998_528_012_349_172e-3 * DAYS_PER_YEAR,
            2.304_172_975_737_639_3e-5 * DAYS_PER_YEAR,
        ],
        mass: 2.858_859_806_661_308e-4 * SOLAR_MASS,
    };
    let uranus = Body {
        pos: [
            1.289_436_956_213_913_1e1,
            -1.511_115_140_169_863_1e1,
            -2.233_075_788_926_557_3e-1,
        ],
        vel: [
            2.964_601_375_647_616e-3 * DAYS_PER_YEAR,
            2.378_471_739_594_809_5e-3 * DAYS_PER_YEAR,
            -2.965_895_685_402_375_6e-5 * DAYS_PER_YEAR,
        ],
        mass: 4.366_244_043_351_563e-5 * SOLAR_MASS,
    };
    let neptune = Body {
        pos: [
            1.537_969_711_485_091_1e1,
            -2.591_931_460_998_796_4e1,
            1.792_587_729_503_711_8e-1,
        ],
        vel: [
            2.680_677_724_903_893_2e-3 * DAYS_PER_YEAR,
            1.628_241_700_382_423e-3 * DAYS_PER_YEAR,
            -9.515_922_545_197_159e-5 * DAYS_PER_YEAR,
        ],
        mass: 5.151_389_020_466_114_5e-5 * SOLAR_MASS,
    };
    [sun, jupiter, saturn, uranus, neptune]
}

fn offset_momentum(b: &mut [Body; 5]) {
    let mut p = [0.0f64; 3];
    for body in b.iter() {
        for (p, v) in p.iter_mut().zip(body.vel) {
            *p += v * body.mass;
        }
    }
    for (v, p) in b[0].vel.iter_mut().zip(p) {
        *v = -p / SOLAR_MASS;
    }
}

fn energy(b: &[Body; 5]) -> f64 {
    let mut e = 0.0;
    for i in 0..b.len() {
        let v = b[i].vel;
        e += 0.5 * b[i].mass * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        for j in i + 1..b.len() {
            let dx = b[i].pos[0] - b[j].pos[0];
            let dy = b[i].pos[1] - b[j].pos[1];
            let dz = b[i].pos[2] - b[j].pos[2];
            e -= b[i].mass * b[j].mass / sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    e
}

#[inline(never)]
fn advance(b: &mut [Body; 5], dt: f64) {
    for i in 0..b.len() {
        for j in i + 1..b.len() {
            let dx = b[i].pos[0] - b[j].pos[0];
            let dy = b[i].pos[1] - b[j].pos[1];
            let dz = b[i].pos[2] - b[j].pos[2];
            let d2 = dx * dx + dy * dy + dz * dz;
            let mag = dt / (d2 * sqrt(d2));
            let mj = b[j].mass * mag;
            let mi = b[i].mass * mag;
            b[i].vel[0] -= dx * mj;
            b[i].vel[1] -= dy * mj;
            b[i].vel[2] -= dz * mj;
            b[j].vel[0] += dx * mi;
            b[j].vel[1] += dy * mi;
            b[j].vel[2] += dz * mi;
        }
    }
    for body in b.iter_mut() {
        for k in 0..3 {
            body.pos[k] += dt * body.vel[k];
        }
    }
}

pub fn run(steps: u32) -> f64 {
    let mut b = bodies();
    offset_momentum(&mut b);
    for _ in 0..steps {
        advance(&mut b, 0.01);
    }
    energy(&b)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reference_energy() {
        // Published reference output of the benchmark for n = 1000.
        assert_eq!(std::format!("{:.9}", super::run(0)), "-0.169075164");
        assert_eq!(std::format!("{:.9}", super::run(1000)), "-0.169087605");
    }
}
