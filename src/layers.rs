//! Layers as plain data: their names and bases, zope.testrunner's ordering
//! (`order_by_bases`), and which layers to set up and tear down when moving
//! from one layer to the next.
//!
//! The ordering is observable behaviour (projects have pinned zope.testrunner
//! versions over it), so it follows zope's algorithm step for step rather
//! than any simpler equivalent: layers sorted by the names along a reversed
//! depth-first walk of their bases, then regrouped by a pre-order gathering.

use std::collections::HashSet;

/// Index of a layer in a [`LayerGraph`].
pub type LayerId = usize;

/// Every layer the run knows, with its bases (`object` left out).
#[derive(Debug, Default, Clone)]
pub struct LayerGraph {
    names: Vec<String>,
    bases: Vec<Vec<LayerId>>,
    /// The layer of tests that declare none; it sorts first.
    unit_tests: Option<LayerId>,
}

impl LayerGraph {
    pub fn new() -> LayerGraph {
        LayerGraph::default()
    }

    /// Adds a layer; its bases must have been added before it.
    pub fn add(&mut self, name: impl Into<String>, bases: Vec<LayerId>) -> LayerId {
        self.names.push(name.into());
        self.bases.push(bases);
        self.names.len() - 1
    }

    /// Adds a layer whose bases are filled in later (for cyclic discovery).
    pub fn set_bases(&mut self, layer: LayerId, bases: Vec<LayerId>) {
        self.bases[layer] = bases;
    }

    pub fn set_unit_tests(&mut self, layer: LayerId) {
        self.unit_tests = Some(layer);
    }

    pub fn unit_tests(&self) -> Option<LayerId> {
        self.unit_tests
    }

    pub fn name(&self, layer: LayerId) -> &str {
        &self.names[layer]
    }

