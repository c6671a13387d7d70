//! Every wrapper through `Direct`, i.e. through the kernel's dispatcher, plus raw calls with
//! bad pointers.

use std::cell::Cell;

use kpio_app::{
    AppDescriptor, AppError, AppInstanceId, AppServices, AppType, Errno, KernelAppId, Lifecycle,
    Permissions, Registry,
};
use kpio_userlib::{
    DIRECT_BASE, Direct, SYS_APP_GET_INFO, SYS_APP_INSTALL, SYS_APP_LIST, Syscall, app_info,
    app_info_json, app_install, app_launch, app_list, app_terminate, app_uninstall,
};

fn desc(id: KernelAppId, app_id: &str) -> AppDescriptor {
    AppDescriptor {
        id,
        app_id: app_id.into(),
        name: format!("{app_id} app"),
        version: "0.1.0".into(),
        app_type: AppType::WasmApp,
        icon: vec![1, 2, 3, 250],
        install_path: format!("/apps/data/{app_id}/v1"),
        data_path: format!("/apps/data/{app_id}/data"),
        entry: "app.wasm".into(),
        permissions: Permissions::default(),
        installed_at: 5,
        last_launched: None,
        approval: None,
    }
}

/// A "package" is the app id as text.
#[derive(Default)]
struct Services {
    registry: Registry,
    lifecycle: Lifecycle,
    args: Vec<Vec<String>>,
    /// Each `info` call makes the name longer (to exercise the ERANGE retry).
    growing: bool,
    info_calls: Cell<usize>,
}

impl AppServices for Services {
    fn install(&mut self, pkg: &[u8]) -> Result<KernelAppId, AppError> {
        let app_id = std::str::from_utf8(pkg).map_err(|_| AppError::Invalid("not UTF-8".into()))?;
        let id = self.registry.allocate_id()?;
        self.registry.register(desc(id, app_id))
    }
    fn launch(&mut self, id: KernelAppId, args: Vec<String>) -> Result<AppInstanceId, AppError> {
        self.info(id)?;
        let inst = self.lifecycle.launch(id)?;
        self.lifecycle.running(inst)?;
        self.args.push(args);
        Ok(inst)
    }
    fn terminate(&mut self, inst: AppInstanceId) -> Result<(), AppError> {
        self.lifecycle.terminate(inst)
    }
    fn info(&self, id: KernelAppId) -> Result<AppDescriptor, AppError> {
        let n = self.info_calls.get();
        self.info_calls.set(n + 1);
        let mut d = self
            .registry
            .get(id)
            .cloned()
            .ok_or_else(|| AppError::NotFound(format!("app {id}")))?;
        if self.growing {
            // Grows for the first calls, then settles.
            d.name.push_str(&"+".repeat(n.min(3)));
        }
        Ok(d)
    }
    fn list(&self) -> Vec<KernelAppId> {
        self.registry.list().map(|d| d.id).collect()
    }
    fn uninstall(&mut self, id: KernelAppId) -> Result<(), AppError> {
        self.lifecycle.forget_app(id)?;
        self.registry.unregister(id).map(|_| ())
    }
}

#[test]
fn every_wrapper_round_trips_through_the_dispatcher() {
    let mut svc = Services::default();
    let mut sys = Direct::new(&mut svc);

    let a = app_install(&mut sys, b"com.kpio.hello").unwrap();
    let b = app_install(&mut sys, b"com.kpio.calc").unwrap();
    assert_eq!((a, b), (KernelAppId(1), KernelAppId(2)));
    assert_eq!(app_install(&mut sys, b"com.kpio.hello"), Err(Errno::EEXIST));

    let i1 = app_launch(&mut sys, a, &["--verbose", "", "ünïcode"]).unwrap();
    let i2 = app_launch(&mut sys, a, &[] as &[&str]).unwrap();
    assert_ne!(i1, i2);

    let info = app_info(&mut sys, a).unwrap();
    assert_eq!(info, desc(a, "com.kpio.hello"));
    let json = app_info_json(&mut sys, b).unwrap();
    assert_eq!(json, desc(b, "com.kpio.calc").to_json());

    assert_eq!(app_list(&mut sys).unwrap(), [a, b]);

    assert_eq!(app_uninstall(&mut sys, a), Err(Errno::EBUSY));
    app_terminate(&mut sys, i1).unwrap();
    app_terminate(&mut sys, i2).unwrap();
    assert_eq!(app_terminate(&mut sys, i2), Err(Errno::EINVAL));
    app_uninstall(&mut sys, a).unwrap();
    assert_eq!(app_list(&mut sys).unwrap(), [b]);

    assert_eq!(
        svc.args,
        [
            vec!["--verbose".to_string(), String::new(), "ünïcode".into()],
            vec![]
        ]
    );
}

