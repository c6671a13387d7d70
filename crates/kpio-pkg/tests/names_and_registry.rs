//! Issue 7, defects 8, 9 and 11 at the package layer: look-alike entry names and app names,
//! ids that win over names, an exhausted id space, and a corrupt registry restored from its
//! previous generation.

mod common;

use std::sync::Arc;

use common::*;
use kpio_app::{AppError, Registry};
use kpio_pkg::{
    AppManager, CORRUPT_REGISTRY_PATH, InstallOptions, Manifest, Package, PkgError, Warning,
};
use kpio_vfs::{Backend, MountId, OpenOptions, Vfs};

fn install(m: &mut AppManager, bytes: &[u8]) -> Result<kpio_pkg::InstallOutcome, PkgError> {
    m.install(bytes, InstallOptions::accept_requested(), &mut |_| {})
}

/// A package of app `id` whose display name is `name`.
fn named(id: &str, name: &str) -> Package {
    let mut pkg = Package::from_bytes(&package(id, "1.0.0", "m")).unwrap();
    pkg.manifest.name = name.into();
    pkg
}

fn read(fs: &Arc<dyn Backend>, path: &str) -> Option<Vec<u8>> {
    let mut vfs = Vfs::with_root(Arc::clone(fs)).unwrap();
    let root = vfs.open_root(MountId(0)).unwrap();
    let h = vfs.open(root, path, &OpenOptions::read()).ok()?;
    let mut data = vec![0u8; 1 << 20];
    let n = vfs.read(h, &mut data).unwrap();
    vfs.close(h).unwrap();
    Some(data[..n].to_vec())
}

fn write(fs: &Arc<dyn Backend>, path: &str, data: &[u8]) {
    let mut vfs = Vfs::with_root(Arc::clone(fs)).unwrap();
    let root = vfs.open_root(MountId(0)).unwrap();
    let opts = OpenOptions::read_write_create().with_truncate(true);
    let h = vfs.open(root, path, &opts).unwrap();
    vfs.write(h, data).unwrap();
    vfs.close(h).unwrap();
}

// ----- defect 8 -----------------------------------------------------------------------

#[test]
fn entry_names_that_read_the_same_collide() {
    for (a, b) in [
        ("resources/É.txt", "resources/é.txt"),
        ("resources/caf\u{e9}.txt", "resources/cafe\u{301}.txt"),
        ("resources/k.txt", "resources/\u{212a}.txt"),
        ("resources/Ｄir.txt", "resources/dir.txt"),
    ] {
        let mut entries = valid_raw("a.b");
        entries.push(Raw::stored(a, b"1"));
        entries.push(Raw::stored(b, b"2"));
        let e = Package::from_bytes(&raw_zip(&entries)).unwrap_err();
        assert!(
            matches!(
                &e,
                PkgError::DuplicateEntry { .. } | PkgError::PathConflict { .. }
            ),
            "{a:?} / {b:?}: {e:?}"
        );
    }
    // The ancestor check folds too: a file "resources/X" and an entry under "resources/x/".
    let mut entries = valid_raw("a.b");
    entries.push(Raw::stored("resources/\u{212a}", b"1"));
    entries.push(Raw::stored("resources/k/inner.txt", b"2"));
    assert!(matches!(
        Package::from_bytes(&raw_zip(&entries)).unwrap_err(),
        PkgError::PathConflict { .. }
    ));
}

#[test]
fn entry_names_with_bidi_or_format_characters_are_refused() {
    for name in ["resources/evil\u{202e}txt.exe", "resources/a\u{200b}b.txt"] {
        let mut entries = valid_raw("a.b");
        entries.push(Raw::stored(name, b"1"));
        let e = Package::from_bytes(&raw_zip(&entries)).unwrap_err();
        assert!(
            matches!(e, PkgError::BadEntryName { .. }),
            "{name:?}: {e:?}"
        );
    }
}

