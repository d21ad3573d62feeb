//! The probe: the one runner-side place that reads what leak hunting
//! measures between iterations (the reference total, the heap census,
//! allocated blocks, open descriptors, threads, `gc.garbage`), as a plain
//! [`Sample`]. It keeps no Python object between samples, so it cannot
//! perturb what it measures.

use std::collections::HashSet;

use pyo3::intern;
use pyo3::prelude::*;

use super::RunConfig;
use crate::census;
use crate::leaks::{Sample, Sight};

/// What to sample, and the warnings already given.
#[derive(Debug, Default)]
pub struct Probe {
    /// `-r`: the reference total.
    pub total_refs: bool,
    /// `-r -v`, and leak verdicts: the census by type.
    pub census: bool,
    /// Leak verdicts: blocks, descriptors, threads, garbage.
    pub signals: bool,
    /// `--leaks`: empty the known caches before each sample.
    pub clear_caches: bool,
    /// Take the census of the reachable heap, even where the build's own
    /// census counts only the objects the collector tracks (a release
    /// build): set by attribution for one run, to name what grows.
    pub reachable: bool,
    /// Release-built extension modules already warned about.
    reported_extensions: HashSet<String>,
}

impl Probe {
    /// `debug_build`: the interpreter keeps a reference total.
    pub fn new(config: &RunConfig, debug_build: bool) -> Probe {
        let verdicts = config.leaks || config.leak_report.is_some() || config.leak_html.is_some();
        Probe {
            total_refs: debug_build && (config.report_refcounts || verdicts),
            census: (config.report_refcounts && config.verbose > 0) || verdicts,
            signals: verdicts,
            clear_caches: config.leaks,
            reachable: false,
            reported_extensions: HashSet::new(),
        }
    }

    /// Whether anything is sampled at all.
    pub fn active(&self) -> bool {
        self.total_refs || self.census || self.signals
    }

    /// What the samples can show, for the verdict.
    pub fn sight(&self, census: Option<&census::Census>) -> Sight {
        Sight {
            total_refs: self.total_refs,
            census: census.map(|c| c.scope.into()),
        }
    }

    /// `--leaks`: empties the caches that fill as tests run; call before the
    /// iteration's garbage collection.
    pub fn prepare(&self, py: Python<'_>) -> PyResult<()> {
        if self.clear_caches {
            py.import(intern!(py, "leakrunner._leaks"))?
                .call_method0(intern!(py, "clear_caches"))?;
        }
        Ok(())
    }

    /// Samples the signals (the census only if `census` too); call after
    /// collecting garbage. The census comes first so that the total read
    /// after it includes nothing of its own.
    pub fn sample(&self, py: Python<'_>, census: bool) -> PyResult<Sample> {
        let census = if self.census && census && self.reachable {
            Some(census::heap::take_listed(py, true)?)
        } else if self.census && census {
            Some(census::heap::take(py)?)
        } else {
            None
        };
        let total_refs = if self.total_refs {
            Some(
                py.import(intern!(py, "sys"))?
                    .call_method0(intern!(py, "gettotalrefcount"))?
                    .extract()?,
            )
        } else {
            None
        };
        let mut sample = Sample {
            total_refs,
            census,
            ..Sample::default()
        };
        if self.signals {
            sample.blocks = Some(
                py.import(intern!(py, "sys"))?
                    .call_method0(intern!(py, "getallocatedblocks"))?
                    .extract()?,
            );
            sample.fds = open_descriptors();
            sample.threads = Some(
                py.import(intern!(py, "leakrunner._leaks"))?
                    .call_method0(intern!(py, "thread_count"))?
                    .extract()?,
            );
            sample.garbage = Some(
                py.import(intern!(py, "gc"))?
                    .getattr(intern!(py, "garbage"))?
                    .len()? as i64,
            );
        }
        Ok(sample)
    }

    /// Extension modules built for a release interpreter, not yet reported:
    /// on a debug build their reference changes bypass the total, so
    /// `change=` would not count them. Sorted (name, file) pairs.
    pub fn skewing_extensions(&mut self, py: Python<'_>) -> PyResult<Vec<(String, String)>> {
        let release_suffix = release_ext_suffix(env!("LEAKRUNNER_BUILT_EXT_SUFFIX"));
        let Some(release_suffix) = release_suffix else {
            return Ok(Vec::new());
        };
        let modules = py
            .import(intern!(py, "sys"))?
            .getattr(intern!(py, "modules"))?;
        let modules = modules
            .cast::<pyo3::types::PyDict>()
            .map_err(PyErr::from)?
            .copy()?;
        let mut found = Vec::new();
        for (name, module) in modules.iter() {
            let Ok(Some(file)) = module.getattr_opt(intern!(py, "__file__")) else {
                continue;
            };
            let Ok(file) = file.extract::<String>() else {
                continue;
            };
            let name: String = name.extract()?;
            if file.ends_with(&release_suffix) && self.reported_extensions.insert(name.clone()) {
                found.push((name, file));
            }
        }
        found.sort();
        Ok(found)
    }
}

/// The process's open file descriptors (Linux's `/proc/self/fd`, less the
/// one the listing itself opens); None where there is no such listing.
fn open_descriptors() -> Option<i64> {
    let entries = std::fs::read_dir("/proc/self/fd").ok()?;
    Some(entries.count() as i64 - 1)
}

/// The extension suffix of a release build of this debug interpreter:
/// `.cpython-311d-x86_64-linux-gnu.so` gives `.cpython-311-x86_64-linux-gnu.so`.
/// None for a release build (nothing to warn about).
pub fn release_ext_suffix(debug_suffix: &str) -> Option<String> {
    let start = debug_suffix.find(".cpython-")? + ".cpython-".len();
    let tag_end = start + debug_suffix[start..].find('-')?;
    let tag = &debug_suffix[start..tag_end];
    let release_tag = tag.strip_suffix('d')?;
    Some(format!(
        "{}{release_tag}{}",
        &debug_suffix[..start],
        &debug_suffix[tag_end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::release_ext_suffix;

    #[test]
    fn release_suffix_of_a_debug_build() {
        assert_eq!(
            release_ext_suffix(".cpython-311d-x86_64-linux-gnu.so").as_deref(),
            Some(".cpython-311-x86_64-linux-gnu.so")
        );
        assert_eq!(
            release_ext_suffix(".cpython-313d-x86_64-linux-gnu.so").as_deref(),
            Some(".cpython-313-x86_64-linux-gnu.so")
        );
        assert_eq!(release_ext_suffix(".cpython-311-x86_64-linux-gnu.so"), None);
    }
}
