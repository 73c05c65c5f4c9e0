// Data provenance: search events by component, FlowFile and time; an event's details, content and
// replay; a FlowFile's lineage drawn as a graph whose events open their details.

import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from "react";
import { renderContent, type ContentView } from "./content";
import { Dialog } from "./Dialog";
import { formatDuration } from "./format";
import { LineageGraph } from "./LineageGraph";
import {
  download,
  eventContent,
  getEvent,
  lineageOf,
  replayEvent,
  searchEvents,
  type Lineage,
  type ProvenanceEvent,
  type Search,
  type Side,
} from "./provenance";
import { fetchSummary } from "./summary";

const CONTENT_LIMIT = 256 * 1024;

export interface ProvenanceStart {
  componentId?: string;
  /** open the lineage of this FlowFile at once */
  lineageOf?: string;
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <tr>
      <th>{label}</th>
      <td>{children}</td>
    </tr>
  );
}

function ContentPane({ event }: { event: ProvenanceEvent }) {
  const [shown, setShown] = useState<{ side: Side; bytes: Uint8Array } | null>(null);
  const [view, setView] = useState<ContentView>("text");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setShown(null);
    setError(null);
  }, [event.eventId]);

  const show = async (side: Side) => {
    setError(null);
    try {
      const bytes = await eventContent(event.eventId, side);
      setShown({ side, bytes: bytes.subarray(0, CONTENT_LIMIT) });
      if ((event.attributes.find((a) => a.name === "mime.type")?.value ?? "").includes("json")) setView("json");
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const save = async (side: Side) => {
    setError(null);
    try {
      await download(`/provenance-events/${event.eventId}/content/${side}`, `event-${event.eventId}-${side}`);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const sides: { side: Side; available: boolean; label: string }[] = [
    { side: "input", available: event.inputContentAvailable, label: "Input" },
    { side: "output", available: event.outputContentAvailable, label: "Output" },
  ];
  return (
    <div className="content-pane">
      <h4>Content</h4>
      {sides.map(({ side, available, label }) => (
        <div key={side} className="content-bar">
          <span className="content-side">{label}</span>
          {available ? (
            <>
              <button onClick={() => void show(side)} data-testid={`view-${side}`}>
                View
              </button>
              <button onClick={() => void save(side)} data-testid={`download-${side}`}>
                Download
              </button>
            </>
          ) : (
            <span className="hint">not available</span>
          )}
        </div>
      ))}
      {error && <div className="error">{error}</div>}
      {shown && (
        <>
          <div className="content-bar">
            <span className="hint">{shown.side} content</span>
            {(["text", "json", "hex"] as const).map((v) => (
              <label key={v} className="radio">
                <input type="radio" name="provenance-view" checked={view === v} onChange={() => setView(v)} />
                {v === "json" ? "JSON (pretty)" : v}
              </label>
            ))}
          </div>
          <pre className="content" data-testid="event-content">
            {renderContent(shown.bytes, view)}
          </pre>
        </>
      )}
    </div>
  );
}

function EventDetails({
  event,
  onLineage,
  onReplayed,
}: {
  event: ProvenanceEvent;
  onLineage: (uuid: string) => void;
  onReplayed: (message: string) => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setError(null), [event.eventId]);

  const replay = async () => {
    setBusy(true);
    setError(null);
    try {
      const replayed = await replayEvent(event.eventId);
      onReplayed(`Replayed event ${event.eventId}: FlowFile ${replayed.flowFileUuid} is queued again (event ${replayed.eventId}).`);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="event-details" data-testid="event-details">
      <h3>
        {event.eventType} <span className="hint">event {event.eventId}</span>
      </h3>
      <div className="event-actions">
        <button onClick={() => onLineage(event.flowFileUuid)} data-testid="show-lineage">
          Show lineage
        </button>
        <button
          onClick={() => void replay()}
          disabled={busy || !event.replayAvailable}
          title={event.replayAvailable ? "Put the input content and attributes back into the queue" : event.replayExplanation ?? ""}
          data-testid="replay"
        >
          ↻ Replay
        </button>
      </div>
      {!event.replayAvailable && event.replayExplanation && <div className="hint">Replay: {event.replayExplanation}</div>}
      {error && <div className="error">{error}</div>}
      <table className="attributes">
        <tbody>
          <Field label="Time">{event.eventTime}</Field>
          <Field label="Component">
            {event.componentName} <span className="hint">({event.componentType})</span>
          </Field>
          <Field label="FlowFile">
            <span className="mono">{event.flowFileUuid}</span>
          </Field>
          <Field label="Size">{event.fileSize}</Field>
          <Field label="Duration">{event.eventDuration >= 0 ? `${event.eventDuration} ms` : "—"}</Field>
          <Field label="Lineage age">{formatDuration(event.lineageDuration)}</Field>
          {event.relationship && <Field label="Relationship">{event.relationship}</Field>}
          {event.details && <Field label="Details">{event.details}</Field>}
          {event.transitUri && <Field label="Transit URI">{event.transitUri}</Field>}
          {event.parentUuids.length > 0 && <Field label="Parents">{event.parentUuids.join(", ")}</Field>}
          {event.childUuids.length > 0 && <Field label="Children">{event.childUuids.join(", ")}</Field>}
        </tbody>
      </table>
      <h4>Attributes</h4>
      <table className="attributes" data-testid="event-attributes">
        <tbody>
          {event.attributes.map((a) => {
            const changed = a.previousValue !== null && a.previousValue !== a.value;
            const added = a.previousValue === null && a.value !== null && event.eventType !== "CREATE";
            return (
              <tr key={a.name} className={changed || added ? "changed" : ""}>
                <th>{a.name}</th>
                <td>
                  {a.value ?? <span className="hint">removed</span>}
                  {changed && <div className="previous">was: {a.previousValue}</div>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <ContentPane event={event} />
    </div>
  );
}

function localInput(date: Date): string {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 16);
}

export function ProvenanceDialog({ start, onClose }: { start: ProvenanceStart; onClose: () => void }) {
  const [search, setSearch] = useState<Search>({
    componentId: start.componentId ?? "",
    flowFileUuid: "",
    from: "",
    to: "",
    maxResults: 1000,
  });
  const [components, setComponents] = useState<{ id: string; name: string; type: string }[]>([]);
  const [events, setEvents] = useState<ProvenanceEvent[] | null>(null);
  const [total, setTotal] = useState(0);
  const [selected, setSelected] = useState<ProvenanceEvent | null>(null);
  const [lineage, setLineage] = useState<{ uuid: string; graph: Lineage } | null>(null);
  const [tab, setTab] = useState<"events" | "lineage">("events");
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    fetchSummary()
      .then((s) => setComponents(s.processors.map((p) => ({ id: p.id, name: p.name, type: p.type }))))
      .catch(() => setComponents([]));
  }, []);

  const run = useCallback(async (wanted: Search) => {
    setBusy(true);
    setError(null);
    try {
      const found = await searchEvents(wanted);
      setEvents(found.events);
      setTotal(found.total);
      setTab("events");
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }, []);

  const openLineage = useCallback(async (uuid: string) => {
    setError(null);
    try {
      setLineage({ uuid, graph: await lineageOf(uuid) });
      setTab("lineage");
    } catch (err) {
      setError((err as Error).message);
    }
  }, []);

  const selectEvent = useCallback(async (eventId: number) => {
    try {
      setSelected(await getEvent(eventId));
    } catch (err) {
      setError((err as Error).message);
    }
  }, []);

  useEffect(() => {
    if (start.lineageOf) void openLineage(start.lineageOf);
    else void run(search);
    // the first search only: later ones come from the form
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(search);
  };

  const set = <K extends keyof Search>(key: K, value: Search[K]) => setSearch((s) => ({ ...s, [key]: value }));

  return (
    <Dialog title="Data Provenance" onClose={onClose} wide extraWide>
      <form className="provenance-search" onSubmit={submit}>
        <label>
          Component
          <select value={search.componentId} onChange={(e) => set("componentId", e.target.value)} aria-label="Component">
            <option value="">Any component</option>
            {components.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.type})
              </option>
            ))}
          </select>
        </label>
        <label>
          FlowFile UUID
          <input value={search.flowFileUuid} onChange={(e) => set("flowFileUuid", e.target.value)} placeholder="any" aria-label="FlowFile UUID" />
        </label>
        <label>
          From
          <input type="datetime-local" value={search.from} onChange={(e) => set("from", e.target.value)} aria-label="From" />
        </label>
        <label>
          To
          <input type="datetime-local" value={search.to} onChange={(e) => set("to", e.target.value)} aria-label="To" />
        </label>
        <div className="provenance-buttons">
          <button
            type="button"
            onClick={() => setSearch((s) => ({ ...s, from: localInput(new Date(Date.now() - 3_600_000)), to: "" }))}
            title="Only the last hour"
          >
            Last hour
          </button>
          <button type="submit" className="primary" disabled={busy} data-testid="provenance-search">
            Search
          </button>
        </div>
      </form>
      {error && <div className="error">{error}</div>}
      {info && <div className="info">{info}</div>}
      <div className="tabs">
        <button className={tab === "events" ? "tab active" : "tab"} onClick={() => setTab("events")}>
          Events {events ? `(${events.length}${total > events.length ? ` of ${total.toLocaleString("en-US")}` : ""})` : ""}
        </button>
        {lineage && (
          <button className={tab === "lineage" ? "tab active" : "tab"} onClick={() => setTab("lineage")} data-testid="lineage-tab">
            Lineage of {lineage.uuid.slice(0, 8)}…
          </button>
        )}
      </div>
      <div className="provenance-body">
        <div className="provenance-main">
          {tab === "events" ? (
            events === null ? (
              <div className="hint">Searching…</div>
            ) : events.length === 0 ? (
              <div className="hint">No events match. Provenance is recorded as FlowFiles move; start a flow and search again.</div>
            ) : (
              <table className="listing" data-testid="provenance-events">
                <thead>
                  <tr>
                    <th>Time</th>
                    <th>Type</th>
                    <th>FlowFile</th>
                    <th>Size</th>
                    <th>Component</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {events.map((e) => (
                    <tr
                      key={e.eventId}
                      className={`clickable ${selected?.eventId === e.eventId ? "current" : ""}`}
                      onClick={() => setSelected(e)}
                      data-testid="provenance-row"
                      data-event-type={e.eventType}
                    >
                      <td>{e.eventTime.slice(11)}</td>
                      <td>{e.eventType}</td>
                      <td className="mono">{e.flowFileUuid.slice(0, 8)}…</td>
                      <td>{e.fileSize}</td>
                      <td>{e.componentName}</td>
                      <td>
                        <button
                          className="link-button"
                          title="Show this FlowFile's lineage"
                          onClick={(ev) => {
                            ev.stopPropagation();
                            void openLineage(e.flowFileUuid);
                          }}
                        >
                          lineage
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          ) : (
            lineage && (
              <>
                <div className="hint">
                  {lineage.graph.nodes.filter((n) => n.type === "EVENT").length} events. Click an event for its details.
                  {lineage.graph.truncated && " The lineage is truncated."}
                </div>
                <LineageGraph
                  lineage={lineage.graph}
                  focusUuid={lineage.uuid}
                  selectedEventId={selected?.eventId ?? null}
                  onSelectEvent={(id) => void selectEvent(id)}
                />
              </>
            )
          )}
        </div>
        <div className="provenance-side">
          {selected ? (
            <EventDetails
              event={selected}
              onLineage={(uuid) => void openLineage(uuid)}
              onReplayed={(message) => {
                setInfo(message);
                void run(search);
              }}
            />
          ) : (
            <div className="hint">Select an event to see its attributes and content.</div>
          )}
        </div>
      </div>
    </Dialog>
  );
}
