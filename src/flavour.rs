//! Which CPython flavour the extension was compiled for, which one is running it,
//! and the leak signals that flavour offers.
//!
//! A build for a release interpreter loaded by a debug one does not update the
//! debug interpreter's total refcount, so every `change=` it reported would be
//! wrong; a build for a GIL interpreter in a free-threaded one (or the reverse)
//! reads object headers of another layout. The module therefore refuses to load
//! into any interpreter other than the flavour it was compiled for (see `check`).

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Properties of an interpreter that change what the extension must be built
/// for, or what leak hunting can measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flavour {
    pub major: u32,
    pub minor: u32,
    /// `Py_DEBUG`: the interpreter keeps `sys.gettotalrefcount()`.
    pub py_debug: bool,
    /// `Py_TRACE_REFS`: the interpreter keeps every live object in a list,
    /// `sys.getobjects()`.
    pub trace_refs: bool,
    /// `Py_GIL_DISABLED`: a free-threaded build (the `t` ABI flag, 3.13+).
    pub free_threaded: bool,
}

fn parse_env_u32(value: &str) -> u32 {
    value.parse().unwrap_or(0)
}

impl Flavour {
    /// The flavour recorded by `build.rs` when this extension was compiled.
    pub fn built() -> Flavour {
        Flavour {
            major: parse_env_u32(env!("LEAKRUNNER_BUILT_PY_MAJOR")),
            minor: parse_env_u32(env!("LEAKRUNNER_BUILT_PY_MINOR")),
            py_debug: env!("LEAKRUNNER_BUILT_PY_DEBUG") == "1",
            trace_refs: env!("LEAKRUNNER_BUILT_TRACE_REFS") == "1",
            free_threaded: env!("LEAKRUNNER_BUILT_GIL_DISABLED") == "1",
        }
    }

    /// The flavour of the interpreter this code runs in.
    pub fn running(py: Python<'_>) -> PyResult<Flavour> {
        let sys = py.import("sys")?;
        let version_info = sys.getattr("version_info")?;
        let major: u32 = version_info.get_item(0)?.extract()?;
        let minor: u32 = version_info.get_item(1)?.extract()?;
        // `sys.abiflags` carries "d" on every Py_DEBUG build (python3.11-dbg
        // included); `gettotalrefcount` is the observable consequence.
        let abiflags: String = sys.getattr("abiflags")?.extract()?;
        let py_debug = abiflags.contains('d') || sys.hasattr("gettotalrefcount")?;
        let trace_refs = sys.hasattr("getobjects")?;
        // A free-threaded build says so in its ABI flags (`3.15td`), as in the
        // suffix of the extensions it loads.
        let free_threaded = abiflags.contains('t');
        Ok(Flavour {
            major,
            minor,
            py_debug,
            trace_refs,
            free_threaded,
        })
    }

    /// A short human name: `CPython 3.11 release`, `CPython 3.11 pydebug`,
    /// `CPython 3.13 pydebug+trace-refs`, `CPython 3.15 free-threaded pydebug`.
    pub fn describe(&self) -> String {
        let kind = match (self.py_debug, self.trace_refs) {
            (false, false) => "release",
            (true, false) => "pydebug",
            (true, true) => "pydebug+trace-refs",
            (false, true) => "trace-refs",
        };
        let threading = if self.free_threaded {
            "free-threaded "
        } else {
            ""
        };
        format!("CPython {}.{} {threading}{kind}", self.major, self.minor)
    }

    /// The ABI tag of the extensions this flavour loads, as in their file
    /// names: `cpython-311`, `cpython-313d`, `cpython-315td`. Trace-refs adds
    /// no letter: since 3.13 it shares the debug ABI.
    pub fn abi_tag(&self) -> String {
        format!(
            "cpython-{}{}{}{}",
            self.major,
            self.minor,
            if self.free_threaded { "t" } else { "" },
            if self.py_debug { "d" } else { "" },
        )
    }
}

/// The ImportError text for a mismatched build, or `None` when it matches.
pub fn mismatch_message(built: &Flavour, running: &Flavour, executable: &str) -> Option<String> {
    if built == running {
        return None;
    }
    let harm = if built.free_threaded != running.free_threaded {
        "reads every object header with the wrong layout"
    } else {
        "skews the refcount totals that leak hunting reports"
    };
    Some(format!(
        "leakrunner's extension module was built for {built} [{built_abi}], but this interpreter \
         is {running} [{running_abi}] ({executable}). An extension built for another flavour \
         {harm}, so it is not loaded. Rebuild leakrunner for this interpreter: \
         `{executable} -m pip install --force-reinstall --no-deps --no-binary leakrunner <path \
         to leakrunner>` (or, in a checkout, `make venvs`).",
        built = built.describe(),
        built_abi = built.abi_tag(),
        running = running.describe(),
        running_abi = running.abi_tag(),
    ))
}

