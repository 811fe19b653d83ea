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

/// No circle between the modules of src/: each file is a module (a folder's `mod.rs` is the
/// folder's module), and module A uses module B when A names a path into B with `crate::…`
/// (`$crate::`, `crate::{…}` groups included) or `super::…`, resolved to the longest module the
/// path starts with. A module naming one of its own descendants (a folder's `mod.rs` declaring
/// or re-exporting its files) is not an edge: the folder holds them. Every other edge counts,
/// a child's `super::` to its parent included, so a parent that uses one of its children's
/// siblings' modules and is used back forms a circle like any other.
#[cfg(test)]
mod module_graph {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    fn src() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
    }

    /// Every file of src/ as (module path, text); lib.rs and main.rs are not modules.
    fn files() -> Vec<(String, String)> {
        fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, String)>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_stem().unwrap().to_string_lossy().to_string();
                let join = |n: &str| {
                    if prefix.is_empty() {
                        n.to_string()
                    } else {
                        format!("{prefix}::{n}")
                    }
                };
                if path.is_dir() {
                    walk(&path, &join(&name), out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    if prefix.is_empty() && (name == "lib" || name == "main") {
                        continue;
                    }
                    let module = if name == "mod" { prefix.to_string() } else { join(&name) };
                    out.push((module, std::fs::read_to_string(&path).unwrap()));
                }
            }
        }
        let mut out = Vec::new();
        walk(&src(), "", &mut out);
        out
    }

    /// The text without comments and string literals (so prose naming a path is no edge).
    fn code(text: &str) -> String {
        let mut out = String::new();
        for line in text.lines() {
            let mut in_str = false;
            let mut prev = ' ';
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                if !in_str && c == '/' && chars.peek() == Some(&'/') {
                    break;
                }
                if c == '"' && prev != '\\' && prev != '\'' {
                    in_str = !in_str;
                } else if !in_str {
                    out.push(c);
                }
                prev = if prev == '\\' && c == '\\' { ' ' } else { c };
            }
            out.push('\n');
        }
        out
    }

    /// Every path a text names from `root` (`crate` or `super`), with where it starts, group
    /// members expanded: `crate::a::{b::C, d}` gives `a::b::C` and `a::d`.
    fn paths(code: &str, root: &str) -> Vec<(usize, String)> {
        fn ident_path(s: &str) -> (String, &str) {
            let end = s
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(s.len());
            (s[..end].trim_end_matches(':').to_string(), &s[end..])
        }
        fn expand(prefix: &str, rest: &str, out: &mut Vec<String>) {
            let (path, after) = ident_path(rest);
            let full = match (prefix.is_empty(), path.is_empty()) {
                (true, _) => path.clone(),
                (false, true) => prefix.to_string(),
                (false, false) => format!("{prefix}::{path}"),
            };
            let consumed = &rest[..rest.len() - after.len()];
            let Some(group) = after
                .strip_prefix('{')
                .filter(|_| consumed.is_empty() || consumed.ends_with("::"))
            else {
                out.push(full);
                return;
            };
            let (mut depth, mut start) = (0usize, 0usize);
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        expand(&full, group[start..i].trim(), out);
                        return;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand(&full, group[start..i].trim(), out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        let needle = format!("{root}::");
        for (at, _) in code.match_indices(&needle) {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue; // `my_crate::`, the second `super::` of `super::super::`
            }
            let mut rest = &code[at + needle.len()..];
            let mut supers = String::new();
            while root == "super" && rest.starts_with("super::") {
                rest = &rest["super::".len()..];
                supers.push_str("super::");
            }
            let mut found = Vec::new();
            expand("", rest, &mut found);
            out.extend(found.into_iter().map(|p| (at, format!("{supers}{p}"))));
        }
        out
    }

    /// How many inline modules (`mod tests { … }`) enclose each position of a text: a `super::`
    /// there first leaves those.
    fn inline_depth(code: &str) -> impl Fn(usize) -> usize {
        let mut ranges = Vec::new();
        for (at, _) in code.match_indices("mod ") {
            let rest = &code[at + 4..];
            let name_len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(0);
            let after = rest[name_len..].trim_start();
            if name_len == 0 || !after.starts_with('{') {
                continue; // `mod name;`
            }
            let open = code.len() - after.len();
            let mut depth = 0usize;
            for (i, c) in code[open..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            ranges.push((open, open + i));
                            break;
                        }
                    }
                    _ => {}
                }
            }
        }
        move |pos| ranges.iter().filter(|(a, b)| *a < pos && pos < *b).count()
    }

    /// The module a path names: the longest module it starts with.
    fn resolve(path: &str, modules: &BTreeSet<String>) -> Option<String> {
        let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
        (1..=parts.len())
            .rev()
            .map(|n| parts[..n].join("::"))
            .find(|m| modules.contains(m))
    }

    fn parent(module: &str) -> String {
        module.rsplit_once("::").map(|(p, _)| p.to_string()).unwrap_or_default()
    }

    /// For each module of src/, the modules it uses (see the module's doc for the rule).
    fn edges_of(files: &[(String, String)]) -> BTreeMap<String, BTreeSet<String>> {
        let modules: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (module, text) in files {
            let code = code(text);
            let mut named: Vec<String> = paths(&code, "crate").into_iter().map(|(_, p)| p).collect();
            named.extend(paths(&code, "$crate").into_iter().map(|(_, p)| p));
            let inline = inline_depth(&code);
            for (at, p) in paths(&code, "super") {
                let mut rest = p.as_str();
                let mut ups = 1;
                while let Some(r) = rest.strip_prefix("super::") {
                    ups += 1;
                    rest = r;
                }
                // Inside `mod tests { … }`, the first `super::` leaves the inline module.
                let mut base = module.clone();
                for _ in 0..ups - inline(at).min(ups) {
                    base = parent(&base);
                }
                named.push(if base.is_empty() {
                    rest.to_string()
                } else {
                    format!("{base}::{rest}")
                });
            }
            let to = edges.entry(module.clone()).or_default();
            for target in named.iter().filter_map(|p| resolve(p, &modules)) {
                let descendant = target.starts_with(&format!("{module}::"));
                if target != *module && !descendant {
                    to.insert(target);
                }
            }
        }
        edges
    }

    /// A circle of modules, if any: each uses the next, the last the first.
    fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
        fn visit(
            m: &str,
            edges: &BTreeMap<String, BTreeSet<String>>,
            state: &mut BTreeMap<String, u8>,
            stack: &mut Vec<String>,
        ) -> Option<Vec<String>> {
            state.insert(m.to_string(), 1);
            stack.push(m.to_string());
            for next in edges.get(m).into_iter().flatten() {
                match state.get(next.as_str()) {
                    Some(1) => {
                        let at = stack.iter().position(|s| s == next).unwrap();
                        let mut cycle = stack[at..].to_vec();
                        cycle.push(next.clone());
                        return Some(cycle);
                    }
                    Some(_) => {}
                    None => {
                        if let Some(c) = visit(next, edges, state, stack) {
                            return Some(c);
                        }
                    }
                }
            }
            stack.pop();
            state.insert(m.to_string(), 2);
            None
        }
        let mut state = BTreeMap::new();
        for m in edges.keys() {
            if !state.contains_key(m.as_str()) {
                let mut stack = Vec::new();
                if let Some(c) = visit(m, edges, &mut state, &mut stack) {
                    return Some(c);
                }
            }
        }
        None
    }

    #[test]
    fn no_module_cycle() {
        let files = files();
        let edges = edges_of(&files);
        // The scan sees real edges (a broken scan would find none and pass).
        assert!(edges["tui::app"].contains("tui::effect"), "{edges:#?}");
        assert!(edges["store::events"].contains("store"), "{edges:#?}");
        if let Some(cycle) = find_cycle(&edges) {
            let all: Vec<String> = edges
                .iter()
                .map(|(m, to)| format!("{m} -> {}", to.iter().cloned().collect::<Vec<_>>().join(", ")))
                .collect();
            panic!(
                "modules of src/ use each other in a circle: {}\n(see `module_graph` in src/lib.rs for the rule)\nall edges:\n{}",
                cycle.join(" -> "),
                all.join("\n")
            );
        }
    }

    #[test]
    fn the_scan_resolves_groups_super_and_finds_circles() {
        let files = vec![
            (
                "a".to_string(),
                "use crate::b::{c::X, Y};\n// crate::d::z in prose\n".to_string(),
            ),
            ("b".to_string(), "use super::a::Z; let s = \"crate::d\";".to_string()),
            (
                "b::c".to_string(),
                "use super::super::d::W; use crate::{a, d::e::F};".to_string(),
            ),
            ("d".to_string(), "use crate::d::e::G; // its own child".to_string()),
            (
                "d::e".to_string(),
                "use super::Thing;\nmod tests {\n use super::*; use super::super::super::b::c;\n}".to_string(),
            ),
        ];
        let edges = edges_of(&files);
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        assert_eq!(edges["a"], set(&["b", "b::c"]));
        assert_eq!(edges["b"], set(&["a"]));
        assert_eq!(edges["b::c"], set(&["a", "d", "d::e"]));
        assert_eq!(edges["d"], set(&[]));
        assert_eq!(edges["d::e"], set(&["d", "b::c"]));
        let cycle = find_cycle(&edges).unwrap();
        assert_eq!(cycle.first(), cycle.last());
        assert!(
            cycle.contains(&"a".to_string()) && cycle.contains(&"b".to_string()),
            "{cycle:?}"
        );
        let mut acyclic = edges.clone();
        acyclic.get_mut("b").unwrap().clear();
        acyclic.get_mut("b::c").unwrap().remove("a");
        acyclic.get_mut("d::e").unwrap().remove("b::c");
        assert_eq!(find_cycle(&acyclic), None);
    }
}
