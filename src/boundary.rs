//! The Python boundary: `run_internal` as zope.testrunner's API has it.
//!
//! It reads what zope's parser would read from the running interpreter
//! (argv, whether stdout is a terminal), parses the command line with the
//! `options` stage, handles the child-process protocol's leading
//! `--resume-layer`, prints what zope prints before a run, and turns every
//! runner error into a Python exception in one place (`Error::into_pyerr`).

use std::cell::OnceCell;
use std::path::Path;

use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::error::{Error, Result};
use crate::helpers::Helpers;
use crate::options::{self, Environment, Exited, Namespace, Options};
use crate::report::subunit::Version as SubunitVersion;
use crate::runner::{self, RunConfig};

/// Facts about the running interpreter, asked only when parsing needs them.
struct PyEnvironment<'py, 'a> {
    py: Python<'py>,
    cwd: &'a str,
    isatty: OnceCell<bool>,
    colors: OnceCell<bool>,
    subunit: OnceCell<bool>,
}

impl PyEnvironment<'_, '_> {
    fn ask(
        &self,
        cell: &OnceCell<bool>,
        question: impl FnOnce(Python<'_>) -> PyResult<bool>,
    ) -> bool {
        *cell.get_or_init(|| question(self.py).unwrap_or(false))
    }
}

impl Environment for PyEnvironment<'_, '_> {
    fn stdout_isatty(&self) -> bool {
        self.ask(&self.isatty, |py| {
            py.import("sys")?
                .getattr("stdout")?
                .call_method0("isatty")?
                .extract()
        })
    }

    fn terminal_has_colors(&self) -> bool {
        self.ask(&self.colors, |py| {
            let n = Helpers::new(py)?.terminal_number(py, "colors", -1)?;
            Ok(n >= 8)
        })
    }

    fn subunit_available(&self) -> bool {
        self.ask(&self.subunit, |py| Ok(py.import("subunit").is_ok()))
    }

    fn has_gettotalrefcount(&self) -> bool {
        self.py
            .import("sys")
            .and_then(|sys| sys.hasattr("gettotalrefcount"))
            .unwrap_or(false)
    }