#[test]
fn unknown_app_or_instance_is_enoent() {
    let mut svc = Services::default();
    let mut sys = Direct::new(&mut svc);
    let ghost = KernelAppId(42);
    assert_eq!(app_info(&mut sys, ghost), Err(Errno::ENOENT));
    assert_eq!(app_launch(&mut sys, ghost, &["x"]), Err(Errno::ENOENT));
    assert_eq!(app_uninstall(&mut sys, ghost), Err(Errno::ENOENT));
    assert_eq!(
        app_terminate(&mut sys, AppInstanceId(9)),
        Err(Errno::ENOENT)
    );
    assert_eq!(app_list(&mut sys).unwrap(), []);
}

#[test]
fn many_apps_are_listed_in_order() {
    let mut svc = Services::default();
    let mut sys = Direct::new(&mut svc);
    let ids: Vec<_> = (0..300)
        .map(|i| app_install(&mut sys, format!("com.app{i}").as_bytes()).unwrap())
        .collect();
    assert_eq!(app_list(&mut sys).unwrap(), ids);
}

#[test]
fn info_retries_when_the_descriptor_grows_between_calls() {
    let mut svc = Services {
        growing: true,
        ..Services::default()
    };
    let mut sys = Direct::new(&mut svc);
    let a = app_install(&mut sys, b"com.grow").unwrap();
    let info = app_info(&mut sys, a).unwrap();
    assert_eq!(info.name, "com.grow app+++");
    drop(sys);
    assert_eq!(
        svc.info_calls.get(),
        6,
        "two rounds of query + too small, then one that fits"
    );
}

#[test]
fn wrapper_side_limits() {
    let mut svc = Services::default();
    let mut sys = Direct::new(&mut svc);
    let a = app_install(&mut sys, b"com.a").unwrap();
    assert_eq!(
        app_launch(&mut sys, a, &["nul\0inside"]),
        Err(Errno::EINVAL)
    );
    let long = "x".repeat(kpio_app::MAX_ARGS_BYTES as usize);
    assert_eq!(app_launch(&mut sys, a, &[long]), Err(Errno::E2BIG));
    let huge = vec![b'a'; kpio_app::MAX_PACKAGE_BYTES as usize + 1];
    assert_eq!(app_install(&mut sys, &huge), Err(Errno::EFBIG));
}

#[test]
fn raw_calls_with_bad_pointers_are_efault() {
    let mut svc = Services::default();
    let mut sys = Direct::new(&mut svc);
    let (buf, base) = sys.scratch(32).unwrap();
    assert_eq!(base, DIRECT_BASE);
    buf[..5].copy_from_slice(b"com.x");
    let efault = Errno::EFAULT.to_ret();
    for (ptr, len) in [
        (base + 30, 8),    // past the end of the scratch buffer
        (base - 1, 5),     // before it
        (0, 5),            // null
        (u64::MAX - 2, 5), // ptr + len overflows
        (base, u64::MAX),  // length overflows
        (base + 32, 1),    // one past the end
    ] {
        assert_eq!(
            sys.call(SYS_APP_INSTALL, [ptr, len.min(1 << 20), base + 8, 0, 0, 0]),
            efault,
            "install input {ptr:#x}+{len}"
        );
        assert_eq!(
            sys.call(SYS_APP_LIST, [ptr, len, 0, 0, 0, 0]),
            efault,
            "list {ptr:#x}+{len}"
        );
        assert_eq!(
            sys.call(SYS_APP_GET_INFO, [1, ptr, len, 0, 0, 0]),
            efault,
            "info {ptr:#x}+{len}"
        );
    }
    // Output pointer partly outside: refused before installing.
    assert_eq!(
        sys.call(SYS_APP_INSTALL, [base, 5, base + 28, 0, 0, 0]),
        efault
    );
    assert_eq!(app_list(&mut sys).unwrap(), []);
    // In bounds it works (the wrapper above reused the scratch buffer: set it up again).
    let (buf, base) = sys.scratch(32).unwrap();
    buf[..5].copy_from_slice(b"com.x");
    assert_eq!(sys.call(SYS_APP_INSTALL, [base, 5, base + 24, 0, 0, 0]), 0);
    let (buf, _) = sys.scratch(32).unwrap();
    assert_eq!(&buf[24..32], &1u64.to_le_bytes());
}

#[test]
fn unknown_syscall_is_enosys() {
    let mut svc = Services::default();
    let mut sys = Direct::new(&mut svc);
    for nr in [0, 105, 112, u64::MAX] {
        assert_eq!(sys.call(nr, [0; 6]), Errno::ENOSYS.to_ret());
        // Through the trait too.
        // SAFETY: no pointer arguments.
        assert_eq!(unsafe { sys.syscall(nr, [0; 6]) }, -38);
    }
}
