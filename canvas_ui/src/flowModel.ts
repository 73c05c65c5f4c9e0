// Turning a group's flow (GET /flow/process-groups/{id}) into React Flow nodes and edges.

import { MarkerType, Position as Side, type NodeHandle } from "@xyflow/react";
import type { QueueEdgeType } from "./edges";
import type { CanvasNode } from "./nodes";
import type { ConnectionEntity, Flow, Position } from "./types";

export type Kind = "PROCESSOR" | "PROCESS_GROUP" | "INPUT_PORT" | "OUTPUT_PORT" | "FUNNEL" | "LABEL";

export function kindOf(node: CanvasNode): Kind {
  switch (node.type) {
    case "processor":
      return "PROCESSOR";
    case "processGroup":
      return "PROCESS_GROUP";
    case "port":
      return node.data.direction === "input" ? "INPUT_PORT" : "OUTPUT_PORT";
    case "funnel":
      return "FUNNEL";
    case "label":
      return "LABEL";
  }
}

export function nameOf(node: CanvasNode): string {
  switch (node.type) {
    case "processor":
    case "processGroup":
    case "port":
      return node.data.entity.component.name;
    case "funnel":
      return "Funnel";
    case "label":
      return "Label";
  }
}

/** A processor box's size and handles (styles.css), known before it is drawn. */
const PROCESSOR = { width: 300, height: 124, handle: 12 };
const PROCESSOR_HANDLES: NodeHandle[] = [
  { type: "target", position: Side.Top, x: PROCESSOR.width / 2 - 6, y: -6, width: PROCESSOR.handle, height: PROCESSOR.handle },
  { type: "source", position: Side.Bottom, x: PROCESSOR.width / 2 - 6, y: PROCESSOR.height - 6, width: PROCESSOR.handle, height: PROCESSOR.handle },
];

function at(position: Position | undefined): Position {
  return { x: position?.x ?? 0, y: position?.y ?? 0 };
}

export function buildNodes(flow: Flow, selected: Set<string>): CanvasNode[] {
  const nodes: CanvasNode[] = [];
  const common = (id: string, position: Position | undefined) => ({ id, position: at(position), selected: selected.has(id) });
  for (const entity of flow.labels) nodes.push({ ...common(entity.id, entity.position), type: "label", data: { entity }, zIndex: -1 });
  for (const entity of flow.processGroups) nodes.push({ ...common(entity.id, entity.position), type: "processGroup", data: { entity } });
  // Known size and handles let React Flow skip drawing (and measuring) the boxes off screen:
  // without them it draws all of a 1,000-processor flow once, on every refresh.
  for (const entity of flow.processors)
    nodes.push({
      ...common(entity.id, entity.position),
      type: "processor",
      data: { entity },
      initialWidth: PROCESSOR.width,
      initialHeight: PROCESSOR.height,
      handles: PROCESSOR_HANDLES,
    });
  for (const entity of flow.inputPorts)
    nodes.push({ ...common(entity.id, entity.position), type: "port", data: { entity, direction: "input" } });
  for (const entity of flow.outputPorts)
    nodes.push({ ...common(entity.id, entity.position), type: "port", data: { entity, direction: "output" } });
  for (const entity of flow.funnels) nodes.push({ ...common(entity.id, entity.position), type: "funnel", data: { entity } });
  return nodes;
}

export function buildEdges(
  flow: Flow,
  selected: Set<string>,
  onOpen: (id: string) => void,
  onMenu: (id: string, x: number, y: number) => void,
): QueueEdgeType[] {
  const ids = new Set<string>([
    ...flow.processors.map((p) => p.id),
    ...flow.processGroups.map((g) => g.id),
    ...flow.inputPorts.map((p) => p.id),
    ...flow.outputPorts.map((p) => p.id),
    ...flow.funnels.map((f) => f.id),
  ]);
  // A connection to or from a port inside a child group is drawn to that group's box.
  const end = (id: string, groupId: string) => (ids.has(id) ? id : groupId);
  return flow.connections.map((entity: ConnectionEntity) => ({
    id: entity.id,
    type: "queue",
    source: end(entity.sourceId, entity.sourceGroupId),
    target: end(entity.destinationId, entity.destinationGroupId),
    selected: selected.has(entity.id),
    markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18 },
    data: { entity, onOpen, onMenu },
  }));
}