/// Fails the import of `_leakrunner` when the running interpreter is not the
/// flavour the extension was compiled for.
pub fn check(py: Python<'_>) -> PyResult<()> {
    let running = Flavour::running(py)?;
    let executable: String = py.import("sys")?.getattr("executable")?.extract()?;
    match mismatch_message(&Flavour::built(), &running, &executable) {
        None => Ok(()),
        Some(message) => Err(pyo3::exceptions::PyImportError::new_err(message)),
    }
}

/// The leak signals an interpreter offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signals {
    /// `sys.gettotalrefcount()`: `-r`.
    pub total_refcount: bool,
    /// `sys.getobjects()`: the exact census behind `-r -v`.
    pub getobjects: bool,
    /// `sys.getallocatedblocks()`: pymalloc blocks in use.
    pub allocated_blocks: bool,
    /// Other threads may run Python code while the census walks the heap (a
    /// free-threaded build): the census stops the world while it walks.
    pub world_stopped_census: bool,
}

impl Signals {
    pub fn probe(py: Python<'_>) -> PyResult<Signals> {
        let sys = py.import("sys")?;
        Ok(Signals {
            total_refcount: sys.hasattr("gettotalrefcount")?,
            getobjects: sys.hasattr("getobjects")?,
            allocated_blocks: sys.hasattr("getallocatedblocks")?,
            world_stopped_census: Flavour::running(py)?.free_threaded,
        })
    }

    /// What `-r -v` counts on this interpreter, in a phrase.
    pub fn census(&self) -> &'static str {
        match (self.total_refcount, self.getobjects) {
            (false, _) => "none (needs a --with-pydebug build)",
            (true, true) => "every live object (sys.getobjects)",
            (true, false) => "objects the garbage collector tracks and what they reach",
        }
    }
}

/// `leakrunner.build_info()`: what the extension was built for, what runs it,
/// and which leak signals are available.
#[pyfunction]
pub fn build_info<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
    let built = Flavour::built();
    let running = Flavour::running(py)?;
    let signals = Signals::probe(py)?;
    let sys = py.import("sys")?;

    let built_dict = PyDict::new(py);
    built_dict.set_item("python", format!("{}.{}", built.major, built.minor))?;
    built_dict.set_item("py_debug", built.py_debug)?;
    built_dict.set_item("trace_refs", built.trace_refs)?;
    built_dict.set_item("free_threaded", built.free_threaded)?;
    built_dict.set_item("abi", built.abi_tag())?;
    built_dict.set_item("ext_suffix", env!("LEAKRUNNER_BUILT_EXT_SUFFIX"))?;
    built_dict.set_item("executable", env!("LEAKRUNNER_BUILT_EXECUTABLE"))?;

    let running_dict = PyDict::new(py);
    let version = sys.getattr("version")?.extract::<String>()?;
    let version = version.split_whitespace().next().unwrap_or("").to_owned();
    running_dict.set_item("python", version)?;
    running_dict.set_item("executable", sys.getattr("executable")?)?;
    running_dict.set_item("py_debug", running.py_debug)?;
    running_dict.set_item("trace_refs", running.trace_refs)?;
    running_dict.set_item("free_threaded", running.free_threaded)?;
    running_dict.set_item("abi", running.abi_tag())?;
    running_dict.set_item("flavour", running.describe())?;

    let signals_dict = PyDict::new(py);
    signals_dict.set_item("total_refcount", signals.total_refcount)?;
    signals_dict.set_item("getobjects", signals.getobjects)?;
    signals_dict.set_item("allocated_blocks", signals.allocated_blocks)?;
    signals_dict.set_item("census", signals.census())?;
    signals_dict.set_item("world_stopped_census", signals.world_stopped_census)?;

    let info = PyDict::new(py);
    info.set_item("leakrunner", env!("CARGO_PKG_VERSION"))?;
    info.set_item("built_for", built_dict)?;
    info.set_item("running", running_dict)?;
    info.set_item("signals", signals_dict)?;
    Ok(info)
}

