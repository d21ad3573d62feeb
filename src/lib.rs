//! `leakrunner._leakrunner`: the Rust core of leakrunner.
//!
//! The module refuses to load into an interpreter flavour it was not compiled
//! for (`flavour`), then exposes the runner entry point and `build_info`
//! (and, built with the `test-hooks` feature, the hooks of `test_hooks` and
//! the option parser's `_parse_options` and `_option_table`).

pub mod boundary;
pub mod census;
pub mod discovery;
pub mod error;
pub mod events;
pub mod flavour;
pub mod helpers;
pub mod layers;
pub mod leaks;
pub mod options;
pub mod pyio;
pub mod pyrepr;
pub mod report;
pub mod runner;
pub mod selection;
pub mod stats;
#[cfg(feature = "test-hooks")]
pub mod test_hooks;

use pyo3::prelude::*;

#[pymodule]
fn _leakrunner(py: Python<'_>, m: &Bound<'_, PyModule>) -> PyResult<()> {
    flavour::check(py)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(flavour::build_info, m)?)?;
    m.add_function(wrap_pyfunction!(boundary::run_internal, m)?)?;
    m.add_class::<runner::result::TestResult>()?;
    #[cfg(feature = "test-hooks")]
    {
        m.add_function(wrap_pyfunction!(test_hooks::_census_selftest, m)?)?;
        m.add_function(wrap_pyfunction!(test_hooks::_census, m)?)?;
        m.add_function(wrap_pyfunction!(options::py::_parse_options, m)?)?;
        m.add_function(wrap_pyfunction!(options::py::_option_table, m)?)?;
        m.add_function(wrap_pyfunction!(test_hooks::_leak_sample, m)?)?;
        m.add_function(wrap_pyfunction!(test_hooks::_orphan_scan, m)?)?;
        m.add_function(wrap_pyfunction!(test_hooks::_referrer_walk, m)?)?;
    }
    m.add_function(wrap_pyfunction!(report::cli::report_main, m)?)?;
    Ok(())
}
