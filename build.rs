//! Records, at compile time, which CPython flavour this extension is built for,
//! so that the module can refuse to load into a different one (see `flavour.rs`).
//!
//! PyO3 0.29+ no longer reports `Py_TRACE_REFS` (3.13 made it ABI-compatible),
//! but leakrunner's census depends on it, so it is asked of the interpreter here,
//! with `Py_GIL_DISABLED` (a free-threaded build: the `t` ABI flag).

use pyo3_build_config::BuildFlag;

fn main() {
    pyo3_build_config::use_pyo3_cfgs();
    // `cargo test` runs Rust tests that embed Python; maturin builds the
    // extension with `extension-module`, where no libpython is linked.
    if !cfg!(feature = "extension-module") {
        pyo3_build_config::add_libpython_rpath_link_args();
    }
    let config = pyo3_build_config::get();
    let version = config.version();
    let py_debug = config.build_flags().0.contains(&BuildFlag::Py_DEBUG);
    let probe = config
        .run_python_script(
            "import sys, sysconfig\n\
             print(int(bool(sysconfig.get_config_var('Py_TRACE_REFS'))))\n\
             print(int(bool(sysconfig.get_config_var('Py_GIL_DISABLED'))))\n\
             print(sysconfig.get_config_var('EXT_SUFFIX') or '')\n\
             print(sys.executable)\n\
             print(sysconfig.get_paths()['include'])\n",
        )
        .expect("leakrunner's build script could not run the target Python interpreter");
    let mut lines = probe.lines();
    let trace_refs = lines.next().unwrap_or("0").trim() == "1";
    let gil_disabled = lines.next().unwrap_or("0").trim() == "1";
    let ext_suffix = lines.next().unwrap_or("").trim().to_owned();
    let executable = lines.next().unwrap_or("").trim().to_owned();
    let include_dir = lines.next().unwrap_or("").trim().to_owned();

    println!(
        "cargo:rustc-env=LEAKRUNNER_BUILT_PY_MAJOR={}",
        version.major
    );
    println!(
        "cargo:rustc-env=LEAKRUNNER_BUILT_PY_MINOR={}",
        version.minor
    );
    println!(
        "cargo:rustc-env=LEAKRUNNER_BUILT_PY_DEBUG={}",
        u8::from(py_debug)
    );
    println!(
        "cargo:rustc-env=LEAKRUNNER_BUILT_TRACE_REFS={}",
        u8::from(trace_refs)
    );
    println!(
        "cargo:rustc-env=LEAKRUNNER_BUILT_GIL_DISABLED={}",
        u8::from(gil_disabled)
    );
    println!("cargo:rustc-env=LEAKRUNNER_BUILT_EXT_SUFFIX={ext_suffix}");
    println!("cargo:rustc-env=LEAKRUNNER_BUILT_EXECUTABLE={executable}");
    println!("cargo:rustc-check-cfg=cfg(leakrunner_refchain)");
    if trace_refs && (version.major, version.minor) >= (3, 13) && !include_dir.is_empty() {
        compile_refchain_walker(&include_dir);
    }
    println!("cargo:rerun-if-changed=csrc/refchain.c");
    println!("cargo:rerun-if-env-changed=PYO3_PYTHON");
    println!("cargo:rerun-if-env-changed=VIRTUAL_ENV");
    println!("cargo:rerun-if-changed=build.rs");
}

/// A trace-refs CPython 3.13+ keeps every object in a table the census can
/// walk in place (csrc/refchain.c), instead of copying it into the list
/// `sys.getobjects()` returns. The walker needs the interpreter's internal
/// headers; without them the census falls back to `sys.getobjects()`.
fn compile_refchain_walker(include_dir: &str) {
    let internal = std::path::Path::new(include_dir).join("internal");
    if !internal.join("pycore_interp.h").is_file() {
        println!(
            "cargo:warning=no internal headers in {include_dir}: the census will use sys.getobjects()"
        );
        return;
    }
    let built = cc::Build::new()
        .file("csrc/refchain.c")
        .include(include_dir)
        .include(&internal)
        .warnings(false)
        .try_compile("leakrunner_refchain");
    match built {
        Ok(()) => println!("cargo:rustc-cfg=leakrunner_refchain"),
        Err(e) => println!(
            "cargo:warning=could not compile the refchain walker ({e}): the census will use sys.getobjects()"
        ),
    }
}
