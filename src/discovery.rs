//! Discovery: which files under the test paths are test modules, and their
//! dotted module names, following zope.testrunner's `find.py` rules exactly.
//!
//! Plain Rust on the file system. Importing the modules is the runner's job.
//!
//! The walk is `os.walk` top-down with sorted directory and file names, where
//! symbolic links to directories are walked right after their parent (before
//! its other subdirectories), as zope's `walk_with_symlinks` does; the order
//! decides the import order, which tests can observe.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::selection::Pattern;

/// Directory names never descended into, whatever `--ignore_dir` says.
const IGNORE_FOLDERS: [&str; 3] = [".git", "node_modules", "__pycache__"];

/// What decides which files are test modules.
pub struct Rules<'a> {
    /// `--tests-pattern`: test modules, and test packages' directory names.
    pub tests_pattern: &'a Pattern,
    /// `--test-file-pattern`: modules inside a test package.
    pub test_file_pattern: &'a Pattern,
    /// `--ignore_dir` names.
    pub ignore_dir: &'a HashSet<String>,
    /// `--usecompiled`: `.pyc` files (`.pyo` under `python -O`) count as modules.
    pub usecompiled: bool,
    /// Python runs with `-O` (then the compiled suffix is `.pyo`).
    pub optimized: bool,
}

impl Rules<'_> {
    fn compiled_suffix(&self) -> &'static str {
        if self.optimized {
            ".pyo"
        } else {
            ".pyc"
        }
    }

    /// The file name without its module extension, if it is a module.
    fn strip_py_ext<'n>(&self, name: &'n str) -> Option<&'n str> {
        if let Some(stem) = name.strip_suffix(".py") {
            return Some(stem);
        }
        if self.usecompiled {
            return name.strip_suffix(self.compiled_suffix());
        }
        None
    }

    fn contains_init_py(&self, files: &[String]) -> bool {
        files.iter().any(|f| f == "__init__.py")
            || (self.usecompiled
                && files
                    .iter()
                    .any(|f| f.strip_prefix("__init__") == Some(self.compiled_suffix())))
    }
}

/// One directory of the walk: its path, subdirectories and other entries, sorted.
struct Listing {
    path: PathBuf,
    dirs: Vec<String>,
    files: Vec<String>,
}

fn list_dir(path: &Path) -> Option<Listing> {
    let entries = fs::read_dir(path).ok()?;
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        // Like os.scandir's is_dir(): symbolic links to directories count.
        if entry.path().is_dir() {
            dirs.push(name);
        } else {
            files.push(name);
        }
    }
    dirs.sort();
    files.sort();
    Some(Listing {
        path: path.to_path_buf(),
        dirs,
        files,
    })
}

/// Sees a directory of the walk: its path, its subdirectories (to prune in
/// place) and its other entries.
type Visit<'v> = dyn FnMut(&Path, &mut Vec<String>, &[String]) + 'v;

/// Walks `root` like zope's `walk_with_symlinks`: `visit` sees each directory
/// and prunes its `dirs` in place; pruned names are not descended into.
fn walk(root: &Path, ignore_dir: &HashSet<String>, visit: &mut Visit<'_>) {
    let Some(mut listing) = list_dir(root) else {
        return;
    };
    listing.dirs.retain(|d| !ignore_dir.contains(d));
    visit(&listing.path, &mut listing.dirs, &listing.files);
    // os.walk(followlinks=False) does not enter links; zope walks them itself,
    // first, right after their parent directory.
    for d in &listing.dirs {
        let p = listing.path.join(d);
        if is_symlink(&p) {
            walk(&p, ignore_dir, visit);
        }
    }
    for d in &listing.dirs {
        let p = listing.path.join(d);
        if !is_symlink(&p) {
            walk(&p, ignore_dir, visit);
        }
    }
}

fn is_symlink(p: &Path) -> bool {
    fs::symlink_metadata(p)
        .map(|m| m.file_type().is_symlink())
        .unwrap_or(false)
}

/// `re.compile(r'[_a-z]\w*$', re.I).match`: only such directories are searched.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c == '_' || c.is_ascii_alphabetic() => {}
        _ => return false,
    }
    // Python's \w (str patterns) is Unicode: letters, digits and underscore.
    chars.all(|c| c == '_' || c.is_alphanumeric())
}

