//! Minimum-cost flow by successive shortest paths with Dijkstra and node potentials
//! (Edmonds & Karp 1972; Ahuja, Magnanti & Orlin 1993, ch. 9), pushing the bottleneck of
//! each path.
//!
//! Hand-written: the maintained Rust options are `mcmf` (LEMON's network simplex through
//! the long-deprecated `gcc` build crate) and `rs-graph` (GPL-3.0, while this workspace is
//! MIT). The scheduling networks are small (people grouped into classes of identical
//! people), so a plain, exact algorithm suffices.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

#[derive(Debug, Clone)]
struct Edge {
    to: usize,
    capacity: i64,
    cost: i64,
    flow: i64,
}

/// A flow network with integer capacities and costs.
#[derive(Debug, Clone, Default)]
pub struct MinCostFlow {
    adjacency: Vec<Vec<usize>>,
    edges: Vec<Edge>,
}

impl MinCostFlow {
    /// A network with `nodes` nodes.
    pub fn new(nodes: usize) -> Self {
        MinCostFlow {
            adjacency: vec![Vec::new(); nodes],
            edges: Vec::new(),
        }
    }

    /// Add an arc; returns its id. Costs must be non-negative (checked by the caller's
    /// construction: all scheduling costs are).
    pub fn add_edge(&mut self, from: usize, to: usize, capacity: i64, cost: i64) -> usize {
        let id = self.edges.len();
        self.edges.push(Edge {
            to,
            capacity,
            cost,
            flow: 0,
        });
        self.edges.push(Edge {
            to: from,
            capacity: 0,
            cost: -cost,
            flow: 0,
        });
        self.adjacency[from].push(id);
        self.adjacency[to].push(id + 1);
        id
    }

    /// Flow on arc `id`.
    pub fn flow(&self, id: usize) -> i64 {
        self.edges[id].flow
    }

    /// Send up to `limit` units from `source` to `sink` at least cost: (flow, cost).
    pub fn run(&mut self, source: usize, sink: usize, limit: i64) -> (i64, i64) {
        let n = self.adjacency.len();
        let mut potential = vec![0i64; n];
        let (mut flow, mut cost) = (0i64, 0i64);
        let mut dist = vec![i64::MAX; n];
        let mut via = vec![usize::MAX; n];
        while flow < limit {
            dist.iter_mut().for_each(|d| *d = i64::MAX);
            via.iter_mut().for_each(|v| *v = usize::MAX);
            dist[source] = 0;
            let mut heap = BinaryHeap::new();
            heap.push(Reverse((0i64, source)));
            while let Some(Reverse((d, u))) = heap.pop() {
                if d > dist[u] {
                    continue;
                }
                for &e in &self.adjacency[u] {
                    let edge = &self.edges[e];
                    if edge.capacity - edge.flow <= 0 {
                        continue;
                    }
                    let nd = d + edge.cost + potential[u] - potential[edge.to];
                    if nd < dist[edge.to] {
                        dist[edge.to] = nd;
                        via[edge.to] = e;
                        heap.push(Reverse((nd, edge.to)));
                    }
                }
            }
            if dist[sink] == i64::MAX {
                break;
            }
            for v in 0..n {
                if dist[v] < i64::MAX {
                    potential[v] += dist[v];
                }
            }
            let mut push = limit - flow;
            let mut v = sink;
            while v != source {
                let e = via[v];
                push = push.min(self.edges[e].capacity - self.edges[e].flow);
                v = self.edges[e ^ 1].to;
            }
            let mut v = sink;
            while v != source {
                let e = via[v];
                self.edges[e].flow += push;
                self.edges[e ^ 1].flow -= push;
                cost += push * self.edges[e].cost;
                v = self.edges[e ^ 1].to;
            }
            flow += push;
        }
        (flow, cost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_network_matches_hand_solution() {
        // Two paths from 0 to 3: cheap (cost 1+1, capacity 2) and dear (cost 5, capacity 5).
        let mut g = MinCostFlow::new(4);
        let a = g.add_edge(0, 1, 2, 1);
        g.add_edge(1, 3, 2, 1);
        let c = g.add_edge(0, 2, 5, 0);
        g.add_edge(2, 3, 5, 5);
        assert_eq!(g.run(0, 3, 4), (4, 2 * 2 + 2 * 5));
        assert_eq!((g.flow(a), g.flow(c)), (2, 2));
    }
}