/// The text `--version` prints under its first line.
pub fn version_report(py: Python<'_>) -> PyResult<String> {
    let built = Flavour::built();
    let running = Flavour::running(py)?;
    let signals = Signals::probe(py)?;
    let executable: String = py.import("sys")?.getattr("executable")?.extract()?;
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let mut report = format!(
        "built for:   {} ({})\n\
         running on:  {} ({executable})\n\
         leak signals: total refcount (-r): {}; getobjects (exact -r -v census): {}; \
         allocated blocks: {}\n\
         -r -v census: {}\n",
        built.describe(),
        env!("LEAKRUNNER_BUILT_EXT_SUFFIX"),
        running.describe(),
        yes_no(signals.total_refcount),
        yes_no(signals.getobjects),
        yes_no(signals.allocated_blocks),
        signals.census(),
    );
    if signals.world_stopped_census {
        // What a free-threaded build cannot give, said once where a user
        // looks for what the build offers.
        report.push_str(
            "free-threaded: the census stops the world while it walks the heap; \
             sys.gettotalrefcount() sums every thread's count, so -r also counts \
             what other threads hold at that moment; no exact census (no sys.getobjects)\n",
        );
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flavour(minor: u32, py_debug: bool, trace_refs: bool) -> Flavour {
        Flavour {
            major: 3,
            minor,
            py_debug,
            trace_refs,
            free_threaded: false,
        }
    }

    fn free_threaded(minor: u32) -> Flavour {
        Flavour {
            free_threaded: true,
            ..flavour(minor, true, false)
        }
    }

    #[test]
    fn matching_flavours_load() {
        for f in [
            flavour(11, false, false),
            flavour(11, true, false),
            flavour(13, true, true),
            flavour(14, true, false),
            flavour(15, true, true),
            free_threaded(15),
        ] {
            assert_eq!(mismatch_message(&f, &f.clone(), "/x/python"), None);
        }
    }

    #[test]
    fn release_build_in_debug_interpreter_is_refused() {
        let msg = mismatch_message(
            &flavour(11, false, false),
            &flavour(11, true, false),
            "/usr/bin/python3.11-dbg",
        )
        .expect("a mismatch");
        assert!(msg.contains("built for CPython 3.11 release"), "{msg}");
        assert!(
            msg.contains("this interpreter is CPython 3.11 pydebug"),
            "{msg}"
        );
        assert!(
            msg.contains("/usr/bin/python3.11-dbg -m pip install --force-reinstall"),
            "{msg}"
        );
    }

    #[test]
    fn trace_refs_and_version_matter() {
        assert!(
            mismatch_message(&flavour(13, true, false), &flavour(13, true, true), "p").is_some()
        );
        assert!(
            mismatch_message(&flavour(11, true, false), &flavour(13, true, false), "p").is_some()
        );
    }

    #[test]
    fn free_threading_and_new_versions_matter() {
        let msg = mismatch_message(
            &flavour(15, true, false),
            &free_threaded(15),
            "/x/python3.15t",
        )
        .expect("a GIL build in a free-threaded interpreter is a mismatch");
        assert!(
            msg.contains("built for CPython 3.15 pydebug [cpython-315d]"),
            "{msg}"
        );
        assert!(
            msg.contains("this interpreter is CPython 3.15 free-threaded pydebug [cpython-315td]"),
            "{msg}"
        );
        assert!(msg.contains("wrong layout"), "{msg}");
        assert!(mismatch_message(&free_threaded(15), &flavour(15, true, false), "p").is_some());
        assert!(mismatch_message(&free_threaded(14), &free_threaded(15), "p").is_some());
        assert!(
            mismatch_message(&flavour(14, true, false), &flavour(15, true, false), "p").is_some()
        );
        assert!(
            mismatch_message(&flavour(15, true, false), &flavour(15, true, true), "p").is_some()
        );
    }

    #[test]
    fn abi_tags_follow_extension_suffixes() {
        assert_eq!(flavour(11, false, false).abi_tag(), "cpython-311");
        assert_eq!(flavour(11, true, false).abi_tag(), "cpython-311d");
        assert_eq!(flavour(13, true, true).abi_tag(), "cpython-313d");
        assert_eq!(flavour(14, true, false).abi_tag(), "cpython-314d");
        assert_eq!(free_threaded(15).abi_tag(), "cpython-315td");
        let release_ft = Flavour {
            py_debug: false,
            ..free_threaded(14)
        };
        assert_eq!(release_ft.abi_tag(), "cpython-314t");
    }

    #[test]
    fn describe_names_the_flavour() {
        assert_eq!(
            free_threaded(15).describe(),
            "CPython 3.15 free-threaded pydebug"
        );
        assert_eq!(flavour(11, false, false).describe(), "CPython 3.11 release");
        assert_eq!(
            flavour(13, true, true).describe(),
            "CPython 3.13 pydebug+trace-refs"
        );
    }
}
