//! The documents stay true to the program: KEYS.md is the key map, and the README's command
//! table names every command.

use clap::CommandFactory;
use debrief::tui::keymap::KeyMap;
use std::path::Path;

const BLESS: &str = "DEBRIEF_BLESS";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn keys_md_is_the_default_key_map() {
    let generated = format!(
        "# debrief console keys\n\n\
         <!-- Made from assets/keymap.toml by `{BLESS}=1 cargo test --test it docs::`; do not edit by hand. -->\n\n\
         The same tables as the `?` overlay. To change a key, copy its line from \
         `assets/keymap.toml` to `$XDG_CONFIG_HOME/debrief/keymap.toml` (or \
         `$DEBRIEF_CONFIG/keymap.toml`) under the same section.\n\n{}\n\n{}",
        KeyMap::default_map().markdown_reference().trim_end(),
        debrief::tui::mouse::MARKDOWN.trim_end()
    ) + "\n";
    let path = root().join("KEYS.md");
    if std::env::var_os(BLESS).is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "KEYS.md is out of date with assets/keymap.toml; run `{BLESS}=1 cargo test --test it docs::`"
    );
}

#[test]
fn the_readme_names_every_command() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let cli = debrief::cli::Cli::command();
    let missing: Vec<String> = cli
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .filter(|name| name != "help" && !readme.contains(&format!("`debrief {name}")))
        .collect();
    assert!(missing.is_empty(), "README.md does not document: {missing:?}");
    assert!(readme.contains("KEYS.md"), "the README points to the key reference");
}

/// The integration tests stay one binary (cargo makes one of every `tests/*.rs` and
/// `tests/*/main.rs`, and links each against every dependency), and every file of tests/it is a
/// module of it (a file no `mod` names is never compiled, its tests never run).
#[test]
fn the_integration_tests_are_one_binary_that_names_every_file() {
    let tests = root().join("tests");
    let mut binaries = Vec::new();
    for entry in std::fs::read_dir(&tests).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.extension().is_some_and(|e| e == "rs") || path.join("main.rs").is_file() {
            binaries.push(name);
        }
    }
    assert_eq!(
        binaries,
        ["it"],
        "tests/ holds one test binary, tests/it: move new tests into a module of it"
    );

    let main = std::fs::read_to_string(tests.join("it/main.rs")).unwrap();
    let mut unnamed = Vec::new();
    for entry in std::fs::read_dir(tests.join("it")).unwrap() {
        let path = entry.unwrap().path();
        let module = if path.extension().is_some_and(|e| e == "rs") {
            path.file_stem().unwrap().to_string_lossy().into_owned()
        } else if path.join("mod.rs").is_file() {
            path.file_name().unwrap().to_string_lossy().into_owned()
        } else {
            continue;
        };
        if module != "main" && !main.lines().any(|l| l.trim() == format!("mod {module};")) {
            unnamed.push(module);
        }
    }
    assert!(unnamed.is_empty(), "tests/it/main.rs has no `mod` for: {unnamed:?}");
}

/// ARCHITECTURE.md is the map of src/: every folder of it is named there (as `src/PATH/`), and
/// every folder it names exists.
#[test]
fn architecture_md_names_every_folder_of_src() {
    fn folders(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && path.file_name().is_some_and(|n| n != "snapshots") {
                out.push(format!("`{}/`", path.strip_prefix(root()).unwrap().display()));
                folders(&path, out);
            }
        }
    }
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let mut found = Vec::new();
    folders(&root().join("src"), &mut found);
    assert!(found.len() > 5, "src/ has its folders: {found:?}");
    let missing: Vec<&String> = found.iter().filter(|f| !text.contains(f.as_str())).collect();
    assert!(missing.is_empty(), "ARCHITECTURE.md does not name {missing:?}");
    let named = text.split('`').filter(|t| t.starts_with("src/") && t.ends_with('/'));
    for folder in named {
        assert!(
            root().join(folder).is_dir(),
            "ARCHITECTURE.md names {folder}, which is not there"
        );
    }
}
