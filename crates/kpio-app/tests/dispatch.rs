//! The syscall dispatcher against a process-like address space (`RegionMemory`): every
//! call, bad pointers, size limits, unknown numbers and apps, and no panics on any input.

mod common;

use common::MockServices;
use kpio_app::syscall::{
    SYS_APP_GET_INFO, SYS_APP_INSTALL, SYS_APP_LAUNCH, SYS_APP_LIST, SYS_APP_TERMINATE,
    SYS_APP_UNINSTALL, encode_args,
};
use kpio_app::{
    AppDescriptor, AppState, Errno, MAX_ARGS_BYTES, MAX_PACKAGE_BYTES, RegionMemory, SliceMemory,
    UserMemory, dispatch,
};

/// 0x1000..0x3000 read-write, 0x3000..0x4000 read-only, hole, 0x8000..0x9000 read-write.
fn memory() -> RegionMemory {
    let mut m = RegionMemory::new();
    assert!(m.map(0x1000, 0x2000, true));
    assert!(m.map(0x3000, 0x1000, false));
    assert!(m.map(0x8000, 0x1000, true));
    m
}

const EFAULT: i64 = -14;

fn put(m: &mut RegionMemory, at: u64, data: &[u8]) {
    m.write(at, data).unwrap();
}

fn u64_at(m: &RegionMemory, at: u64) -> u64 {
    u64::from_le_bytes(m.bytes(at, 8).unwrap().try_into().unwrap())
}

fn install(m: &mut RegionMemory, svc: &mut MockServices, name: &str) -> u64 {
    put(m, 0x1000, name.as_bytes());
    let r = dispatch(
        SYS_APP_INSTALL,
        [0x1000, name.len() as u64, 0x2000, 0, 0, 0],
        m,
        svc,
    );
    assert_eq!(r, 0);
    u64_at(m, 0x2000)
}

#[test]
fn every_call_round_trips() {
    let mut m = memory();
    let mut svc = MockServices::default();

    let a = install(&mut m, &mut svc, "com.kpio.hello");
    let b = install(&mut m, &mut svc, "com.kpio.calc");
    assert_eq!((a, b), (1, 2));

    // AppLaunch with arguments, read from the read-only mapping.
    let blob = encode_args(&["--x", "", "ü"]).unwrap();
    let mut ro = RegionMemory::new();
    assert!(ro.map_bytes(0x3000, blob.clone(), false));
    assert!(ro.map(0x1000, 0x100, true));
    let r = dispatch(
        SYS_APP_LAUNCH,
        [a, 0x3000, blob.len() as u64, 0x1008, 0, 0],
        &mut ro,
        &mut svc,
    );
    assert_eq!(r, 0);
    let inst = u64_at(&ro, 0x1008);
    assert_eq!(svc.launched_args, [vec!["--x", "", "ü"]]);
    assert_eq!(
        svc.lifecycle.state(kpio_app::AppInstanceId(inst)),
        Some(AppState::Running)
    );

    // AppGetInfo: size query, too small, exact.
    let need = dispatch(SYS_APP_GET_INFO, [a, 0, 0, 0, 0, 0], &mut m, &mut svc);
    let expected = svc
        .registry
        .get(kpio_app::KernelAppId(a))
        .unwrap()
        .to_json();
    assert_eq!(need, expected.len() as i64);
    assert!(need > 200, "icon and all");
    let r = dispatch(
        SYS_APP_GET_INFO,
        [a, 0x1000, need as u64 - 1, 0, 0, 0],
        &mut m,
        &mut svc,
    );
    assert_eq!(r, -34, "ERANGE");
    let r = dispatch(
        SYS_APP_GET_INFO,
        [a, 0x1000, 0x2000, 0, 0, 0],
        &mut m,
        &mut svc,
    );
    assert_eq!(r, need);
    let json = m.bytes(0x1000, need as u64).unwrap();
    let desc = AppDescriptor::from_json(&json, "info").unwrap();
    assert_eq!(desc.app_id, "com.kpio.hello");

    // AppList: count, cut short, whole.
    assert_eq!(
        dispatch(SYS_APP_LIST, [0, 0, 0, 0, 0, 0], &mut m, &mut svc),
        2
    );
    put(&mut m, 0x1000, &[0xaa; 16]);
    assert_eq!(
        dispatch(SYS_APP_LIST, [0x1000, 12, 0, 0, 0, 0], &mut m, &mut svc),
        2
    );
    assert_eq!(u64_at(&m, 0x1000), 1);
    assert_eq!(m.bytes(0x1008, 8).unwrap(), [0xaa; 8], "only whole ids");
    assert_eq!(
        dispatch(SYS_APP_LIST, [0x1000, 16, 0, 0, 0, 0], &mut m, &mut svc),
        2
    );
    assert_eq!((u64_at(&m, 0x1000), u64_at(&m, 0x1008)), (1, 2));

    // AppTerminate, then AppUninstall.
    assert_eq!(
        dispatch(SYS_APP_UNINSTALL, [a, 0, 0, 0, 0, 0], &mut m, &mut svc),
        -16,
        "EBUSY while running"
    );
    assert_eq!(
        dispatch(SYS_APP_TERMINATE, [inst, 0, 0, 0, 0, 0], &mut m, &mut svc),
        0
    );
    assert_eq!(
        dispatch(SYS_APP_TERMINATE, [inst, 0, 0, 0, 0, 0], &mut m, &mut svc),
        -22,
        "EINVAL: already terminated"
    );
    assert_eq!(
        dispatch(SYS_APP_UNINSTALL, [a, 0, 0, 0, 0, 0], &mut m, &mut svc),
        0
    );
    assert_eq!(dispatch(SYS_APP_LIST, [0; 6], &mut m, &mut svc), 1);

    // Installing the same package again is EEXIST; an invalid one EINVAL.
    put(&mut m, 0x1000, b"com.kpio.calc");
    assert_eq!(
        dispatch(
            SYS_APP_INSTALL,
            [0x1000, 13, 0x2000, 0, 0, 0],
            &mut m,
            &mut svc
        ),
        -17
    );
    assert_eq!(
        dispatch(
            SYS_APP_INSTALL,
            [0x1000, 0, 0x2000, 0, 0, 0],
            &mut m,
            &mut svc
        ),
        -22
    );
}

