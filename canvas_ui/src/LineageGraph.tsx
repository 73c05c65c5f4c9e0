// A FlowFile's lineage on a small canvas of its own: events and FlowFiles, ranked in time order.

import { Handle, Position, ReactFlow, ReactFlowProvider, MarkerType, type Edge, type Node, type NodeProps } from "@xyflow/react";
import { useMemo } from "react";
import { layered } from "./layout";
import type { Lineage, LineageNode } from "./provenance";

type LineageNodeType = Node<{ node: LineageNode; selected: boolean; focus: boolean }, "event" | "flowfile">;

const EVENT_SIZE = 64;
const FLOWFILE_SIZE = 26;

/** The event id of a lineage node ("event:12"), or null for a FlowFile node. */
export function eventIdOf(nodeId: string): number | null {
  return nodeId.startsWith("event:") ? Number(nodeId.slice("event:".length)) : null;
}

function EventNode({ data }: NodeProps<LineageNodeType>) {
  const type = data.node.eventType ?? "";
  return (
    <div
      className={`lineage-event type-${type.toLowerCase()} ${data.selected ? "selected" : ""}`}
      title={`${type} at ${data.node.timestamp}\nFlowFile ${data.node.flowFileUuid}\nClick for the event's details`}
      data-testid="lineage-node"
      data-event-type={type}
    >
      <Handle type="target" position={Position.Top} isConnectable={false} className="lineage-handle" />
      <span>{type.replace(/_/g, " ")}</span>
      <Handle type="source" position={Position.Bottom} isConnectable={false} className="lineage-handle" />
    </div>
  );
}

function FlowFileNode({ data }: NodeProps<LineageNodeType>) {
  return (
    <div
      className={`lineage-flowfile ${data.focus ? "focus" : ""}`}
      title={`FlowFile ${data.node.flowFileUuid}`}
      data-testid="lineage-flowfile"
    >
      <Handle type="target" position={Position.Top} isConnectable={false} className="lineage-handle" />
      <Handle type="source" position={Position.Bottom} isConnectable={false} className="lineage-handle" />
    </div>
  );
}

const nodeTypes = { event: EventNode, flowfile: FlowFileNode };

export function LineageGraph({
  lineage,
  focusUuid,
  selectedEventId,
  onSelectEvent,
}: {
  lineage: Lineage;
  focusUuid: string;
  selectedEventId: number | null;
  onSelectEvent: (eventId: number) => void;
}) {
  const { nodes, edges } = useMemo(() => {
    const size = (n: LineageNode) => (n.type === "EVENT" ? EVENT_SIZE : FLOWFILE_SIZE);
    const positions = layered(
      lineage.nodes.map((n) => ({ id: n.id, width: size(n), height: size(n) })),
      lineage.links.map((l) => ({ source: l.sourceId, target: l.targetId })),
      { nodeGap: 40, rankGap: 46 },
    );
    const nodes: LineageNodeType[] = lineage.nodes.map((n) => ({
      id: n.id,
      type: n.type === "EVENT" ? "event" : "flowfile",
      position: positions.get(n.id) ?? { x: 0, y: 0 },
      data: { node: n, selected: eventIdOf(n.id) === selectedEventId, focus: n.flowFileUuid === focusUuid },
      draggable: false,
      connectable: false,
    }));
    const edges: Edge[] = lineage.links.map((l, i) => ({
      id: `l${i}`,
      source: l.sourceId,
      target: l.targetId,
      className: l.flowFileUuid === focusUuid ? "lineage-link focus" : "lineage-link",
      markerEnd: { type: MarkerType.ArrowClosed, width: 14, height: 14 },
    }));
    return { nodes, edges };
  }, [lineage, focusUuid, selectedEventId]);

  return (
    <ReactFlowProvider>
      <div className="lineage" data-testid="lineage">
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          fitView
          fitViewOptions={{ maxZoom: 1.2, padding: 0.15 }}
          nodesConnectable={false}
          elementsSelectable={false}
          onNodeClick={(_e, node) => {
            const id = eventIdOf(node.id);
            if (id !== null) onSelectEvent(id);
          }}
          minZoom={0.1}
          proOptions={{ hideAttribution: true }}
        />
      </div>
    </ReactFlowProvider>
  );
}
