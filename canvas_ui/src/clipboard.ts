// Copy and paste of a selection: components and the connections between them, re-created with new
// ids at an offset. What is copied is read from the server at copy time, so a paste is exact.

import { kindOf, type Kind } from "./flowModel";
import type { CanvasNode } from "./nodes";
import { createComponent, createConnection, createProcessor, deleteComponent, getProcessor } from "./ops";
import type { Flow, Position, ProcessorConfig } from "./types";

interface CopiedProcessor {
  kind: "PROCESSOR";
  id: string;
  position: Position;
  type: string;
  name: string;
  config: Partial<ProcessorConfig>;
}

interface CopiedSimple {
  kind: "INPUT_PORT" | "OUTPUT_PORT" | "FUNNEL" | "LABEL";
  id: string;
  position: Position;
  fields: Record<string, unknown>;
}

interface CopiedConnection {
  id: string;
  source: { id: string; type: string };
  destination: { id: string; type: string };
  selectedRelationships: string[];
  settings: Record<string, unknown>;
}

export interface Clip {
  items: (CopiedProcessor | CopiedSimple)[];
  connections: CopiedConnection[];
  /** components that cannot be copied (process groups) */
  skipped: number;
}

export interface Created {
  kind: Kind | "CONNECTION";
  id: string;
}

async function copyNode(node: CanvasNode): Promise<CopiedProcessor | CopiedSimple | null> {
  const position = { ...node.position };
  switch (node.type) {
    case "processor": {
      const p = await getProcessor(node.id);
      const c = p.component.config;
      const properties: Record<string, string> = {};
      for (const [key, value] of Object.entries(c.properties))
        if (value !== null && !c.descriptors[key]?.sensitive) properties[key] = value;
      return {
        kind: "PROCESSOR",
        id: node.id,
        position,
        type: p.component.type,
        name: p.component.name,
        config: {
          properties,
          schedulingPeriod: c.schedulingPeriod,
          schedulingStrategy: c.schedulingStrategy,
          concurrentlySchedulableTaskCount: c.concurrentlySchedulableTaskCount,
          autoTerminatedRelationships: c.autoTerminatedRelationships,
          penaltyDuration: c.penaltyDuration,
          yieldDuration: c.yieldDuration,
        },
      };
    }
    case "port":
      return { kind: kindOf(node) as CopiedSimple["kind"], id: node.id, position, fields: { name: node.data.entity.component.name } };
    case "funnel":
      return { kind: "FUNNEL", id: node.id, position, fields: {} };
    case "label": {
      const { label, width, height, style } = node.data.entity.component;
      return { kind: "LABEL", id: node.id, position, fields: { label, width, height, style } };
    }
    case "processGroup":
      return null;
  }
}

export async function copySelection(selected: CanvasNode[], flow: Flow): Promise<Clip> {
  const copied = await Promise.all(selected.map(copyNode));
  const items = copied.filter((c): c is CopiedProcessor | CopiedSimple => c !== null);
  const ids = new Set(items.map((i) => i.id));
  const connections = flow.connections
    .filter((c) => ids.has(c.sourceId) && ids.has(c.destinationId))
    .map((c) => ({
      id: c.id,
      source: { id: c.sourceId, type: c.sourceType },
      destination: { id: c.destinationId, type: c.destinationType },
      selectedRelationships: c.component.selectedRelationships,
      settings: {
        name: c.component.name,
        backPressureObjectThreshold: c.component.backPressureObjectThreshold,
        backPressureDataSizeThreshold: c.component.backPressureDataSizeThreshold,
        flowFileExpiration: c.component.flowFileExpiration,
      },
    }));
  return { items, connections, skipped: copied.length - items.length };
}

/** Create the clip's components in ``groupId``, shifted by ``offset``; returns what was created, in order. */
export async function pasteClip(clip: Clip, groupId: string, offset: Position): Promise<Created[]> {
  const created: Created[] = [];
  const newIds = new Map<string, string>();
  const at = (p: Position) => ({ x: p.x + offset.x, y: p.y + offset.y });
  try {
    for (const item of clip.items) {
      const id =
        item.kind === "PROCESSOR"
          ? (await createProcessor(groupId, item.type, at(item.position), item.name, item.config)).id
          : (await createComponent(item.kind, groupId, { ...item.fields, position: at(item.position) })).id;
      newIds.set(item.id, id);
      created.push({ kind: item.kind, id });
    }
    for (const c of clip.connections) {
      const made = await createConnection({
        groupId,
        source: { id: newIds.get(c.source.id) ?? "", groupId, type: c.source.type },
        destination: { id: newIds.get(c.destination.id) ?? "", groupId, type: c.destination.type },
        selectedRelationships: c.selectedRelationships,
        settings: c.settings,
      });
      created.push({ kind: "CONNECTION", id: made.id });
    }
  } catch (error) {
    await removeCreated(created).catch(() => undefined); // a half paste is worse than none
    throw error;
  }
  return created;
}

/** Delete pasted components: connections first, as the server requires. */
export async function removeCreated(created: Created[]): Promise<void> {
  for (const c of created.filter((c) => c.kind === "CONNECTION")) await deleteComponent("CONNECTION", c.id);
  for (const c of created.filter((c) => c.kind !== "CONNECTION")) await deleteComponent(c.kind, c.id);
}
