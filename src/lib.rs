//! debrief: a terminal console for the review that follows a critical IT outage.
#![warn(clippy::too_many_lines)]

#[cfg(not(unix))]
compile_error!("debrief is for Unix-like systems: it relies on POSIX file locks, signals and terminals");

pub mod cli;
pub mod demo;
pub mod env;
pub mod export;
pub mod import;
pub mod model;
pub mod serve;
pub mod store;
pub mod tui;
pub mod util;

/// The layers of the crate: a top-level module may use only modules of a lower layer, so the
/// data flows one way (model ← store ← import, export … ← cli, tui) and the two front ends never
/// reach into each other.
#[cfg(test)]
mod layers {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    /// Every top-level module of src/ and its layer. A new module must be placed here.
    const LAYERS: &[(&str, u8)] = &[
        ("model", 0),
        ("store", 1),
        ("util", 2),
        ("env", 2),
        ("demo", 2),
        ("import", 2),
        ("export", 2),
        ("cli", 3),
        ("tui", 3),
        // The SSH server runs consoles (tui) for the keys the access list (store) names.
        ("serve", 4),
    ];

    fn src() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
    }

    /// The top-level modules found in src/: `name.rs` files and folders (not lib.rs, main.rs).
    fn modules() -> BTreeSet<String> {
        std::fs::read_dir(src())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter_map(|p| {
                let name = p.file_stem()?.to_str()?.to_string();
                let is_mod = p.is_dir() || p.extension().is_some_and(|e| e == "rs");
                (is_mod && name != "lib" && name != "main").then_some(name)
            })
            .collect()
    }

    fn rust_files(path: &Path, into: &mut Vec<PathBuf>) {
        if path.is_dir() {
            for entry in std::fs::read_dir(path).unwrap() {
                rust_files(&entry.unwrap().path(), into);
            }
        } else if path.is_file() && path.extension().is_some_and(|e| e == "rs") {
            into.push(path.to_path_buf());
        }
    }

    /// The top-level modules a source text names as `crate::name`, `$crate::name`,
    /// `debrief::name` or inside `crate::{a, b::c}`.
    pub(super) fn named(text: &str) -> BTreeSet<String> {
        let ident = |s: &str| -> String { s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect() };
        let mut found = BTreeSet::new();
        for root in ["crate::", "debrief::"] {
            for (at, _) in text.match_indices(root) {
                let before = text[..at].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue; // `my_crate::`, `not_debrief::`
                }
                let rest = &text[at + root.len()..];
                if let Some(group) = rest.strip_prefix('{') {
                    let (mut depth, mut item_start) = (0usize, true);
                    for (i, c) in group.char_indices() {
                        match c {
                            '{' => depth += 1,
                            '}' if depth == 0 => break,
                            '}' => depth -= 1,
                            ',' if depth == 0 => item_start = true,
                            c if item_start && !c.is_whitespace() => {
                                item_start = false;
                                found.insert(ident(&group[i..]));
                            }
                            _ => {}
                        }
                    }
                } else {
                    found.insert(ident(rest));
                }
            }
        }
        found.remove("");
        found
    }

    /// For each top-level module, the other top-level modules its files name.
    fn edges() -> BTreeMap<String, BTreeSet<String>> {
        let modules = modules();
        let mut edges = BTreeMap::new();
        for m in &modules {
            let mut files = Vec::new();
            rust_files(&src().join(m), &mut files);
            rust_files(&src().join(format!("{m}.rs")), &mut files);
            let mut to = BTreeSet::new();
            for f in files {
                let text = std::fs::read_to_string(&f).unwrap();
                to.extend(named(&text).into_iter().filter(|n| n != m && modules.contains(n)));
            }
            edges.insert(m.clone(), to);
        }
        edges
    }

    #[test]
    fn every_module_of_src_has_a_layer() {
        let known: BTreeSet<String> = LAYERS.iter().map(|(m, _)| m.to_string()).collect();
        assert_eq!(
            modules(),
            known,
            "place each top-level module of src/ in LAYERS (src/lib.rs)"
        );
    }

    #[test]
    fn modules_use_only_lower_layers() {
        let layer: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
        let edges = edges();
        // The scan sees real edges (a broken scan would find none and pass).
        assert!(
            edges["tui"].contains("store") && edges["cli"].contains("export"),
            "{edges:?}"
        );
        assert!(
            edges["store"].contains("model") && edges["import"].contains("store"),
            "{edges:?}"
        );
        let wrong: Vec<String> = edges
            .iter()
            .flat_map(|(from, to)| to.iter().map(move |to| (from, to)))
            .filter(|(from, to)| layer[from.as_str()] <= layer[to.as_str()])
            .map(|(from, to)| {
                format!(
                    "{from} -> {to} (layer {} -> {})",
                    layer[from.as_str()],
                    layer[to.as_str()]
                )
            })
            .collect();
        assert!(
            wrong.is_empty(),
            "modules that use a module of their own or a higher layer: {wrong:?}; all edges: {edges:?}"
        );
    }

    #[test]
    fn the_scan_reads_paths_groups_and_macros() {
        let text = "use crate::{store::Store, cli::{A, B}};\n let x = $crate::tui::f();\n \
                    debrief::export::x(); my_crate::env::y(); crate::model::z();";
        let found: Vec<String> = named(text).into_iter().collect();
        assert_eq!(found, ["cli", "export", "model", "store", "tui"]);
    }
}
