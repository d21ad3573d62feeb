//! Reading one series of per-iteration changes: is it flat, a steady or
//! accelerating growth, a growth that slowed down and stopped, or too
//! irregular to say. The rules are regrtest's at heart (a leak grows in
//! every counted iteration), with what a cache that fills looks like kept
//! apart: growth that slows down is never called a leak.

use serde::{Deserialize, Serialize};

/// What a series of changes says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "trend", rename_all = "snake_case")]
pub enum Trend {
    /// Nothing grows (all zero, or it shrinks or wobbles around zero).
    Flat,
    /// Grew, then stopped for the last iterations: a cache that filled.
    Stopped,
    /// Grows in every iteration, about this much each time.
    Steady { per_iteration: f64 },
    /// Grows in every iteration, and more each time.
    Accelerating { per_iteration: f64 },
    /// Grows in every iteration but less and less: this many more
    /// iterations would show whether it stops.
    Slowing { more_iterations: usize },
    /// Grows in some iterations and not in others: this many more
    /// iterations would show whether it keeps growing.
    Irregular { more_iterations: usize },
}

impl Trend {
    /// A growth in every counted iteration that does not slow down.
    pub fn is_leak(&self) -> bool {
        matches!(self, Trend::Steady { .. } | Trend::Accelerating { .. })
    }

    /// The iterations that would settle an undecided series.
    pub fn more_iterations(&self) -> Option<usize> {
        match self {
            Trend::Slowing { more_iterations } | Trend::Irregular { more_iterations } => {
                Some(*more_iterations)
            }
            _ => None,
        }
    }

    pub fn per_iteration(&self) -> f64 {
        match self {
            Trend::Steady { per_iteration } | Trend::Accelerating { per_iteration } => {
                *per_iteration
            }
            _ => 0.0,
        }
    }
}

/// The fewest counted iterations a leak verdict rests on.
pub const MIN_COUNTED: usize = 2;

/// Reads the changes of the counted iterations, oldest first.
pub fn classify(deltas: &[i64]) -> Trend {
    let n = deltas.len();
    if n == 0 || deltas.iter().all(|&d| d == 0) {
        return Trend::Flat;
    }
    let sum: i64 = deltas.iter().sum();
    if deltas.iter().all(|&d| d >= 1) {
        if n < MIN_COUNTED {
            return Trend::Irregular {
                more_iterations: MIN_COUNTED - n + 1,
            };
        }
        let first = deltas[0];
        let last = deltas[n - 1];
        // The same growth in the last three iterations, after a larger one:
        // what slowed down has settled at a rate that no longer slows (else
        // "more iterations" could never settle it, the first delta staying
        // in the window). The settled rate is the leak's.
        if n >= 4 && deltas[n - 3..].iter().all(|&d| d == last) {
            return Trend::Steady {
                per_iteration: last as f64,
            };
        }
        let non_increasing = deltas.windows(2).all(|w| w[1] <= w[0]);
        if non_increasing && last * 2 <= first {
            return Trend::Slowing {
                more_iterations: iterations_to_stop(deltas),
            };
        }
        let per_iteration = sum as f64 / n as f64;
        if n >= 3 && deltas.windows(2).all(|w| w[1] > w[0]) {
            return Trend::Accelerating { per_iteration };
        }
        return Trend::Steady { per_iteration };
    }
    if sum <= 0 {
        return Trend::Flat;
    }
    let trailing_zeros = deltas.iter().rev().take_while(|&&d| d == 0).count();
    if trailing_zeros >= MIN_COUNTED {
        return Trend::Stopped;
    }
    let growing = deltas.iter().filter(|&&d| d > 0).count();
    let grown: i64 = deltas.iter().filter(|&&d| d > 0).sum();
    // Most iterations grow, and what shrank gave back less than half of it.
    if growing * 2 >= n && sum * 2 > grown {
        Trend::Irregular {
            more_iterations: n.max(MIN_COUNTED),
        }
    } else {
        // One growth among mostly quiet iterations: noise, as regrtest
        // also judges it ([0, 1, 0], [3, 0, 0]).
        Trend::Flat
    }
}

/// For a slowing growth, the iterations until it would fall below one per
/// iteration at its current rate of slowing (at least two, at most 20).
fn iterations_to_stop(deltas: &[i64]) -> usize {
    let n = deltas.len();
    let last = deltas[n - 1] as f64;
    let before = deltas[n - 2] as f64;
    let ratio = (last / before).min(0.95);
    let needed = if last <= 1.0 {
        MIN_COUNTED as f64
    } else {
        (1.0 / last).ln() / ratio.ln() + MIN_COUNTED as f64
    };
    (needed.ceil() as usize).clamp(MIN_COUNTED, 20)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_read_as_their_trend() {
        let steady = |p: f64| Trend::Steady { per_iteration: p };
        let cases: &[(&[i64], Trend)] = &[
            (&[], Trend::Flat),
            (&[0, 0, 0, 0], Trend::Flat),
            (&[4, 4, 4, 4], steady(4.0)),
            (&[1, 1], steady(1.0)),
            (&[5, 5, 6], steady(16.0 / 3.0)),
            (&[10, 1, 1, 1], steady(1.0)),
            (&[2, 1, 1, 1], steady(1.0)),
            (&[10, 2, 1, 1], Trend::Slowing { more_iterations: 2 }),
            (&[10, 2, 1, 1, 1], steady(1.0)),
            (&[10, 1, 1], Trend::Slowing { more_iterations: 2 }),
            (&[1, 2, 3, 4], Trend::Accelerating { per_iteration: 2.5 }),
            (&[6, 5, 5, 4], steady(5.0)),
            (&[16, 8, 4, 2], Trend::Slowing { more_iterations: 3 }),
            (&[3, 1, 0, 0], Trend::Stopped),
            (&[8, -8, 1], Trend::Flat),
            (&[0, 1, 0], Trend::Flat),
            (&[3, 0, 0], Trend::Stopped),
            (&[1, -1, 1, -1], Trend::Flat),
            (&[-2, -2, -2], Trend::Flat),
            (&[1, 0, 1, 0], Trend::Irregular { more_iterations: 4 }),
            (&[2, 2, 2, 0], Trend::Irregular { more_iterations: 4 }),
            (&[0, 0, 0, 1], Trend::Flat),
            (&[3, 3, -1, 3], Trend::Irregular { more_iterations: 4 }),
            (&[3], Trend::Irregular { more_iterations: 2 }),
        ];
        for (deltas, want) in cases {
            assert_eq!(&classify(deltas), want, "{deltas:?}");
        }
    }

    #[test]
    fn only_unslowed_growth_in_every_iteration_is_a_leak() {
        assert!(classify(&[1, 1, 1]).is_leak());
        assert!(classify(&[1, 3, 9]).is_leak());
        assert!(!classify(&[9, 3, 1]).is_leak());
        assert!(!classify(&[1, 0, 1]).is_leak());
        assert!(!classify(&[1]).is_leak());
    }
}
