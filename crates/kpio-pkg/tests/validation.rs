//! One test per way a package is refused, each with a real ZIP built here.

mod common;

use common::*;
use kpio_pkg::{Limits, Package, PkgError, pack_entries};

fn err(bytes: &[u8]) -> PkgError {
    Package::from_bytes(bytes).expect_err("package must be refused")
}

fn with(extra: Raw) -> Vec<u8> {
    let mut e = valid_raw("org.example.t");
    e.push(extra);
    raw_zip(&e)
}

#[test]
fn a_valid_package_is_read_whole() {
    let pkg = Package::from_bytes(&package("org.example.hello", "1.2.3", "v1")).unwrap();
    let m = &pkg.manifest;
    assert_eq!(m.id, "org.example.hello");
    assert_eq!(m.name, "App org.example.hello");
    assert_eq!(m.version, semver::Version::new(1, 2, 3));
    assert_eq!(m.entry, "app.wasm");
    assert_eq!(m.description.as_deref(), Some("test app"));
    assert_eq!(m.author.as_deref(), Some("tests"));
    assert_eq!(m.permissions.filesystem, kpio_pkg::FsAccess::ReadWrite);
    let files: Vec<&str> = pkg.files.keys().map(String::as_str).collect();
    assert_eq!(
        files,
        ["app.wasm", "manifest.toml", "resources/r-1.2.3.txt"]
    );
    let data: Vec<&str> = pkg.data.keys().map(String::as_str).collect();
    assert_eq!(data, ["note.txt"]);
    assert!(pkg.entry_bytes().starts_with(b"\0asm"));
}

#[test]
fn stored_and_deflated_entries_are_both_accepted() {
    let wasm = wasm(&echo_wat("x"));
    let bytes = raw_zip(&[
        Raw::deflated("manifest.toml", manifest("a.b", "1.0.0", "").as_bytes()),
        Raw::stored("app.wasm", &wasm),
        Raw::deflated("resources/big.txt", &vec![b'z'; 50_000]),
        Raw::stored("resources/", b""),
    ]);
    let pkg = Package::from_bytes(&bytes).unwrap();
    assert_eq!(pkg.files["resources/big.txt"].len(), 50_000);
    assert_eq!(pkg.entry_bytes(), wasm.as_slice());
}

