//! The house keeps its layers (README, "Layout"): the domain and storage know no HTTP, `db`
//! imports nothing above it, and no two top-level modules import each other, directly or
//! around a loop. Read from the sources, so a change that breaks a layer fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file of a module: `src/<name>.rs` or everything under `src/<name>/`.
fn files_of(module: &str) -> Vec<PathBuf> {
    let file = src().join(format!("{module}.rs"));
    if file.is_file() {
        return vec![file];
    }
    let mut found = Vec::new();
    let mut folders = vec![src().join(module)];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    found
}

/// The module's code without its comments (a doc comment may name any module).
fn code_of(module: &str) -> String {
    files_of(module)
        .iter()
        .flat_map(|path| {
            std::fs::read_to_string(path)
                .unwrap()
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules, as `lib.rs` declares them.
fn modules() -> Vec<String> {
    std::fs::read_to_string(src().join("lib.rs"))
        .unwrap()
        .lines()
        .filter_map(|line| line.strip_prefix("pub mod "))
        .map(|name| name.trim_end_matches(';').to_owned())
        .collect()
}

/// The other top-level modules that `module` names as `crate::<name>`.
fn imports_of(module: &str, all: &[String]) -> BTreeSet<String> {
    let code = code_of(module);
    code.match_indices("crate::")
        .map(|(at, _)| {
            code[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|name| name != module && all.contains(name))
        .collect()
}

const DOMAIN_AND_BELOW: [&str; 21] = [
    "accounts",
    "admin",
    "auth",
    "billing",
    "catalog",
    "certificates",
    "config",
    "content",
    "db",
    "error",
    "import",
    "learning",
    "mail",
    "media",
    "names",
    "outbox",
    "plans",
    "search",
    "tokenizer",
    "data_dir",
    "webhooks",
];

#[test]
fn the_domain_and_storage_know_no_http() {
    for module in DOMAIN_AND_BELOW {
        let code = code_of(module);
        for http in [
            "actix_web",
            "AppState",
            "HttpRequest",
            "HttpResponse",
            "crate::routes",
        ] {
            assert!(!code.contains(http), "{module} uses {http}");
        }
    }
}

#[test]
fn storage_imports_only_the_leaves() {
    let all = modules();
    let imports = imports_of("db", &all);
    let leaves: BTreeSet<String> = ["config", "names", "plans"].map(String::from).into();
    assert!(imports.is_subset(&leaves), "db imports {imports:?}");
}

#[test]
fn no_two_modules_import_each_other_even_around_a_loop() {
    let all = modules();
    let graph: BTreeMap<String, BTreeSet<String>> = all
        .iter()
        .map(|m| (m.clone(), imports_of(m, &all)))
        .collect();
    assert!(
        graph["routes"].contains("accounts"),
        "the graph is read: {graph:?}"
    );
    // Depth-first search for a back edge, reporting the loop it closes.
    fn visit(
        module: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if done.contains(module) {
            return;
        }
        if let Some(start) = path.iter().position(|m| m == module) {
            panic!("an import loop: {} -> {module}", path[start..].join(" -> "));
        }
        path.push(module.to_owned());
        for next in &graph[module] {
            visit(next, graph, path, done);
        }
        path.pop();
        done.insert(module.to_owned());
    }
    let mut done = BTreeSet::new();
    for module in &all {
        visit(module, &graph, &mut Vec::new(), &mut done);
    }
}