#[test]
fn manifest_names_with_hidden_characters_or_digits_point_at_the_line() {
    for (name, needle) in [
        ("Safe\\u202Eexe", "U+202E"),
        ("a\\u2066b", "U+2066"),
        ("zero\\u200Bwidth", "U+200B"),
        (" Padded", "whitespace"),
        ("1", "number"),
    ] {
        let text = format!(
            "[app]\nid = \"a.b\"\nname = \"{name}\"\nversion = \"1.0.0\"\nentry = \"app.wasm\"\n"
        );
        let e = Manifest::parse(&text).unwrap_err();
        match &e {
            PkgError::InvalidField {
                field: "name",
                line: 3,
                reason,
                ..
            } => assert!(reason.contains(needle), "{name}: {reason}"),
            e => panic!("{name}: {e:?}"),
        }
    }
}

#[test]
fn look_alike_display_names_cannot_both_be_installed() {
    let fs = memory_fs();
    let mut m = manager(Arc::clone(&fs), &platform());
    let opts = InstallOptions::accept_requested();
    m.install_package(&named("one.app", "Émile"), opts.clone(), &mut |_| {})
        .unwrap();
    for look_alike in ["émile", "E\u{301}MILE", "one.app"] {
        let e = m
            .install_package(&named("two.app", look_alike), opts.clone(), &mut |_| {})
            .unwrap_err();
        assert!(
            matches!(&e, PkgError::App(AppError::Exists(s)) if s.contains("one.app")),
            "{look_alike:?}: {e}"
        );
    }
    // Nothing of the refused installs remains.
    assert_eq!(m.list().count(), 1);
    assert!(m.recover().unwrap().removed.is_empty());
    // A display name may not read as another app's id either.
    let e = m
        .install_package(&named("two.app", "ONE.APP"), opts, &mut |_| {})
        .unwrap_err();
    assert!(matches!(e, PkgError::App(AppError::Exists(_))), "{e}");
}

#[test]
fn numeric_keys_always_mean_the_id() {
    let fs = memory_fs();
    let mut m = manager(Arc::clone(&fs), &platform());
    let one = install(&mut m, &package("one.app", "1.0.0", "m"))
        .unwrap()
        .id;
    let two = install(&mut m, &package("two.app", "1.0.0", "m"))
        .unwrap()
        .id;
    assert_eq!(m.find("1").unwrap().id, one);
    assert_eq!(m.find("2").unwrap().id, two);
    assert!(matches!(m.find("3"), Err(PkgError::NotInstalled { .. })));
    assert_eq!(m.find("TWO.APP").unwrap().id, two);
    assert_eq!(m.find("App two.app").unwrap().id, two);
    assert_eq!(m.find("app TWO.app").unwrap().id, two);

    // A registry written before names were checked, where app 2 is called "1" and app 1
    // "3": "1" is still app 1, and "3" (no such id) is no app, not the one named "3".
    let json = String::from_utf8(read(&fs, Registry::PATH).unwrap()).unwrap();
    let json = json
        .replace("\"App two.app\"", "\"1\"")
        .replace("\"App one.app\"", "\"3\"");
    write(&fs, Registry::PATH, json.as_bytes());
    m.reload().unwrap();
    assert_eq!(m.find("1").unwrap().id, one);
    assert!(matches!(m.find("3"), Err(PkgError::NotInstalled { .. })));
}

// ----- defect 9 -----------------------------------------------------------------------

