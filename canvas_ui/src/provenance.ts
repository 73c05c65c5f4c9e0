// Provenance over REST: searches, lineage, events, replay and content, in NiFi's shapes.
// NiFi answers searches and lineage asynchronously: submit, poll until finished, delete.

import { getJson, request, sendJson } from "./api";

export interface ProvenanceAttribute {
  name: string;
  value: string | null;
  previousValue: string | null;
}

export interface ProvenanceEvent {
  id: string;
  eventId: number;
  eventTime: string;
  eventDuration: number;
  lineageDuration: number;
  eventType: string;
  flowFileUuid: string;
  fileSize: string;
  fileSizeBytes: number;
  groupId: string;
  componentId: string;
  componentType: string;
  componentName: string;
  sourceConnectionIdentifier: string | null;
  attributes: ProvenanceAttribute[];
  parentUuids: string[];
  childUuids: string[];
  transitUri: string | null;
  relationship: string | null;
  details: string | null;
  inputContentAvailable: boolean;
  outputContentAvailable: boolean;
  replayAvailable: boolean;
  replayExplanation: string | null;
}

export interface LineageNode {
  id: string;
  type: "EVENT" | "FLOWFILE";
  eventType: string | null;
  flowFileUuid: string;
  millis: number;
  timestamp: string;
}

export interface LineageLink {
  sourceId: string;
  targetId: string;
  flowFileUuid: string;
}

export interface Lineage {
  nodes: LineageNode[];
  links: LineageLink[];
  truncated?: boolean;
}

export interface Search {
  componentId: string;
  flowFileUuid: string;
  /** datetime-local values (the browser's time zone), or "" for no bound */
  from: string;
  to: string;
  maxResults: number;
}

interface Async<T> {
  id: string;
  finished: boolean;
  results?: T;
}

const POLL_MS = 200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Submit, poll until finished, delete: the round trip of every NiFi asynchronous request. */
async function roundTrip<T>(path: string, key: "provenance" | "lineage", body: unknown): Promise<T> {
  let state = (await sendJson<Record<string, Async<T>>>("POST", path, body))[key];
  while (state && !state.finished) {
    await sleep(POLL_MS);
    state = (await getJson<Record<string, Async<T>>>(`${path}/${state.id}`))[key];
  }
  if (!state) throw new Error("The server answered without a request");
  await sendJson("DELETE", `${path}/${state.id}`).catch(() => undefined);
  if (!state.results) throw new Error("The server answered without results");
  return state.results;
}

/** NiFi's date format for provenance bounds, in UTC: "11/23/2026 15:00:00 UTC". */
export function nifiDate(local: string): string {
  const d = new Date(local);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())} UTC`;
}

export async function searchEvents(search: Search): Promise<{ events: ProvenanceEvent[]; total: number }> {
  const searchTerms: Record<string, { value: string; inverse: boolean }> = {};
  if (search.componentId) searchTerms.ProcessorID = { value: search.componentId, inverse: false };
  if (search.flowFileUuid.trim()) searchTerms.FlowFileUUID = { value: search.flowFileUuid.trim(), inverse: false };
  const query: Record<string, unknown> = { searchTerms, maxResults: search.maxResults };
  if (search.from) query.startDate = nifiDate(search.from);
  if (search.to) query.endDate = nifiDate(search.to);
  const results = await roundTrip<{ provenanceEvents: ProvenanceEvent[]; totalCount: number }>(
    "/provenance",
    "provenance",
    { provenance: { request: query } },
  );
  return { events: results.provenanceEvents, total: results.totalCount };
}

export async function lineageOf(flowFileUuid: string): Promise<Lineage> {
  return roundTrip<Lineage>("/provenance/lineage", "lineage", {
    lineage: { request: { lineageRequestType: "FLOWFILE", uuid: flowFileUuid } },
  });
}

export async function getEvent(eventId: number): Promise<ProvenanceEvent> {
  return (await getJson<{ provenanceEvent: ProvenanceEvent }>(`/provenance-events/${eventId}`)).provenanceEvent;
}

export async function replayEvent(eventId: number): Promise<ProvenanceEvent> {
  return (await sendJson<{ provenanceEvent: ProvenanceEvent }>("POST", "/provenance-events/replays", { eventId }))
    .provenanceEvent;
}

export type Side = "input" | "output";

export async function eventContent(eventId: number, side: Side): Promise<Uint8Array> {
  const response = await request(`/provenance-events/${eventId}/content/${side}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Fetch a file with the bearer token and hand it to the browser as a download. */
export async function download(path: string, fallbackName: string): Promise<string> {
  const response = await request(path);
  const disposition = response.headers.get("Content-Disposition") ?? "";
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.download = name;
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
