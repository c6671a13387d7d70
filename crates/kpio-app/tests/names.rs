//! App names in the registry: names that read the same collide, names that display as
//! something else are refused, and a lookup's precedence (id, then app id, then folded
//! names) is explicit.

mod common;

use common::{add, full_desc};
use kpio_app::{AppError, AppType, KernelAppId, NameProblem, Registry};

fn register(reg: &mut Registry, app_id: &str, name: &str) -> Result<KernelAppId, AppError> {
    let id = reg.allocate_id()?;
    reg.register(full_desc(id, app_id, name, AppType::WasmApp))
}

#[test]
fn names_that_read_the_same_collide() {
    let cases = [
        ("Émile", "émile"),
        ("Caf\u{e9}", "Cafe\u{301}"),
        ("kilo", "\u{212a}ILO"),
        ("Straße", "STRASSE"),
        ("Notes", "Ｎｏｔｅｓ"),
    ];
    for (first, second) in cases {
        let mut reg = Registry::new();
        register(&mut reg, "com.first", first).unwrap();
        let err = register(&mut reg, "com.second", second).unwrap_err();
        assert!(
            matches!(&err, AppError::Exists(s) if s.contains("com.first")),
            "{first:?} vs {second:?}: {err}"
        );
        // And lookups by either spelling find the one app.
        assert_eq!(reg.find(second).unwrap().app_id, "com.first");
    }
}

#[test]
fn a_name_may_not_read_as_another_apps_id_and_back() {
    let mut reg = Registry::new();
    register(&mut reg, "org.example.notes", "Notes").unwrap();
    let err = register(&mut reg, "org.other", "ORG.EXAMPLE.NOTES").unwrap_err();
    assert!(
        matches!(&err, AppError::Exists(s) if s.contains("app id")),
        "{err}"
    );
    let err = register(&mut reg, "notes", "Something").unwrap_err();
    assert!(
        matches!(&err, AppError::Exists(s) if s.contains("name")),
        "{err}"
    );
    // An app's own name may read as its own id.
    register(&mut reg, "todo", "TODO").unwrap();
}

#[test]
fn hidden_characters_and_numbers_are_refused_with_a_typed_error() {
    let mut reg = Registry::new();
    let err = register(&mut reg, "com.spoof", "Safe\u{202e}exe.txt").unwrap_err();
    let AppError::Name(e) = &err else {
        panic!("{err}")
    };
    assert_eq!(e.field, "name");
    assert!(matches!(
        e.problem,
        NameProblem::Hidden {
            ch: '\u{202e}',
            position: 5,
            ..
        }
    ));
    assert!(err.to_string().contains("U+202E"), "{err}");
    for bad in [
        "1",
        "42",
        " Padded",
        "Padded ",
        "zero\u{200b}width",
        "a\u{2066}b",
    ] {
        let err = register(&mut reg, "com.bad", bad).unwrap_err();
        assert!(matches!(err, AppError::Name(_)), "{bad:?}: {err}");
        assert_eq!(err.errno(), kpio_app::Errno::EINVAL);
    }
    let err = register(&mut reg, "123", "Digits").unwrap_err();
    assert!(
        matches!(&err, AppError::Name(e) if e.field == "app_id" && e.problem == NameProblem::Numeric),
        "{err}"
    );
    let err = register(&mut reg, "com.x\u{202e}", "X").unwrap_err();
    assert!(
        matches!(&err, AppError::Name(e) if e.field == "app_id"),
        "{err}"
    );
    assert!(reg.is_empty());
}

#[test]
fn ids_win_over_names() {
    let mut reg = Registry::new();
    let one = add(&mut reg, "com.one", "First", AppType::WasmApp);
    let two = add(&mut reg, "com.two", "Second", AppType::WasmApp);
    assert_eq!(reg.find("1").unwrap().id, one);
    assert_eq!(reg.find("2").unwrap().id, two);
    assert_eq!(reg.find("002").unwrap().id, two);
    assert!(matches!(reg.find("3"), Err(AppError::NotFound(_))));
    assert_eq!(reg.find("com.two").unwrap().id, two);
    assert_eq!(reg.find("SECOND").unwrap().id, two);
    assert!(matches!(reg.find("third"), Err(AppError::NotFound(_))));

    // A registry written before these rules, where the name "1" shadows app 1 and two
    // apps read the same: digits still mean the id, and the ambiguous name is refused.
    let json = reg
        .to_json()
        .replace("\"First\"", "\"2\"")
        .replace("\"Second\"", "\"first\"");
    let mut old = Registry::from_json(json.as_bytes(), "test").unwrap();
    assert_eq!(
        old.find("2").unwrap().id,
        two,
        "digits are the id, never a name"
    );
    let id = old.allocate_id().unwrap();
    let mut third = full_desc(id, "com.three", "Third", AppType::WasmApp);
    old.register(third.clone()).unwrap();
    third.name = "FIRST".into();
    old.update(third).unwrap_err();
    let json = old.to_json().replace("\"Third\"", "\"First\"");
    let old = Registry::from_json(json.as_bytes(), "test").unwrap();
    let err = old.find("first").unwrap_err();
    assert!(
        matches!(&err, AppError::Ambiguous { ids, .. } if ids.len() == 2),
        "{err}"
    );
    assert!(err.to_string().contains("numeric id"), "{err}");
}

#[test]
fn an_app_that_shared_a_name_in_an_old_registry_can_still_update() {
    let mut reg = Registry::new();
    add(&mut reg, "com.a", "Same A", AppType::WasmApp);
    add(&mut reg, "com.b", "Same B", AppType::WasmApp);
    let json = reg.to_json().replace("Same B", "Same A");
    let mut old = Registry::from_json(json.as_bytes(), "test").unwrap();
    let mut b = old.get(KernelAppId(2)).unwrap().clone();
    b.version = "2.0.0".into();
    old.update(b).unwrap();
}