#[test]
fn an_exhausted_id_space_is_a_clear_error_and_changes_nothing() {
    let fs = memory_fs();
    let mut m = manager(Arc::clone(&fs), &platform());
    install(&mut m, &package("one.app", "1.0.0", "m")).unwrap();
    let json = String::from_utf8(read(&fs, Registry::PATH).unwrap()).unwrap();
    let at_max = json.replace("\"next_id\": 2", &format!("\"next_id\": {}", u64::MAX));
    assert_ne!(json, at_max);
    write(&fs, Registry::PATH, at_max.as_bytes());
    let before = snapshot(&fs);

    let mut m = manager(Arc::clone(&fs), &platform());
    let e = install(&mut m, &package("two.app", "1.0.0", "m")).unwrap_err();
    assert!(
        matches!(
            e,
            PkgError::App(AppError::IdsExhausted { next_id: u64::MAX })
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("no app id left"), "{e}");
    assert_eq!(snapshot(&fs), before, "nothing written");
    // Existing apps still update (an update keeps its id).
    install(&mut m, &package("one.app", "2.0.0", "m")).unwrap();
}

// ----- defect 11 ----------------------------------------------------------------------

#[test]
fn a_corrupt_registry_is_restored_from_the_previous_generation() {
    /// How the current file is damaged.
    type Damage = fn(&[u8]) -> Vec<u8>;
    let damages: [(&str, Damage); 3] = [
        ("truncated", |b| b[..b.len() / 2].to_vec()),
        ("garbage", |_| b"\x7fELF garbage".to_vec()),
        ("empty", |_| Vec::new()),
    ];
    for (what, damage) in damages {
        let fs = memory_fs();
        let mut m = manager(Arc::clone(&fs), &platform());
        let one = install(&mut m, &package("one.app", "1.0.0", "m"))
            .unwrap()
            .id;
        install(&mut m, &package("two.app", "1.0.0", "m")).unwrap();
        drop(m);
        // The previous generation knows one.app only.
        let current = read(&fs, Registry::PATH).unwrap();
        write(&fs, Registry::PATH, &damage(&current));

        let mut m = AppManager::open(Arc::clone(&fs), Arc::new(platform()))
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let warnings = m.take_warnings();
        let text: Vec<String> = warnings.iter().map(Warning::to_string).collect();
        assert!(
            matches!(&warnings[..], [Warning::RegistryRestored { kept_as: Some(k), .. }, ..] if k == CORRUPT_REGISTRY_PATH),
            "{what}: {text:?}"
        );
        assert!(
            text[0].contains("registry.json was corrupt")
                && text[0].contains(
                    "restored the previous generation from system/apps/registry.json.prev"
                ),
            "{what}: {text:?}"
        );
        // Commands work from the previous generation; two.app's directory, which that
        // generation does not know, was recovered away.
        let ids: Vec<_> = m.list().map(|d| d.app_id.clone()).collect();
        assert_eq!(ids, ["one.app"], "{what}");
        assert_eq!(m.find("one.app").unwrap().id, one);
        assert_eq!(read(&fs, CORRUPT_REGISTRY_PATH).unwrap(), damage(&current));
        install(&mut m, &package("two.app", "1.0.0", "m")).unwrap();
        drop(m);
        // Repaired: the next open has nothing to say.
        let mut m = AppManager::open(Arc::clone(&fs), Arc::new(platform())).unwrap();
        assert!(m.take_warnings().is_empty(), "{what}");
        assert_eq!(m.list().count(), 2);
    }
}

#[test]
fn both_generations_corrupt_is_an_error_naming_both_files() {
    let fs = memory_fs();
    let mut m = manager(Arc::clone(&fs), &platform());
    install(&mut m, &package("one.app", "1.0.0", "m")).unwrap();
    install(&mut m, &package("two.app", "1.0.0", "m")).unwrap();
    drop(m);
    write(&fs, Registry::PATH, b"{");
    write(&fs, Registry::PREV_PATH, b"");
    let e = AppManager::open(Arc::clone(&fs), Arc::new(platform())).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("system/apps/registry.json") && text.contains("registry.json.prev"),
        "{text}"
    );
    // Nothing was deleted on the strength of an unreadable registry.
    assert!(read(&fs, "apps/data/two.app/v1/app.wasm").is_some());
}