fn path_string(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// The test module files under `dirs` (each a search root with the package
/// its files belong to), in zope's order, each file once.
pub fn find_test_files(dirs: &[(String, String)], rules: &Rules<'_>) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (root, package) in dirs {
        walk(
            Path::new(root),
            rules.ignore_dir,
            &mut |dirname, subdirs, files| {
                subdirs.retain(|d| is_identifier(d) && !IGNORE_FOLDERS.contains(&d.as_str()));
                // Best file per module stem: `.py` sorts before `.pyc`/`.pyo`.
                let mut best: Vec<(String, String)> = Vec::new();
                let mut consider = |stem: &str, file: &str| {
                    let key = path_string(&dirname.join(stem));
                    let candidate = path_string(&dirname.join(file));
                    match best.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, current)) => {
                            if candidate < *current {
                                *current = candidate;
                            }
                        }
                        None => best.push((key, candidate)),
                    }
                };
                let dir_name = dirname
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if rules.tests_pattern.is_match(&dir_name) && rules.contains_init_py(files) {
                    for file in files {
                        if let Some(stem) = rules.strip_py_ext(file) {
                            if rules.test_file_pattern.is_match(stem) {
                                consider(stem, file);
                            }
                        }
                    }
                }
                for file in files {
                    if let Some(stem) = rules.strip_py_ext(file) {
                        if rules.tests_pattern.is_match(stem) {
                            consider(stem, file);
                        }
                    }
                }
                let mut winners: Vec<String> = best.into_iter().map(|(_, v)| v).collect();
                winners.sort();
                for file in winners {
                    if seen.insert(file.clone()) {
                        found.push((file, package.clone()));
                    }
                }
            },
        );
    }
    found
}

/// The dotted module name of a test file: the first prefix (longest first)
/// that contains it and belongs to its package. `None`: no prefix claims it,
/// and zope skips the file silently.
pub fn module_name(
    fpath: &str,
    package: &str,
    prefixes: &[(String, String)],
    rules: &Rules<'_>,
) -> Option<String> {
    for (prefix, prefix_package) in prefixes {
        if let Some(rest) = fpath.strip_prefix(prefix.as_str()) {
            if package != prefix_package {
                continue;
            }
            let stem = rules.strip_py_ext(rest)?;
            let dotted = stem.replace(std::path::MAIN_SEPARATOR, ".");
            return Some(if package.is_empty() {
                dotted
            } else {
                format!("{package}.{dotted}")
            });
        }
    }
    None
}