#[test]
fn streamed_entries_with_data_descriptors_are_accepted() {
    let mut entries = vec![
        Raw::deflated("manifest.toml", manifest("a.b", "1.0.0", "").as_bytes()),
        Raw::deflated("app.wasm", &wasm(&echo_wat("x"))),
        Raw::deflated("data/a.txt", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
    ];
    for e in &mut entries {
        e.descriptor = true;
    }
    let pkg = Package::from_bytes(&raw_zip(&entries)).unwrap();
    assert_eq!(pkg.data["a.txt"].len(), 38);
}

#[test]
fn too_large_is_refused_before_parsing() {
    let bytes = vec![0xAB; 50 * 1024 * 1024 + 1];
    match err(&bytes) {
        PkgError::TooLarge { size, limit } => {
            assert_eq!(size, 50 * 1024 * 1024 + 1);
            assert_eq!(limit, 50 * 1024 * 1024);
        }
        e => panic!("{e:?}"),
    }
    // Exactly at the limit it is parsed (and is not a ZIP).
    assert!(matches!(
        err(&vec![0xAB; 50 * 1024 * 1024]),
        PkgError::BadZip { entry: None, .. }
    ));
}

#[test]
fn not_a_zip() {
    let e = err(b"this is not a zip file at all");
    assert!(matches!(e, PkgError::BadZip { entry: None, .. }), "{e:?}");
    assert!(e.to_string().contains("not a valid ZIP"), "{e}");
}

#[test]
fn data_before_the_archive_is_refused() {
    let mut bytes = b"#!/bin/sh\nexit 0\n".to_vec();
    bytes.extend(package("a.b", "1.0.0", "m"));
    let e = err(&bytes);
    assert!(matches!(e, PkgError::BadZip { entry: None, .. }), "{e:?}");
}

#[test]
fn no_manifest() {
    let bytes = pack_entries([("app.wasm", wasm(&echo_wat("m")))]).unwrap();
    let e = err(&bytes);
    assert!(matches!(e, PkgError::NoManifest), "{e:?}");
    assert_eq!(e.to_string(), "package has no manifest.toml at its root");
}

#[test]
fn bad_toml_reports_line_and_column() {
    let text = "[app]\nid = \"a.b\"\nname = \"x\nversion = \"1.0.0\"\n";
    let bytes = pack_entries([("manifest.toml", text.as_bytes().to_vec())]).unwrap();
    match err(&bytes) {
        PkgError::Toml { line, column, .. } => assert_eq!((line, column), (3, 10)),
        e => panic!("{e:?}"),
    }
}

#[test]
fn manifest_shape_errors_point_at_the_key() {
    // Missing key.
    let text = "[app]\nid = \"a.b\"\nname = \"x\"\nentry = \"app.wasm\"\n";
    let bytes = pack_entries([("manifest.toml", text.as_bytes().to_vec())]).unwrap();
    let e = err(&bytes);
    assert!(
        matches!(&e, PkgError::Toml { message, .. } if message.contains("version")),
        "{e:?}"
    );
    // Unknown key (a typo must not silently grant nothing).
    let text = format!(
        "{}\n[permisions]\ngui = true\n",
        manifest("a.b", "1.0.0", "")
    );
    let bytes = pack_entries([("manifest.toml", text.into_bytes())]).unwrap();
    let e = err(&bytes);
    match &e {
        PkgError::Toml { line, message, .. } => {
            assert_eq!(*line, 12, "{e}");
            assert!(message.contains("permisions"), "{message}");
        }
        e => panic!("{e:?}"),
    }
    // Wrong enum value.
    let bytes = pack_entries([(
        "manifest.toml",
        manifest("a.b", "1.0.0", "")
            .replace("\"read-write\"", "\"everything\"")
            .into_bytes(),
    )])
    .unwrap();
    match err(&bytes) {
        PkgError::Toml { line, message, .. } => {
            assert_eq!(line, 10);
            assert!(message.contains("everything"), "{message}");
        }
        e => panic!("{e:?}"),
    }
}

#[test]
fn invalid_values_name_the_field_and_position() {
    let cases = [
        ("version", "1.0", "1.0"),
        ("id", "Org.Example", "1.0.0"),
        ("id", "a..b", "1.0.0"),
    ];
    for (field, id_or_version, version) in cases {
        let text = if field == "version" {
            manifest("a.b", id_or_version, "")
        } else {
            manifest(id_or_version, version, "")
        };
        let bytes = pack_entries([("manifest.toml", text.into_bytes())]).unwrap();
        match err(&bytes) {
            PkgError::InvalidField {
                field: f,
                line,
                column,
                ..
            } => {
                assert_eq!(f, field);
                assert_eq!(line, if field == "id" { 2 } else { 4 });
                assert_eq!(column, if field == "id" { 6 } else { 11 });
            }
            e => panic!("{field}: {e:?}"),
        }
    }
    let bytes = pack_entries([(
        "manifest.toml",
        manifest("a.b", "1.0.0", "network = [\"ok.example\", \"bad host\"]\n").into_bytes(),
    )])
    .unwrap();
    let e = err(&bytes);
    assert!(
        matches!(
            e,
            PkgError::InvalidField {
                field: "network",
                line: 11,
                ..
            }
        ),
        "{e:?}"
    );
    let bytes = pack_entries([(
        "manifest.toml",
        manifest("a.b", "1.0.0", "memory_limit_pages = 0\n").into_bytes(),
    )])
    .unwrap();
    let e = err(&bytes);
    assert!(
        matches!(
            e,
            PkgError::InvalidField {
                field: "memory_limit_pages",
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn newer_kpio_required() {
    let text = manifest("a.b", "1.0.0", "")
        .replace("description", "min_kpio_version = \"99.0.0\"\ndescription");
    let bytes = pack_entries([("manifest.toml", text.into_bytes())]).unwrap();
    let e = err(&bytes);
    assert!(
        matches!(&e, PkgError::UnsupportedKpio { required, .. } if required == "99.0.0"),
        "{e:?}"
    );
    // The current version is fine.
    let text = manifest("a.b", "1.0.0", "").replace(
        "description",
        &format!(
            "min_kpio_version = \"{}\"\ndescription",
            kpio_pkg::KPIO_VERSION
        ),
    );
    let bytes = pack_entries([
        ("manifest.toml", text.into_bytes()),
        ("app.wasm", wasm(&echo_wat("m"))),
    ])
    .unwrap();
    Package::from_bytes(&bytes).unwrap();
}

#[test]
fn missing_entry() {
    let bytes =
        pack_entries([("manifest.toml", manifest("a.b", "1.0.0", "").into_bytes())]).unwrap();
    let e = err(&bytes);
    assert!(
        matches!(&e, PkgError::MissingEntry { path } if path == "app.wasm"),
        "{e:?}"
    );
    assert!(e.to_string().contains("\"app.wasm\""), "{e}");
}

#[test]
fn entry_not_wasm() {
    let bytes = package_with("a.b", "1.0.0", b"#!/bin/sh\necho hi\n", "", &[]);
    let e = err(&bytes);
    assert!(
        matches!(&e, PkgError::NotWasm { path } if path == "app.wasm"),
        "{e:?}"
    );
}

#[test]
fn entry_fails_engine_validation() {
    // Well-formed header, then a function body that does not type-check.
    let bad = wasm("(module (func (export \"_start\")))");
    let mut broken = bad.clone();
    broken.truncate(bad.len() - 2);
    let e = err(&package_with("a.b", "1.0.0", &broken, "", &[]));
    assert!(
        matches!(&e, PkgError::InvalidWasm { path, .. } if path == "app.wasm"),
        "{e:?}"
    );
    let ill_typed = wasm("(module (func (export \"_start\") (result i32) (i64.const 1)))");
    let e = err(&package_with("a.b", "1.0.0", &ill_typed, "", &[]));
    assert!(
        matches!(&e, PkgError::InvalidWasm { error, .. } if error.contains("invalid")),
        "{e:?}"
    );
}

#[test]
fn entry_without_start() {
    let e = err(&package_with(
        "a.b",
        "1.0.0",
        &wasm("(module (func (export \"main\")))"),
        "",
        &[],
    ));
    assert!(matches!(e, PkgError::NoStart { .. }), "{e:?}");
}

#[test]
fn names_escaping_the_package() {
    for name in [
        "../evil.txt",
        "/etc/passwd",
        "resources/../../x",
        "resources\\..\\..\\x",
        "C:/Windows/x",
        "resources/a:stream",
    ] {
        let e = err(&with(Raw::stored(name, b"x")));
        match &e {
            PkgError::PathEscape { entry, .. } => assert_eq!(entry, name),
            e => panic!("{name}: {e:?}"),
        }
        assert!(e.to_string().contains("outside"), "{e}");
    }
}

#[test]
fn malformed_names() {
    for name in [
        "resources/a\0b",
        "resources//a",
        "resources/./a",
        "resources/a\nb",
    ] {
        let e = err(&with(Raw::stored(name, b"x")));
        assert!(
            matches!(e, PkgError::BadEntryName { .. }),
            "{name:?}: {e:?}"
        );
    }
    let mut r = Raw::stored("resources/x", b"x");
    r.name = b"resources/\xff".to_vec();
    let e = err(&with(r));
    assert!(
        matches!(
            e,
            PkgError::BadEntryName {
                reason: "it is not UTF-8",
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn duplicate_entries() {
    let e = err(&with(Raw::stored("app.wasm", b"\0asm\x01\0\0\0")));
    match &e {
        PkgError::DuplicateEntry { entry, first } => {
            assert_eq!((entry.as_str(), first.as_str()), ("app.wasm", "app.wasm"));
        }
        e => panic!("{e:?}"),
    }
    assert!(e.to_string().contains("more than once"), "{e}");
    // Names equal up to letter case collide on case-insensitive file systems.
    let mut entries = valid_raw("a.b");
    entries.push(Raw::stored("resources/Logo.png", b"1"));
    entries.push(Raw::stored("resources/logo.PNG", b"2"));
    let e = err(&raw_zip(&entries));
    assert!(
        matches!(&e, PkgError::DuplicateEntry { entry, first } if entry == "resources/logo.PNG" && first == "resources/Logo.png"),
        "{e:?}"
    );
    // A directory entry and a file entry with the same name.
    let mut entries = valid_raw("a.b");
    entries.push(Raw::stored("resources/x", b"1"));
    entries.push(Raw::stored("resources/x/", b""));
    assert!(matches!(
        err(&raw_zip(&entries)),
        PkgError::DuplicateEntry { .. }
    ));
}

#[test]
fn entry_under_a_file() {
    let mut entries = valid_raw("a.b");
    entries.push(Raw::stored("resources/x", b"1"));
    entries.push(Raw::stored("resources/x/y", b"2"));
    let e = err(&raw_zip(&entries));
    assert!(
        matches!(&e, PkgError::PathConflict { entry, file } if entry == "resources/x/y" && file == "resources/x"),
        "{e:?}"
    );
}

#[test]
fn symlink_entries() {
    let mut link = Raw::stored("resources/link", b"../../../etc/passwd");
    link.external = 0o120777 << 16;
    let e = err(&with(link));
    assert!(
        matches!(&e, PkgError::Symlink { entry } if entry == "resources/link"),
        "{e:?}"
    );
}

#[test]
fn zip_bomb_by_ratio() {
    let zeros = vec![0u8; 4 * 1024 * 1024];
    let e = err(&with(Raw::deflated("resources/zeros.bin", &zeros)));
    match &e {
        PkgError::ZipBomb { entry, reason } => {
            assert_eq!(entry, "resources/zeros.bin");
            assert!(reason.contains("100:1"), "{reason}");
        }
        e => panic!("{e:?}"),
    }
    // Small highly compressible files are fine.
    Package::from_bytes(&with(Raw::deflated(
        "resources/small.bin",
        &vec![0u8; 64 * 1024],
    )))
    .unwrap();
}

#[test]
fn zip_bomb_by_total_size() {
    let mut entries = valid_raw("a.b");
    for i in 0..4 {
        entries.push(Raw::stored(&format!("resources/{i}"), &[7u8; 600]));
    }
    let limits = Limits {
        max_total_bytes: 2000,
        ..Limits::default()
    };
    let bytes = raw_zip(&entries);
    let e = Package::from_bytes_with_limits(&bytes, &limits).unwrap_err();
    assert!(
        matches!(&e, PkgError::ZipBomb { reason, .. } if reason.contains("2000")),
        "{e:?}"
    );
    // Declared sizes are checked before anything is inflated: a 300 MiB claim fails at
    // once even though the data is tiny.
    let mut lie = Raw::deflated("resources/huge", &[1, 2, 3]);
    lie.declared_size = 300 * 1024 * 1024;
    let e = err(&with(lie));
    assert!(matches!(e, PkgError::ZipBomb { .. }), "{e:?}");
}

#[test]
fn data_beyond_the_declared_size() {
    let data = vec![b'a'; 5000];
    let mut lie = Raw::deflated("resources/lie", &data);
    lie.declared_size = 100;
    let e = err(&with(lie));
    // The reader stops one byte past the declared size (our `take` limit, or the zip
    // crate's own check, which comes first and reports it as damage).
    assert!(
        matches!(&e, PkgError::BadZip { entry: Some(entry), reason } if entry == "resources/lie" && reason.contains("declared")),
        "{e:?}"
    );
    // Less data than declared is damage too.
    let mut short = Raw::stored("resources/short", b"hello");
    short.declared_size = 10;
    let e = err(&with(short));
    assert!(
        matches!(&e, PkgError::BadZip { reason, .. } if reason.contains("declares 10")),
        "{e:?}"
    );
}

#[test]
fn damaged_entry_data() {
    let mut r = Raw::stored("resources/a.txt", b"hello world");
    r.crc ^= 1;
    let e = err(&with(r));
    assert!(
        matches!(&e, PkgError::BadZip { entry: Some(entry), .. } if entry == "resources/a.txt"),
        "{e:?}"
    );
}

#[test]
fn unsupported_method_and_encryption() {
    let mut r = Raw::stored("resources/a.bz2", b"BZh91AY&SY");
    r.method = 12;
    let e = err(&with(r));
    assert!(
        matches!(&e, PkgError::UnsupportedEntry { entry, .. } if entry == "resources/a.bz2"),
        "{e:?}"
    );
    let mut r = Raw::stored("resources/secret", b"xxxxxxxxxxxxxxxx");
    r.flags |= 1;
    let e = err(&with(r));
    assert!(
        matches!(&e, PkgError::UnsupportedEntry { reason, .. } if reason.contains("encrypted")),
        "{e:?}"
    );
}

#[test]
fn entries_outside_the_layout() {
    let e = err(&with(Raw::stored("README.md", b"hi")));
    assert!(
        matches!(&e, PkgError::UnexpectedEntry { entry } if entry == "README.md"),
        "{e:?}"
    );
}

#[test]
fn icon_must_exist_and_be_small() {
    let with_icon = |icon: Option<Vec<u8>>| {
        let text = manifest("a.b", "1.0.0", "")
            .replace("description", "icon = \"resources/icon.png\"\ndescription");
        let mut files = vec![
            ("manifest.toml".to_string(), text.into_bytes()),
            ("app.wasm".to_string(), wasm(&echo_wat("m"))),
        ];
        if let Some(i) = icon {
            files.push(("resources/icon.png".into(), i));
        }
        pack_entries(files).unwrap()
    };
    let e = err(&with_icon(None));
    assert!(
        matches!(e, PkgError::MissingFile { field: "icon", .. }),
        "{e:?}"
    );
    let e = err(&with_icon(Some(vec![1; 300 * 1024])));
    assert!(matches!(e, PkgError::FileTooLarge { .. }), "{e:?}");
    let pkg = Package::from_bytes(&with_icon(Some(b"\x89PNG".to_vec()))).unwrap();
    assert_eq!(pkg.icon_bytes(), Some(&b"\x89PNG"[..]));
}

#[test]
fn too_many_entries() {
    let mut entries = valid_raw("a.b");
    for i in 0..20 {
        entries.push(Raw::stored(&format!("resources/{i}"), b"x"));
    }
    let limits = Limits {
        max_entries: 10,
        ..Limits::default()
    };
    let e = Package::from_bytes_with_limits(&raw_zip(&entries), &limits).unwrap_err();
    assert!(
        matches!(
            e,
            PkgError::TooManyEntries {
                count: 22,
                limit: 10
            }
        ),
        "{e:?}"
    );
}

#[test]
fn every_error_message_names_what_and_why() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (with(Raw::stored("../x", b"")), "\"../x\""),
        (with(Raw::stored("README", b"")), "\"README\""),
        (
            package_with("a.b", "1.0.0", b"nope", "", &[]),
            "\"app.wasm\"",
        ),
    ];
    for (bytes, needle) in cases {
        let e = err(&bytes);
        let text = e.to_string();
        assert!(text.contains(needle), "{text}");
        assert!(!e.kind().is_empty());
    }
}

#[test]
fn pack_dir_refuses_what_a_package_cannot_hold() {
    let dir = std::env::temp_dir().join(format!("kpio-pkg-pack-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("resources")).unwrap();
    assert!(matches!(
        kpio_pkg::pack_dir(&dir),
        Err(PkgError::NoManifest)
    ));
    std::fs::write(dir.join("manifest.toml"), manifest("a.b", "1.0.0", "")).unwrap();
    assert!(matches!(
        kpio_pkg::pack_dir(&dir),
        Err(PkgError::MissingEntry { .. })
    ));
    std::fs::write(dir.join("app.wasm"), b"not wasm").unwrap();
    assert!(matches!(
        kpio_pkg::pack_dir(&dir),
        Err(PkgError::NotWasm { .. })
    ));
    std::fs::write(dir.join("app.wasm"), wasm(&echo_wat("m"))).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", dir.join("resources/passwd")).unwrap();
    let e = kpio_pkg::pack_dir(&dir).unwrap_err();
    assert!(
        matches!(&e, PkgError::Io { path, message } if path.ends_with("resources/passwd") && message.contains("symbolic link")),
        "{e:?}"
    );
    std::fs::remove_file(dir.join("resources/passwd")).unwrap();
    let bytes = kpio_pkg::pack_dir(&dir).unwrap();
    Package::from_bytes(&bytes).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}
