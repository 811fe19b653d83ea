//! The record is lossless: the JSON document keeps the events' import keys (so a re-import after
//! `load` adds nothing), documents of the older version still load, and export → load → export
//! gives the same document.

use std::path::{Path, PathBuf};
use std::process::Output;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/documents")).join(name)
}

/// `debrief --db DB ARGS…`, which must succeed: its standard output.
fn ok(db: &Path, args: &[&str]) -> String {
    let out: Output = std::process::Command::new(env!("CARGO_BIN_EXE_debrief"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("DEBRIEF_DB")
        .env("DEBRIEF_AUTHOR", "tester")
        .env("TZ", "UTC")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_reimport_after_export_and_load_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let log = fixture("api.log");
    ok(&first, &["new", "Checkout errors", "--zone", "Europe/Berlin"]);
    let said = ok(&first, &["import", "-i", "1", path(&log)]);
    assert!(said.starts_with("imported 3 events"), "{said}");
    let file = dir.path().join("doc.json");
    ok(&first, &["export", "1", "--format", "json", "-o", path(&file)]);
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(doc["version"], debrief::model::document::FORMAT_VERSION);
    let keys: Vec<&str> = doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["import_key"].as_str())
        .collect();
    assert_eq!(keys.len(), 3, "{doc}");
    // Into another database, where the incident is #2.
    ok(&second, &["new", "Something else"]);
    assert_eq!(ok(&second, &["load", path(&file)]).trim(), "2");
    let said = ok(&second, &["import", "-i", "2", path(&log)]);
    assert!(said.starts_with("imported 0 events"), "{said}");
    assert!(said.contains("(3 already there)"), "{said}");
    let show = ok(&second, &["show", "2", "--json"]);
    let shown: serde_json::Value = serde_json::from_str(&show).unwrap();
    assert_eq!(shown["events"].as_array().unwrap().len(), 3);
}

/// A document of version 1 (exported before events carried their import keys) still loads, and
/// its imported events get the keys their import gave them back: a re-import adds nothing.
#[test]
fn a_version_1_document_still_loads_and_keeps_its_imports_recognisable() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let old = fixture("incident-v1.json");
    let text = std::fs::read_to_string(&old).unwrap();
    assert!(
        text.contains("\"version\": 1,") && !text.contains("import_key"),
        "the fixture is version 1"
    );
    assert_eq!(ok(&db, &["load", path(&old)]).trim(), "1");
    let show = ok(&db, &["show", "1"]);
    for want in [
        "#1 Checkout errors",
        "ERROR payment provider timeout",
        "[MITIGATED] rolled back",
        "mitigated",
    ] {
        assert!(show.contains(want), "{want:?} in {show}");
    }
    let said = ok(&db, &["import", "-i", "1", path(&fixture("api.log"))]);
    assert!(said.starts_with("imported 0 events"), "{said}");
    // Exported again, it is a document of the current version with the keys.
    let doc: serde_json::Value = serde_json::from_str(&ok(&db, &["export", "1", "--format", "json"])).unwrap();
    assert_eq!(doc["version"], debrief::model::document::FORMAT_VERSION);
    assert_eq!(doc["participants"][0]["name"], "Ana Lima");
    let keyed = doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["import_key"].is_string());
    assert_eq!(keyed.count(), 3);
}

/// export → load → export gives the same document, byte for byte: the demo (causes with
/// evidence, actions, participants, a meeting) plus an import.
#[test]
fn export_load_export_is_identical() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("a.db"), dir.path().join("b.db"));
    ok(&first, &["demo"]);
    ok(&first, &["import", "-i", "1", path(&fixture("api.log"))]);
    // A key event (#14 item 3): kept through the round trip.
    ok(
        &first,
        &["log", "-i", "1", "--key", "--at", "2026-11-24 14:10", "retries stopped"],
    );
    let exported = ok(&first, &["export", "1", "--format", "json"]);
    assert!(exported.contains("\"key\": true"), "{exported}");
    assert!(exported.contains("\"origin\": \"api.log\""), "{exported}");
    let file = dir.path().join("doc.json");
    std::fs::write(&file, &exported).unwrap();
    ok(&second, &["new", "first"]);
    ok(&second, &["new", "second"]);
    assert_eq!(ok(&second, &["load", path(&file)]).trim(), "3");
    let again = ok(&second, &["export", "3", "--format", "json"]);
    assert_eq!(again, exported);
    // And once more, from the copy.
    std::fs::write(&file, &again).unwrap();
    assert_eq!(ok(&first, &["load", path(&file)]).trim(), "2");
    assert_eq!(ok(&first, &["export", "2", "--format", "json"]), exported);
}

/// Import keys in a document are checked: a key used twice, or one that is not a clean line,
/// is refused naming the event, and nothing is loaded.
#[test]
fn bad_import_keys_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("incident-v1.json")).unwrap()).unwrap();
    doc["version"] = 2.into();
    doc["events"][1]["import_key"] = "k1".into();
    doc["events"][2]["import_key"] = "k1".into();
    let file = dir.path().join("doc.json");
    let load = |doc: &serde_json::Value| {
        std::fs::write(&file, doc.to_string()).unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_debrief"))
            .arg("--db")
            .arg(&db)
            .arg("load")
            .arg(&file)
            .output()
            .unwrap()
    };
    let out = load(&doc);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("events[1] and events[2] have the same import_key \"k1\""),
        "{err}"
    );
    doc["events"][2]["import_key"] = "k2\u{1b}[31m".into();
    let err = String::from_utf8_lossy(&load(&doc).stderr).to_string();
    assert!(err.contains("events[2].import_key: not a key"), "{err}");
    assert!(ok(&db, &["list"]).contains("No incidents yet"));
}
