//! `leakrunner._leakrunner`: the Rust core of leakrunner.
//!
//! The module refuses to load into an interpreter flavour it was not compiled
//! for (`flavour`), then exposes the runner entry point and `build_info`.

pub mod boundary;
pub mod census;
pub mod discovery;
pub mod error;
pub mod events;
pub mod flavour;
pub mod layers;
pub mod leaks;
pub mod options;
pub mod pyio;
pub mod pyrepr;
pub mod report;
pub mod runner;
pub mod selection;
pub mod stats;

use pyo3::prelude::*;

#[pymodule]
fn _leakrunner(py: Python<'_>, m: &Bound<'_, PyModule>) -> PyResult<()> {
    flavour::check(py)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(flavour::build_info, m)?)?;
    m.add_function(wrap_pyfunction!(boundary::run_internal, m)?)?;
    m.add_class::<runner::result::TestResult>()?;
    m.add_function(wrap_pyfunction!(census::heap::_census_selftest, m)?)?;
    m.add_function(wrap_pyfunction!(census::heap::_census, m)?)?;
    #[cfg(feature = "test-hooks")]
    m.add_function(wrap_pyfunction!(options::py::_parse_options, m)?)?;
    #[cfg(feature = "test-hooks")]
    m.add_function(wrap_pyfunction!(options::py::_option_table, m)?)?;
    Ok(())
}
