// Live status from the server's websocket (/nifi-api/flow/live): a snapshot, then per-second diffs.
// The socket reconnects by itself; while it is down the canvas shows a banner.

import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { API, getToken, reportReachable, setToken } from "./api";
import type { LiveRecord } from "./types";

export type LiveRecords = Record<string, LiveRecord>;

const SERIES_LENGTH = 60;

/**
 * The latest record of every component. Each box subscribes to its own id, so a status tick
 * re-renders only the boxes whose numbers changed, not a 1,000-processor canvas.
 */
export class LiveStore {
  private records: LiveRecords = {};
  private listeners = new Map<string, Set<() => void>>();
  private queued = new Map<string, number[]>();

  get(id: string): LiveRecord | undefined {
    return this.records[id];
  }

  all(): LiveRecords {
    return this.records;
  }

  subscribe(id: string, listener: () => void): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** The last SERIES_LENGTH queue counts of a connection, one per status message (for sparklines). */
  series(id: string): number[] {
    return this.queued.get(id) ?? [];
  }

  replace(records: LiveRecords, changed: Iterable<string>): void {
    this.records = records;
    for (const [id, record] of Object.entries(records)) {
      if (record.kind !== "CONNECTION") continue;
      let values = this.queued.get(id);
      if (!values) this.queued.set(id, (values = []));
      values.push(record.flowFilesQueued ?? 0);
      if (values.length > SERIES_LENGTH) values.shift();
    }
    for (const id of this.queued.keys()) if (!(id in records)) this.queued.delete(id);
    for (const id of changed) this.listeners.get(id)?.forEach((l) => l());
  }
}

export const LiveContext = createContext<LiveStore>(new LiveStore());

export function useLiveRecord(id: string): LiveRecord | undefined {
  const store = useContext(LiveContext);
  return useSyncExternalStore(
    (listener) => store.subscribe(id, listener),
    () => store.get(id),
  );
}

const CLOSE_UNAUTHORIZED = 4401;
const RETRY_MS = 1000;

interface LiveMessage {
  type: "snapshot" | "status";
  components?: LiveRecords;
  changed?: LiveRecords;
  removed?: string[];
}

export interface LiveState {
  store: LiveStore;
  connected: boolean;
  /** Increases on each (re)connection and each message naming added or removed components. */
  structureVersion: number;
  lastUpdate: Date | null;
}

export function useLiveStatus(onUnauthorized: () => void): LiveState {
  const [state, setState] = useState<LiveState>({
    store: new LiveStore(),
    connected: true,
    structureVersion: 0,
    lastUpdate: null,
  });
  const unauthorized = useRef(onUnauthorized);
  unauthorized.current = onUnauthorized;

  useEffect(() => {
    let socket: WebSocket | null = null;
    let retry: number | undefined;
    let stopped = false;

    const connect = (): void => {
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      socket = new WebSocket(`${scheme}://${location.host}${API}/flow/live`);
      socket.onopen = () => socket?.send(JSON.stringify({ type: "auth", token: getToken() }));
      socket.onmessage = (event: MessageEvent<string>) => {
        const message = JSON.parse(event.data) as LiveMessage;
        reportReachable(true);
        setState((previous) => apply(previous, message));
      };
      socket.onclose = (event: CloseEvent) => {
        if (stopped) return;
        if (event.code === CLOSE_UNAUTHORIZED) {
          setToken(null);
          unauthorized.current();
          return;
        }
        setState((previous) => ({ ...previous, connected: false }));
        reportReachable(false);
        retry = window.setTimeout(connect, RETRY_MS);
      };
    };
    connect();
    return () => {
      stopped = true;
      window.clearTimeout(retry);
      socket?.close();
    };
  }, []);
  return state;
}

function apply(previous: LiveState, message: LiveMessage): LiveState {
  const now = new Date();
  const store = previous.store;
  if (message.type === "snapshot") {
    const records = message.components ?? {};
    store.replace(records, new Set([...Object.keys(store.all()), ...Object.keys(records)]));
    return { store, connected: true, structureVersion: previous.structureVersion + 1, lastUpdate: now };
  }
  const records = { ...store.all() };
  let structural = (message.removed ?? []).length > 0;
  const changed = Object.entries(message.changed ?? {});
  for (const [id, record] of changed) {
    const before = records[id];
    if (!before || before.validationStatus !== record.validationStatus) structural = true;
    records[id] = record;
  }
  for (const id of message.removed ?? []) delete records[id];
  store.replace(records, [...changed.map(([id]) => id), ...(message.removed ?? [])]);
  return {
    store,
    connected: true,
    structureVersion: previous.structureVersion + (structural ? 1 : 0),
    lastUpdate: now,
  };
}