#[test]
fn unknown_app_or_instance_is_enoent() {
    let mut m = memory();
    let mut svc = MockServices::default();
    let enoent = -Errno::ENOENT.raw() as i64;
    assert_eq!(enoent, -2);
    for (nr, args) in [
        (SYS_APP_LAUNCH, [7, 0, 0, 0x1000, 0, 0]),
        (SYS_APP_TERMINATE, [7, 0, 0, 0, 0, 0]),
        (SYS_APP_GET_INFO, [7, 0x1000, 0x100, 0, 0, 0]),
        (SYS_APP_GET_INFO, [7, 0, 0, 0, 0, 0]),
        (SYS_APP_UNINSTALL, [7, 0, 0, 0, 0, 0]),
        (SYS_APP_UNINSTALL, [0, 0, 0, 0, 0, 0]),
    ] {
        assert_eq!(dispatch(nr, args, &mut m, &mut svc), enoent, "nr {nr}");
    }
}

#[test]
fn unknown_syscall_is_enosys() {
    let mut m = memory();
    let mut svc = MockServices::default();
    for nr in [0, 1, 60, 105, 112, 1 << 40, u64::MAX] {
        assert_eq!(dispatch(nr, [0x1000; 6], &mut m, &mut svc), -38, "nr {nr}");
    }
}

#[test]
fn bad_pointers_are_efault_and_nothing_happens() {
    let mut m = memory();
    let mut svc = MockServices::default();
    assert_eq!(
        install(&mut m, &mut svc, "com.seed"),
        1,
        "so launching app 1 would work"
    );
    put(&mut m, 0x2ff0, b"com.kpio.hello..");
    // (what, ptr, len, whether 8 bytes at ptr are bad too)
    let bad: [(&str, u64, u64, bool); 6] = [
        ("past the end of a mapping", 0x8ffc, 16, true),
        ("spanning a hole", 0x3ffc, 16, true),
        ("in a hole", 0x5000, 1, true),
        ("ptr + len overflows", u64::MAX - 3, 8, true),
        ("huge length", 0x1000, u64::MAX, false),
        ("null", 0, 1, true),
    ];
    for (what, ptr, len, out_bad) in bad {
        let len_in = len.min(MAX_PACKAGE_BYTES);
        // Input pointer bad.
        let r = dispatch(
            SYS_APP_INSTALL,
            [ptr, len_in, 0x1000, 0, 0, 0],
            &mut m,
            &mut svc,
        );
        assert_eq!(r, EFAULT, "install input {what}");
        if out_bad {
            // Output pointer bad (a valid package): refused before installing.
            let r = dispatch(
                SYS_APP_INSTALL,
                [0x2ff0, 14, ptr, 0, 0, 0],
                &mut m,
                &mut svc,
            );
            assert_eq!(r, EFAULT, "install output {what}");
            let r = dispatch(SYS_APP_LAUNCH, [1, 0x1000, 0, ptr, 0, 0], &mut m, &mut svc);
            assert_eq!(r, EFAULT, "launch output {what}");
        }
        let r = dispatch(SYS_APP_LIST, [ptr, len, 0, 0, 0, 0], &mut m, &mut svc);
        assert_eq!(r, EFAULT, "list {what}");
        let r = dispatch(SYS_APP_GET_INFO, [1, ptr, len, 0, 0, 0], &mut m, &mut svc);
        assert_eq!(r, EFAULT, "info {what}");
        let r = dispatch(
            SYS_APP_LAUNCH,
            [1, ptr, len.min(MAX_ARGS_BYTES), 0x1000, 0, 0],
            &mut m,
            &mut svc,
        );
        assert_eq!(r, EFAULT, "launch args {what}");
    }
    // Output into read-only memory.
    let r = dispatch(
        SYS_APP_INSTALL,
        [0x2ff0, 14, 0x3000, 0, 0, 0],
        &mut m,
        &mut svc,
    );
    assert_eq!(r, EFAULT, "install output read-only");
    let r = dispatch(SYS_APP_LIST, [0x3000, 8, 0, 0, 0, 0], &mut m, &mut svc);
    assert_eq!(r, EFAULT, "list into read-only");

    // The checks came before the service: nothing more was installed or launched.
    assert_eq!(svc.installs, 1);
    assert_eq!(svc.registry.len(), 1);
    assert_eq!(svc.lifecycle.instances().count(), 0);
    assert!(svc.launched_args.is_empty());
}

