//! Checks the clocks and randomness the program can observe, printing verdicts only (the
//! values differ run to run).
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn random_bytes(buf: &mut [u8]) {
    #[cfg(target_os = "wasi")]
    {
        #[link(wasm_import_module = "wasi_snapshot_preview1")]
        unsafe extern "C" {
            fn random_get(buf: *mut u8, len: usize) -> u16;
        }
        assert_eq!(unsafe { random_get(buf.as_mut_ptr(), buf.len()) }, 0);
    }
    #[cfg(not(target_os = "wasi"))]
    {
        use std::io::Read;
        std::fs::File::open("/dev/urandom").unwrap().read_exact(buf).unwrap();
    }
}

fn main() {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    println!("realtime after 2020: {}", now > Duration::from_secs(1_577_836_800));
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_millis(20));
    let dt = t0.elapsed();
    println!("slept at least 20ms: {}", dt >= Duration::from_millis(20));
    println!("monotonic: {}", Instant::now() >= t0);
    let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
    random_bytes(&mut a);
    random_bytes(&mut b);
    println!("random differs: {}", a != b && a != [0; 32]);
}