    fn argparse(
        &self,
        defaults: Option<&[String]>,
        args: &[String],
    ) -> PyResult<std::result::Result<Namespace, Exited>> {
        options::argparse::parse(self.py, None, self.cwd, defaults, args)
    }
}

fn write(py: Python<'_>, stream: &str, text: &str) -> PyResult<()> {
    py.import("sys")?
        .getattr(stream)?
        .call_method1("write", (text,))?;
    Ok(())
}

/// Where a child starts: its layer, zope's resume number, and (leakrunner's
/// parents, after a crash) how many of the layer's tests to skip.
struct Resume {
    layer: String,
    number: usize,
    after: Option<usize>,
}

/// The child protocol: `--resume-layer LAYER N`, then `--resume-after K`
/// when a parent resumes a layer after a crash, then `--default X` pairs,
/// right after the program name. None of it reaches the option parser.
fn take_resume_args(args: &mut Vec<String>) -> Option<(Resume, Vec<String>)> {
    if args.get(1).map(String::as_str) != Some("--resume-layer") || args.len() < 4 {
        return None;
    }
    args.remove(1);
    let layer = args.remove(1);
    let number = args.remove(1).parse().unwrap_or(0);
    let mut after = None;
    if args.get(1).map(String::as_str) == Some("--resume-after") && args.len() > 2 {
        args.remove(1);
        after = args.remove(1).parse().ok();
    }
    let resume = Resume {
        layer,
        number,
        after,
    };
    let mut defaults = Vec::new();
    while args.get(1).map(String::as_str) == Some("--default") && args.len() > 2 {
        args.remove(1);
        defaults.push(args.remove(1));
    }
    Some((resume, defaults))
}

/// Iterations of `--leaks` when `-N` does not say: two warm-ups, four
/// counted.
const LEAK_ITERATIONS: usize = 6;

fn run_config(
    o: Options,
    debug_build: bool,
    resume: Option<Resume>,
    defaults: Vec<String>,
    script_parts: Vec<String>,
    cwd: String,
    warnings: Option<String>,
) -> RunConfig {
    let (resume_layer, resume_number, resume_after) = match resume {
        Some(r) => (Some(r.layer), Some(r.number), r.after),
        None => (None, None, None),
    };
    RunConfig {
        test_path: o.test_path,
        prefix: o.prefix,
        path: o.path,
        package: o.package.unwrap_or_default(),
        auto_path: o.auto_path,
        tests_pattern: o.tests_pattern,
        test_file_pattern: o.test_file_pattern,
        suite_name: o.suite_name,
        ignore_dir: o.ignore_dir.into_iter().collect(),
        usecompiled: o.usecompiled,
        keepbytecode: o.keepbytecode,
        module: o.module,
        test: o.test,
        layer: o.layer,
        non_unit: o.non_unit,
        at_level: o.at_level,
        only_level: o.only_level,
        all: o.all,
        list_tests: o.list_tests,
        require_unique: o.require_unique_ids,
        // A child of -j reports dots only; zope squelches it to 0.
        verbose: if resume_layer.is_some() && o.processes > 1 {
            0
        } else {
            o.verbose.max(0) as u32
        },
        progress: o.progress,
        buffer: o.buffer,
        ndiff: o.ndiff,
        udiff: o.udiff,
        cdiff: o.cdiff,
        report_only_first_failure: o.report_only_first_failure,
        ignore_new_threads: o.ignore_new_threads,
        stop_on_error: o.stop_on_error,
        post_mortem: o.post_mortem,
        repeat: if o.leaks && o.repeat <= 1 {
            LEAK_ITERATIONS
        } else {
            o.repeat.max(1) as usize
        },
        // --leaks implies -r where there is a reference total to report.
        report_refcounts: o.report_refcounts || (o.leaks && debug_build),
        gc_after_test: o.gc_after_test,
        gc: o.gc,
        gc_option: o.gc_option,
        shuffle: o.shuffle,
        shuffle_seed: o.shuffle_seed,
        color: o.color,
        slow_test_threshold: o.slow_test_threshold,
        subunit: if o.subunit_v2 {
            Some(SubunitVersion::V2)
        } else if o.subunit {
            Some(SubunitVersion::V1)
        } else {
            None
        },
        xml_output: o.xml_output,
        coverage: o.coverage,
        profile: o.profile,
        prof_dir: o.prof_dir,
        processes: o.processes.max(1) as usize,
        child_timeout: std::env::var("LEAKRUNNER_CHILD_TIMEOUT")
            .ok()
            .and_then(|s| s.parse().ok())
            .filter(|&t: &f64| t > 0.0),
        resume_layer,
        resume_number,
        resume_after,
        original_args: o.original_testrunner_args,
        defaults,
        script_parts,
        cwd,
        warnings,
        leaks: o.leaks,
        leak_report: o.leak_report.filter(|_| o.leaks || o.report_refcounts),
        leak_html: o.leak_html.filter(|_| o.leaks || o.report_refcounts),
        leak_warmups: o.leak_warmups.unwrap_or(2).max(0) as usize,
        leak_strict: o.leak_strict,
        leak_attribution: !o.no_leak_attribution,
        leak_tracemalloc: o.leaks && o.leak_tracemalloc,
    }
}

fn run_internal_impl(
    py: Python<'_>,
    defaults: Option<Vec<String>>,
    args: Option<Vec<String>>,
    script_parts: Vec<String>,
    cwd: String,
    warnings: Option<String>,
) -> Result<bool> {
    let sys = py.import("sys")?;
    let mut args = match args {
        Some(args) => args,
        None => sys.getattr("argv")?.extract()?,
    };
    let mut defaults = defaults.unwrap_or_default();
    let resume = take_resume_args(&mut args).map(|(resume, child_defaults)| {
        defaults = child_defaults;
        resume
    });
    if resume.is_some() {
        let fake = Helpers::new(py)?.fake_input(py)?;
        sys.setattr("stdin", fake)?;
    }
    let env = PyEnvironment {
        py,
        cwd: &cwd,
        isatty: OnceCell::new(),
        colors: OnceCell::new(),
        subunit: OnceCell::new(),
    };
    let defaults_arg = if defaults.is_empty() {
        None
    } else {
        Some(defaults.as_slice())
    };
    let parsed = match options::parse_args(Path::new(&cwd), &env, defaults_arg, &args)? {
        Ok(parsed) => parsed,
        // argparse printed its help or its error.
        Err(Exited(status)) => {
            return Err(Error::Exit {
                status,
                stderr: String::new(),
            })
        }
    };
    if parsed.options.showversion {
        let report = crate::flavour::version_report(py)?;
        write(
            py,
            "stdout",
            &format!("leakrunner version {}\n{report}", env!("CARGO_PKG_VERSION")),
        )?;
        return Err(Error::Exit {
            status: 0,
            stderr: String::new(),
        });
    }
    for message in &parsed.messages {
        write(py, "stdout", message)?;
    }
    if parsed.options.gc.as_ref().is_some_and(|g| g.len() > 3) {
        write(py, "stdout", "Too many --gc options\n")?;
        return Err(Error::Exit {
            status: 1,
            stderr: String::new(),
        });
    }
    if parsed.options.fail {
        return Ok(true);
    }
    for (path, _) in &parsed.options.test_path {
        if !Path::new(path).is_dir() {
            write(
                py,
                "stderr",
                &format!("leakrunner: warning: test path {path} is not a directory\n"),
            )?;
        }
    }
    for (given, option) in [
        (parsed.options.leak_report.is_some(), "--leak-report"),
        (parsed.options.leak_html.is_some(), "--leak-html"),
    ] {
        if given && !parsed.options.leaks && !parsed.options.report_refcounts {
            write(
                py,
                "stderr",
                &format!(
                    "leakrunner: warning: {option} needs --leaks, or -N with -r: no report is written\n"
                ),
            )?;
        }
    }
    let config = run_config(
        parsed.options,
        env.has_gettotalrefcount(),
        resume,
        defaults,
        script_parts,
        cwd,
        warnings,
    );
    // -D on an import failure: the debugger was left during discovery, and
    // EndRun escapes run_internal, as zope's does (callers catch it); `run`,
    // the command line, turns it into status 1 without a traceback.
    runner::run(py, config, Vec::new()).map_err(|err| match err {
        Error::Usage(message) => match options::argparse::error(py, None, &message) {
            Ok(Exited(status)) => Error::Exit {
                status,
                stderr: String::new(),
            },
            Err(e) => Error::Python(e),
        },
        other => other,
    })
}

/// `leakrunner.run_internal`: runs the tests; returns True if any failed.
#[pyfunction]
#[pyo3(signature = (defaults=None, args=None, script_parts=None, cwd=None, warnings=None))]
pub fn run_internal(
    py: Python<'_>,
    defaults: Option<Vec<String>>,
    args: Option<Vec<String>>,
    script_parts: Option<Vec<String>>,
    cwd: Option<String>,
    warnings: Option<String>,
) -> PyResult<bool> {
    let cwd = match cwd {
        Some(cwd) => cwd,
        None => py.import("os")?.call_method0("getcwd")?.extract()?,
    };
    let script_parts = match script_parts {
        Some(parts) => parts,
        None => vec!["-m".to_owned(), "leakrunner".to_owned()],
    };
    // zope: with no warnings argument and no -W, 'default' for the run.
    let warnings = match warnings {
        Some(w) => Some(w),
        None => {
            let warnoptions = py.import("sys")?.getattr("warnoptions")?;
            let warnoptions = warnoptions.cast::<PyList>().map_err(PyErr::from)?;
            if warnoptions.is_empty() {
                Some("default".to_owned())
            } else {
                None
            }
        }
    };
    run_internal_impl(py, defaults, args, script_parts, cwd, warnings).map_err(|e| e.into_pyerr(py))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resume_arguments_are_taken_off_the_command_line() {
        let mut args: Vec<String> = [
            "prog",
            "--resume-layer",
            "pkg.L",
            "0",
            "--default",
            "--path",
            "--default",
            "/x",
            "-v",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let (resume, defaults) = take_resume_args(&mut args).unwrap();
        assert_eq!((resume.layer.as_str(), resume.number), ("pkg.L", 0));
        assert_eq!(resume.after, None);
        assert_eq!(defaults, vec!["--path", "/x"]);
        assert_eq!(args, vec!["prog", "-v"]);
        let mut resumed: Vec<String> = [
            "prog",
            "--resume-layer",
            "pkg.L",
            "0",
            "--resume-after",
            "3",
            "--default",
            "-v",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let (resume, defaults) = take_resume_args(&mut resumed).unwrap();
        assert_eq!(resume.after, Some(3));
        assert_eq!(defaults, vec!["-v"]);
        assert_eq!(resumed, vec!["prog"]);
        let mut plain: Vec<String> = vec!["prog".into(), "-v".into()];
        assert!(take_resume_args(&mut plain).is_none());
    }
}