#[test]
fn a_range_across_adjacent_mappings_is_fine() {
    let mut svc = MockServices::default();
    // The package's bytes straddle a read-write and a read-only mapping.
    let mut m = RegionMemory::new();
    assert!(m.map(0x1000, 0x1ffa, true));
    assert!(m.map_bytes(0x2ffa, b"com.ab".to_vec(), true));
    assert!(m.map_bytes(0x3000, b"cd".to_vec(), false));
    let r = dispatch(
        SYS_APP_INSTALL,
        [0x2ffa, 8, 0x1000, 0, 0, 0],
        &mut m,
        &mut svc,
    );
    assert_eq!(r, 0);
    assert_eq!(svc.registry.list().next().unwrap().app_id, "com.abcd");
}

#[test]
fn size_limits_come_before_pointer_checks() {
    let mut m = memory();
    let mut svc = MockServices::default();
    let r = dispatch(
        SYS_APP_INSTALL,
        [0x1000, MAX_PACKAGE_BYTES + 1, 0x2000, 0, 0, 0],
        &mut m,
        &mut svc,
    );
    assert_eq!(r, -(Errno::EFBIG.raw() as i64));
    let r = dispatch(
        SYS_APP_LAUNCH,
        [1, 0x1000, MAX_ARGS_BYTES + 1, 0x2000, 0, 0],
        &mut m,
        &mut svc,
    );
    assert_eq!(r, -(Errno::E2BIG.raw() as i64));
}

#[test]
fn malformed_argument_blobs_are_einval() {
    let mut m = memory();
    let mut svc = MockServices::default();
    let a = install(&mut m, &mut svc, "com.a");
    for blob in [&b"no-terminator"[..], b"\xff\xfe\0"] {
        put(&mut m, 0x1000, blob);
        let r = dispatch(
            SYS_APP_LAUNCH,
            [a, 0x1000, blob.len() as u64, 0x2000, 0, 0],
            &mut m,
            &mut svc,
        );
        assert_eq!(r, -22);
    }
    assert!(svc.launched_args.is_empty());
}

#[test]
fn slice_memory_serves_a_linear_memory_caller() {
    let mut linear = vec![0u8; 4096];
    linear[100..105].copy_from_slice(b"com.x");
    let mut svc = MockServices::default();
    let mut mem = SliceMemory::new(&mut linear);
    let r = dispatch(SYS_APP_INSTALL, [100, 5, 200, 0, 0, 0], &mut mem, &mut svc);
    assert_eq!(r, 0);
    let r = dispatch(SYS_APP_LIST, [4090, 8, 0, 0, 0, 0], &mut mem, &mut svc);
    assert_eq!(r, EFAULT);
    assert_eq!(&linear[200..208], &1u64.to_le_bytes());
}

/// A tiny deterministic generator for the no-panic sweep.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn dispatcher_never_panics_on_arbitrary_arguments() {
    let mut m = memory();
    let mut svc = MockServices::default();
    install(&mut m, &mut svc, "com.seed");
    let interesting = [
        0,
        1,
        7,
        8,
        0xfff,
        0x1000,
        0x2ff8,
        0x3000,
        0x3ff9,
        0x8000,
        0x8ff8,
        u64::MAX,
        u64::MAX - 7,
        1 << 63,
        MAX_PACKAGE_BYTES,
        MAX_ARGS_BYTES,
    ];
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..20_000 {
        let nr = 104 + xorshift(&mut s) % 10;
        let mut args = [0u64; 6];
        for a in &mut args {
            let r = xorshift(&mut s);
            *a = if r & 1 == 0 {
                interesting[(r >> 1) as usize % interesting.len()]
            } else {
                r >> (r % 64)
            };
        }
        let r = dispatch(nr, args, &mut m, &mut svc);
        assert!(r >= -4095, "nr {nr} args {args:x?} -> {r}");
    }
}