/// `.pyc`/`.pyo` files directly beside a missing `.py` under the test paths:
/// zope deletes these before discovery (unless `--keepbytecode`), because a
/// sourceless module would otherwise still import.
pub fn stale_bytecode(test_paths: &[String], ignore_dir: &HashSet<String>) -> Vec<PathBuf> {
    let mut stale = Vec::new();
    for root in test_paths {
        walk(
            Path::new(root),
            ignore_dir,
            &mut |dirname, subdirs, files| {
                // PEP 3147 caches are harmless and must not be emptied.
                subdirs.retain(|d| d != "__pycache__");
                for file in files {
                    let compiled = file.ends_with(".pyc") || file.ends_with(".pyo");
                    if compiled && !files.iter().any(|f| f.as_str() == &file[..file.len() - 1]) {
                        stale.push(dirname.join(file));
                    }
                }
            },
        );
    }
    stale
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    struct Tree(PathBuf);

    impl Tree {
        fn new(name: &str) -> Tree {
            let root = std::env::temp_dir().join(format!(
                "leakrunner-discovery-{name}-{}",
                std::process::id()
            ));
            let _ = fs::remove_dir_all(&root);
            fs::create_dir_all(&root).unwrap();
            Tree(root)
        }
        fn file(&self, rel: &str) -> &Tree {
            let p = self.0.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, "").unwrap();
            self
        }
        fn root(&self) -> String {
            path_string(&self.0)
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn rel(tree: &Tree, found: &[(String, String)]) -> Vec<String> {
        let prefix = format!("{}/", tree.root());
        found
            .iter()
            .map(|(f, _)| f.strip_prefix(&prefix).unwrap().to_owned())
            .collect()
    }

    fn find(tree: &Tree, tests: &str, files: &str, usecompiled: bool) -> Vec<String> {
        let tests_pattern = Pattern::compile_rust(tests).unwrap();
        let test_file_pattern = Pattern::compile_rust(files).unwrap();
        let ignore: HashSet<String> = [".git", ".svn", "CVS"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let rules = Rules {
            tests_pattern: &tests_pattern,
            test_file_pattern: &test_file_pattern,
            ignore_dir: &ignore,
            usecompiled,
            optimized: false,
        };
        rel(
            tree,
            &find_test_files(&[(tree.root(), String::new())], &rules),
        )
    }

    #[test]
    fn finds_tests_modules_and_packages_in_order() {
        let t = Tree::new("order");
        t.file("pkg/__init__.py")
            .file("pkg/tests.py")
            .file("pkg/sub/__init__.py")
            .file("pkg/sub/tests/__init__.py")
            .file("pkg/sub/tests/test_b.py")
            .file("pkg/sub/tests/test_a.py")
            .file("pkg/sub/tests/helper.py")
            .file("pkg/sub/tests/testdata.txt")
            .file("ns/tests.py") // PEP 420: no __init__ needed to descend
            .file("notpkg/tests/test_x.py") // tests dir without __init__: only tests-named files
            .file("a-b/tests.py") // not an identifier: skipped
            .file("1st/tests.py")
            .file("__pycache__/tests.py")
            .file(".git/tests.py")
            .file("tests.py");
        assert_eq!(
            find(&t, "^tests$", "^test", false),
            vec![
                "tests.py",
                "ns/tests.py",
                "pkg/tests.py",
                "pkg/sub/tests/test_a.py",
                "pkg/sub/tests/test_b.py",
            ]
        );
    }

    #[test]
    fn usecompiled_prefers_source() {
        let t = Tree::new("compiled");
        t.file("tests/__init__.pyc")
            .file("tests/test_a.pyc")
            .file("tests/test_b.py")
            .file("tests/test_b.pyc");
        assert_eq!(
            find(&t, "^tests$", "^test", true),
            vec!["tests/test_a.pyc", "tests/test_b.py"]
        );
        assert!(find(&t, "^tests$", "^test", false).is_empty());
    }

    #[test]
    fn symlinked_directories_come_first() {
        let t = Tree::new("links");
        t.file("b/tests.py").file("real/tests.py");
        symlink(t.0.join("real"), t.0.join("a_link")).unwrap();
        symlink(t.0.join("real"), t.0.join("z_link")).unwrap();
        assert_eq!(
            find(&t, "^tests$", "^test", false),
            vec![
                "a_link/tests.py",
                "z_link/tests.py",
                "b/tests.py",
                "real/tests.py"
            ]
        );
    }

    #[test]
    fn module_names_use_the_longest_matching_prefix() {
        let p = Pattern::compile_rust("^tests$").unwrap();
        let ignore = HashSet::new();
        let rules = Rules {
            tests_pattern: &p,
            test_file_pattern: &p,
            ignore_dir: &ignore,
            usecompiled: false,
            optimized: false,
        };
        let prefixes = vec![
            ("/src/lib/extra/".to_owned(), "pkg.knit".to_owned()),
            ("/src/lib/".to_owned(), String::new()),
        ];
        assert_eq!(
            module_name("/src/lib/a/b/tests.py", "", &prefixes, &rules).as_deref(),
            Some("a.b.tests")
        );
        assert_eq!(
            module_name("/src/lib/extra/tests.py", "pkg.knit", &prefixes, &rules).as_deref(),
            Some("pkg.knit.tests")
        );
        // Found under the plain root, so only a prefix of that package claims it.
        assert_eq!(
            module_name("/src/lib/extra/tests.py", "", &prefixes, &rules).as_deref(),
            Some("extra.tests")
        );
        assert_eq!(
            module_name("/elsewhere/tests.py", "", &prefixes, &rules),
            None
        );
    }

    #[test]
    fn stale_bytecode_is_found_outside_pycache() {
        let t = Tree::new("stale");
        t.file("a/mod.py")
            .file("a/mod.pyc")
            .file("a/gone.pyc")
            .file("a/__pycache__/gone.cpython-311.pyc")
            .file(".git/x.pyc");
        let ignore: HashSet<String> = [".git".to_owned()].into_iter().collect();
        let stale = stale_bytecode(&[t.root()], &ignore);
        assert_eq!(stale, vec![t.0.join("a/gone.pyc")]);
    }

    #[test]
    fn identifiers() {
        for (name, ok) in [
            ("tests", true),
            ("_x", true),
            ("X1", true),
            ("1st", false),
            ("a-b", false),
            ("a.b", false),
            ("", false),
            ("\u{e9}t\u{e9}", false),
            ("a\u{e9}", true),
        ] {
            assert_eq!(is_identifier(name), ok, "{name:?}");
        }
    }
}
