// Canvas edits as REST calls. Each write first reads the component's current revision, so a
// revision bumped by the engine (a run-state change) or another tab does not make it fail.

import { getJson, revisionOf, sendJson, versionQuery } from "./api";
import type { ConnectionEntity, Position, ProcessGroupEntity, ProcessorConfig, ProcessorEntity } from "./types";

/** NiFi's REST collection for each kind of canvas component. */
export const KIND_PATH: Record<string, string> = {
  PROCESSOR: "processors",
  CONNECTION: "connections",
  PROCESS_GROUP: "process-groups",
  INPUT_PORT: "input-ports",
  OUTPUT_PORT: "output-ports",
  FUNNEL: "funnels",
  LABEL: "labels",
};

interface Revisioned {
  id: string;
  revision: { version: number };
}

async function current(kind: string, id: string): Promise<Revisioned> {
  return getJson<Revisioned>(`/${KIND_PATH[kind]}/${id}`);
}

export async function createProcessor(
  groupId: string,
  type: string,
  position: Position,
  name?: string,
  config?: Partial<ProcessorConfig>,
): Promise<ProcessorEntity> {
  const component: Record<string, unknown> = { type, position };
  if (name) component.name = name;
  if (config) component.config = config;
  return sendJson<ProcessorEntity>("POST", `/process-groups/${groupId}/processors`, {
    revision: revisionOf(0),
    component,
  });
}

export async function createGroup(parentId: string, name: string, position: Position): Promise<ProcessGroupEntity> {
  return sendJson<ProcessGroupEntity>("POST", `/process-groups/${parentId}/process-groups`, {
    revision: revisionOf(0),
    component: { name, position },
  });
}

export interface ConnectionSpec {
  groupId: string;
  source: { id: string; groupId: string; type: string };
  destination: { id: string; groupId: string; type: string };
  selectedRelationships: string[];
  /** name, back pressure thresholds, expiration... kept when a connection is copied */
  settings?: Record<string, unknown>;
}

export async function createConnection(spec: ConnectionSpec): Promise<ConnectionEntity> {
  return sendJson<ConnectionEntity>("POST", `/process-groups/${spec.groupId}/connections`, {
    revision: revisionOf(0),
    component: {
      ...spec.settings,
      source: spec.source,
      destination: spec.destination,
      selectedRelationships: spec.selectedRelationships,
    },
  });
}

export async function moveComponent(kind: string, id: string, position: Position): Promise<void> {
  const entity = await current(kind, id);
  await sendJson("PUT", `/${KIND_PATH[kind]}/${id}`, {
    revision: revisionOf(entity.revision.version),
    component: { id, position },
  });
}

export async function deleteComponent(kind: string, id: string): Promise<void> {
  const entity = await current(kind, id);
  await sendJson("DELETE", `/${KIND_PATH[kind]}/${id}?${versionQuery(entity.revision.version)}`);
}

export async function getProcessor(id: string): Promise<ProcessorEntity> {
  return getJson<ProcessorEntity>(`/processors/${id}`);
}

export async function updateProcessor(
  id: string,
  component: { name?: string; config?: Partial<ProcessorConfig> },
): Promise<ProcessorEntity> {
  const entity = await current("PROCESSOR", id);
  return sendJson<ProcessorEntity>("PUT", `/processors/${id}`, {
    revision: revisionOf(entity.revision.version),
    component: { id, ...component },
  });
}

export async function setRunStatus(id: string, state: "RUNNING" | "STOPPED"): Promise<void> {
  const entity = await current("PROCESSOR", id);
  await sendJson("PUT", `/processors/${id}/run-status`, { revision: revisionOf(entity.revision.version), state });
}

export async function scheduleGroup(groupId: string, state: "RUNNING" | "STOPPED"): Promise<void> {
  await sendJson("PUT", `/flow/process-groups/${groupId}`, { id: groupId, state });
}

/** Ports, funnels and labels: created from their DTO fields (name, position, label text, size...). */
export async function createComponent(
  kind: "INPUT_PORT" | "OUTPUT_PORT" | "FUNNEL" | "LABEL",
  groupId: string,
  component: Record<string, unknown>,
): Promise<{ id: string }> {
  return sendJson<{ id: string }>("POST", `/process-groups/${groupId}/${KIND_PATH[kind]}`, {
    revision: revisionOf(0),
    component,
  });
}

/** Run ``work`` over ``items``, at most ``limit`` requests in flight (a layout of 1,000 boxes is 1,000 PUTs). */
export async function inBatches<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
