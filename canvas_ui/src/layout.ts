// Layered (Sugiyama) layout with dagre: the lineage graph and the canvas's auto-layout.

import { Graph, layout } from "@dagrejs/dagre";
import type { Position } from "./types";

export interface LayoutBox {
  id: string;
  width: number;
  height: number;
}

export interface LayoutOptions {
  direction?: "TB" | "LR";
  nodeGap?: number;
  rankGap?: number;
}

/** Top-left positions of the boxes, ranked along the edges (top to bottom by default). */
export function layered(
  boxes: LayoutBox[],
  edges: { source: string; target: string }[],
  { direction = "TB", nodeGap = 60, rankGap = 90 }: LayoutOptions = {},
): Map<string, Position> {
  const graph = new Graph({ multigraph: true });
  graph.setGraph({ rankdir: direction, nodesep: nodeGap, ranksep: rankGap, marginx: 0, marginy: 0 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const box of boxes) graph.setNode(box.id, { width: box.width, height: box.height });
  edges.forEach((edge, i) => {
    if (graph.hasNode(edge.source) && graph.hasNode(edge.target)) graph.setEdge(edge.source, edge.target, {}, `e${i}`);
  });
  layout(graph);
  const positions = new Map<string, Position>();
  for (const box of boxes) {
    const node = graph.node(box.id) as { x: number; y: number } | undefined;
    if (node) positions.set(box.id, { x: Math.round(node.x - box.width / 2), y: Math.round(node.y - box.height / 2) });
  }
  return positions;
}