    pub fn bases(&self, layer: LayerId) -> &[LayerId] {
        &self.bases[layer]
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// zope's `gather_layers`: the layer, then each base's gathering, in
    /// `__bases__` order, duplicates kept.
    pub fn gather(&self, layer: LayerId) -> Vec<LayerId> {
        let mut out = Vec::new();
        self.gather_into(layer, &mut out);
        out
    }

    fn gather_into(&self, layer: LayerId, out: &mut Vec<LayerId>) {
        out.push(layer);
        for &base in &self.bases[layer] {
            self.gather_into(base, out);
        }
    }

    /// zope's `layer_sort_key`: names along a depth-first walk that visits
    /// bases in reverse order and appends each layer after its bases.
    pub fn sort_key(&self, layer: LayerId) -> Vec<&str> {
        let mut seen = HashSet::new();
        let mut order = Vec::new();
        self.key_walk(layer, &mut seen, &mut order);
        order
            .into_iter()
            .filter(|&l| Some(l) != self.unit_tests)
            .map(|l| self.names[l].as_str())
            .collect()
    }

    fn key_walk(&self, layer: LayerId, seen: &mut HashSet<LayerId>, order: &mut Vec<LayerId>) {
        seen.insert(layer);
        for &base in self.bases[layer].iter().rev() {
            if !seen.contains(&base) {
                self.key_walk(base, seen, order);
            }
        }
        order.push(layer);
    }

    /// zope's `order_by_bases`: least to most specific, unit tests first,
    /// layers with common bases together, duplicates removed.
    pub fn order_by_bases(&self, layers: &[LayerId]) -> Vec<LayerId> {
        let mut sorted: Vec<(Vec<&str>, LayerId)> =
            layers.iter().map(|&l| (self.sort_key(l), l)).collect();
        // Python's sorted(reverse=True) is stable: equal keys keep their order.
        sorted.sort_by(|a, b| b.0.cmp(&a.0));
        let mut gathered = Vec::new();
        for (_, layer) in &sorted {
            self.gather_into(*layer, &mut gathered);
        }
        gathered.reverse();
        let wanted: HashSet<LayerId> = layers.iter().copied().collect();
        let mut seen = HashSet::new();
        gathered
            .into_iter()
            .filter(|l| wanted.contains(l) && seen.insert(*l))
            .collect()
    }

    /// The layers to set up, in order, so that `layer` and all its bases are
    /// set up (zope's recursive `setup_layer`), given those already set up.
    pub fn setup_plan(&self, layer: LayerId, set_up: &[LayerId]) -> Vec<LayerId> {
        let mut plan = Vec::new();
        self.plan_into(layer, set_up, &mut plan);
        plan
    }

    fn plan_into(&self, layer: LayerId, set_up: &[LayerId], plan: &mut Vec<LayerId>) {
        if set_up.contains(&layer) || plan.contains(&layer) {
            return;
        }
        for &base in &self.bases[layer] {
            self.plan_into(base, set_up, plan);
        }
        plan.push(layer);
    }

    /// The layers to tear down, in order, before running `next` (zope's
    /// `tear_down_unneeded`): every set-up layer that `next` does not need,
    /// most specific first. With `next` = None, all of them.
    pub fn teardown_plan(&self, next: Option<LayerId>, set_up: &[LayerId]) -> Vec<LayerId> {
        let needed: HashSet<LayerId> = next
            .map(|l| self.gather(l).into_iter().collect())
            .unwrap_or_default();
        let unneeded: Vec<LayerId> = set_up
            .iter()
            .copied()
            .filter(|l| !needed.contains(l))
            .collect();
        let mut plan = self.order_by_bases(&unneeded);
        plan.reverse();
        plan
    }

    /// The layers whose testSetUp runs around each test of `layer`, bases
    /// first (testTearDown runs in the reverse order).
    pub fn test_setup_order(&self, layer: LayerId) -> Vec<LayerId> {
        self.order_by_bases(&self.gather(layer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a graph from `name: base base` lines; bases must come first.
    fn graph(spec: &[&str]) -> LayerGraph {
        let mut g = LayerGraph::new();
        for line in spec {
            let (name, bases) = line.split_once(':').unwrap_or((line, ""));
            let bases = bases
                .split_whitespace()
                .map(|b| {
                    (0..g.len())
                        .find(|&i| g.name(i) == b)
                        .unwrap_or_else(|| panic!("base {b}"))
                })
                .collect();
            let id = g.add(name.trim(), bases);
            if name.trim() == "UnitTests" {
                g.set_unit_tests(id);
            }
        }
        g
    }

    fn ids(g: &LayerGraph, names: &str) -> Vec<LayerId> {
        names
            .split(", ")
            .map(|n| {
                (0..g.len())
                    .find(|&i| g.name(i) == n)
                    .unwrap_or_else(|| panic!("layer {n}"))
            })
            .collect()
    }

    fn order(g: &LayerGraph, names: &str) -> String {
        let ordered = g.order_by_bases(&ids(g, names));
        ordered
            .iter()
            .map(|&l| g.name(l))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn key(g: &LayerGraph, name: &str) -> String {
        g.sort_key(ids(g, name)[0]).join(", ")
    }

    // The shapes and orders zope.testrunner 8.3 pins in its own tests.
    #[test]
    fn unit_tests_first_then_grouped_by_bases() {
        let g = graph(&["UnitTests", "A", "A1: A", "A2: A", "B", "AB: A B"]);
        assert_eq!(
            order(&g, "B, A1, A2, A1, AB, UnitTests"),
            "UnitTests, A1, A2, B, AB"
        );
        assert_eq!(key(&g, "UnitTests"), "");
        assert_eq!(key(&g, "AB"), "B, A, AB");
    }

    #[test]
    fn sorted_by_base_names_not_own_names() {
        let g = graph(&["X", "Y", "Z", "A: Y", "B: X", "C: Z"]);
        assert_eq!(order(&g, "A, B, C"), "B, A, C");
    }

    #[test]
    fn diamond() {
        let g = graph(&["A", "B: A", "C: B", "D: A", "E: D", "F: C E"]);
        assert_eq!(order(&g, "A, B, C, D, E, F"), "A, B, C, D, E, F");
        assert_eq!(key(&g, "F"), "A, D, E, B, C, F");
        assert_eq!(order(&g, "B, E"), "B, E");
    }

    #[test]
    fn shared_setup_trumps_alphabetical_order() {
        let g = graph(&[
            "A",
            "AB: A",
            "AC: A",
            "AAAABD: AB",
            "ZZZABE: AB",
            "MMMACF: AC",
        ]);
        assert_eq!(
            order(&g, "AAAABD, MMMACF, ZZZABE"),
            "AAAABD, ZZZABE, MMMACF"
        );
    }

    #[test]
    fn multiple_inheritance() {
        let g = graph(&[
            "Layer1",
            "Layerx",
            "Layer11: Layer1",
            "Layer12: Layer1",
            "Layer111: Layerx Layer11",
            "Layer121: Layer12",
            "Layer112: Layerx Layer11",
            "Layer122: Layer12",
        ]);
        assert_eq!(
            order(
                &g,
                "Layer1, Layer11, Layer12, Layer111, Layer112, Layer121, Layer122"
            ),
            "Layer1, Layer11, Layer111, Layer112, Layer12, Layer121, Layer122"
        );
        assert_eq!(order(&g, "Layer111, Layer12"), "Layer111, Layer12");
        assert_eq!(
            order(&g, "Layerx, Layer1, Layer11, Layer112"),
            "Layer1, Layer11, Layerx, Layer112"
        );
        assert_eq!(key(&g, "Layer111"), "Layer1, Layer11, Layerx, Layer111");
    }

    #[test]
    fn reversed_tree() {
        let g = graph(&["F", "E", "D", "C: D F", "B: D E", "A: B C"]);
        assert_eq!(order(&g, "A, B, C"), "B, C, A");
        assert_eq!(order(&g, "A, B, C, D, E, F"), "D, E, B, F, C, A");
    }

    #[test]
    fn mro_is_complicated() {
        let g = graph(&[
            "A",
            "B",
            "C",
            "D",
            "E",
            "K1: A B C",
            "K2: D B E",
            "K3: D A",
            "ZZ: K1 K2 K3",
        ]);
        assert_eq!(order(&g, "K1, K2, K3, ZZ"), "K3, K2, K1, ZZ");
    }

    #[test]
    fn setup_plan_sets_bases_up_once() {
        let g = graph(&["Base", "A: Base", "B: Base", "L: A B"]);
        let plan = g.setup_plan(ids(&g, "L")[0], &[]);
        assert_eq!(plan, ids(&g, "Base, A, B, L"));
        let plan = g.setup_plan(ids(&g, "L")[0], &ids(&g, "Base, A"));
        assert_eq!(plan, ids(&g, "B, L"));
    }

    #[test]
    fn teardown_plan_keeps_what_is_needed() {
        let g = graph(&["L1", "L11: L1", "L111: L11", "L112: L11", "L12: L1"]);
        let set_up = ids(&g, "L1, L11, L111");
        assert_eq!(
            g.teardown_plan(Some(ids(&g, "L112")[0]), &set_up),
            ids(&g, "L111")
        );
        let set_up = ids(&g, "L1, L11, L112");
        assert_eq!(
            g.teardown_plan(Some(ids(&g, "L12")[0]), &set_up),
            ids(&g, "L112, L11")
        );
        assert_eq!(g.teardown_plan(None, &set_up), ids(&g, "L112, L11, L1"));
    }

    #[test]
    fn test_setup_runs_bases_first() {
        let g = graph(&["Base", "A: Base", "B: Base", "L: A B"]);
        assert_eq!(
            g.test_setup_order(ids(&g, "L")[0]),
            ids(&g, "Base, A, B, L")
        );
    }
}
