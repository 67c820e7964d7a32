//! petgraph's visitor traits on [`FamilyGraph`], so petgraph algorithms (`toposort`,
//! `kosaraju_scc`, `Dfs`, `Bfs`, `DfsPostOrder`, `has_path_connecting`, dominators...) run on the
//! biological parent → child graph without copying it. Nodes are [`PersonIx`]; `Outgoing`
//! neighbours are biological children, `Incoming` neighbours biological parents. Removed people
//! are not listed by `node_identifiers`.
//!
//! Beware that some petgraph algorithms recurse (`tarjan_scc`, `depth_first_search`): on
//! pathologically deep pedigrees prefer the iterative ones (`toposort`, `kosaraju_scc`, `Dfs`).

use fixedbitset::FixedBitSet;
use petgraph::visit::{
    GraphBase, IntoNeighbors, IntoNeighborsDirected, IntoNodeIdentifiers, NodeCount, NodeIndexable, Visitable,
};
use petgraph::Direction;

use crate::graph::{Children, FamilyGraph, PersonIx, NONE};

impl GraphBase for FamilyGraph {
    type NodeId = PersonIx;
    /// (parent, child)
    type EdgeId = (PersonIx, PersonIx);
}

impl<'a> IntoNeighbors for &'a FamilyGraph {
    type Neighbors = Children<'a>;
    fn neighbors(self, a: PersonIx) -> Children<'a> {
        self.biological_children(a)
    }
}

/// Children or parents of one person.
pub struct Neighbors<'a> {
    children: Option<Children<'a>>,
    parents: [PersonIx; 2],
    at: usize,
}

impl Iterator for Neighbors<'_> {
    type Item = PersonIx;
    fn next(&mut self) -> Option<PersonIx> {
        if let Some(c) = &mut self.children {
            return c.next();
        }
        while self.at < 2 {
            let p = self.parents[self.at];
            self.at += 1;
            if p != NONE {
                return Some(p);
            }
        }
        None
    }
}

impl<'a> IntoNeighborsDirected for &'a FamilyGraph {
    type NeighborsDirected = Neighbors<'a>;
    fn neighbors_directed(self, n: PersonIx, d: Direction) -> Neighbors<'a> {
        match d {
            Direction::Outgoing => Neighbors { children: Some(self.biological_children(n)), parents: [NONE; 2], at: 2 },
            Direction::Incoming => Neighbors { children: None, parents: self.bio_parent_pair(n), at: 0 },
        }
    }
}

/// Indices of the people in the graph.
pub struct NodeIds<'a> {
    g: &'a FamilyGraph,
    next: usize,
}

impl Iterator for NodeIds<'_> {
    type Item = PersonIx;
    fn next(&mut self) -> Option<PersonIx> {
        while self.next < self.g.index_bound() {
            let ix = self.next as PersonIx;
            self.next += 1;
            if self.g.is_alive(ix) {
                return Some(ix);
            }
        }
        None
    }
}

impl<'a> IntoNodeIdentifiers for &'a FamilyGraph {
    type NodeIdentifiers = NodeIds<'a>;
    fn node_identifiers(self) -> NodeIds<'a> {
        NodeIds { g: self, next: 0 }
    }
}

impl NodeIndexable for FamilyGraph {
    fn node_bound(&self) -> usize {
        self.index_bound()
    }
    fn to_index(&self, a: PersonIx) -> usize {
        a as usize
    }
    fn from_index(&self, i: usize) -> PersonIx {
        i as PersonIx
    }
}

impl NodeCount for FamilyGraph {
    fn node_count(&self) -> usize {
        self.len()
    }
}

impl Visitable for FamilyGraph {
    type Map = FixedBitSet;
    fn visit_map(&self) -> FixedBitSet {
        FixedBitSet::with_capacity(self.index_bound())
    }
    fn reset_map(&self, map: &mut FixedBitSet) {
        map.clear();
        map.grow(self.index_bound());
    }
}
