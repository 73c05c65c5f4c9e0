// Queue inspection: list a connection's FlowFiles, read one's attributes and content, empty the queue.

import { useCallback, useEffect, useState } from "react";
import { getJson, request, sendJson } from "./api";
import { Dialog } from "./Dialog";
import { formatDuration, formatSize } from "./format";
import { renderContent, type ContentView } from "./content";
import type { DropRequest, FlowFileDetails, FlowFileSummary, ListingRequest } from "./types";

const POLL_MS = 250;
const CONTENT_LIMIT = 256 * 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function listQueue(connectionId: string): Promise<ListingRequest> {
  const base = `/flowfile-queues/${connectionId}/listing-requests`;
  let listing = (await sendJson<{ listingRequest: ListingRequest }>("POST", base)).listingRequest;
  while (!listing.finished) {
    await sleep(POLL_MS);
    listing = (await getJson<{ listingRequest: ListingRequest }>(`${base}/${listing.id}`)).listingRequest;
  }
  await sendJson("DELETE", `${base}/${listing.id}`);
  if (listing.failureReason) throw new Error(listing.failureReason);
  return listing;
}

async function emptyQueue(connectionId: string): Promise<DropRequest> {
  const base = `/flowfile-queues/${connectionId}/drop-requests`;
  let drop = (await sendJson<{ dropRequest: DropRequest }>("POST", base)).dropRequest;
  while (!drop.finished) {
    await sleep(POLL_MS);
    drop = (await getJson<{ dropRequest: DropRequest }>(`${base}/${drop.id}`)).dropRequest;
  }
  await sendJson("DELETE", `${base}/${drop.id}`);
  if (drop.failureReason) throw new Error(drop.failureReason);
  return drop;
}

function FlowFileView({
  connectionId,
  summary,
  onBack,
  onLineage,
}: {
  connectionId: string;
  summary: FlowFileSummary;
  onBack: () => void;
  onLineage: (uuid: string) => void;
}) {
  const [details, setDetails] = useState<FlowFileDetails | null>(null);
  const [content, setContent] = useState<Uint8Array | null>(null);
  const [view, setView] = useState<ContentView>("text");
  const [error, setError] = useState<string | null>(null);
  const path = `/flowfile-queues/${connectionId}/flowfiles/${summary.uuid}`;

  useEffect(() => {
    getJson<{ flowFile: FlowFileDetails }>(path)
      .then((body) => {
        setDetails(body.flowFile);
        const mime = body.flowFile.mimeType ?? "";
        if (mime.includes("json")) setView("json");
      })
      .catch((err: Error) => setError(err.message));
  }, [path]);

  const loadContent = async () => {
    setError(null);
    try {
      const response = await request(`${path}/content`);
      const buffer = new Uint8Array(await response.arrayBuffer());
      setContent(buffer.subarray(0, CONTENT_LIMIT));
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <div className="flowfile-view" data-testid="flowfile-view">
      <div className="flowfile-actions">
        <button onClick={onBack}>← Back to the queue</button>
        <button onClick={() => onLineage(summary.uuid)} data-testid="flowfile-lineage" title="Where this FlowFile came from and went">
          ◎ Show lineage
        </button>
      </div>
      <h3>FlowFile {summary.uuid}</h3>
      {error && <div className="error">{error}</div>}
      {details && (
        <table className="attributes" data-testid="attributes">
          <tbody>
            {Object.entries(details.attributes)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([key, value]) => (
                <tr key={key}>
                  <th>{key}</th>
                  <td>{value}</td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
      <div className="content-bar">
        <button className="primary" onClick={loadContent}>
          {content ? "Reload content" : "View content"}
        </button>
        {(["text", "json", "hex"] as const).map((v) => (
          <label key={v} className="radio">
            <input type="radio" name="view" checked={view === v} onChange={() => setView(v)} />
            {v === "json" ? "JSON (pretty)" : v}
          </label>
        ))}
        <span className="hint">{formatSize(summary.size)}</span>
      </div>
      {content && (
        <>
          {summary.size > CONTENT_LIMIT && <div className="hint">Showing the first {formatSize(CONTENT_LIMIT)}.</div>}
          <pre className="content" data-testid="content">
            {renderContent(content, view)}
          </pre>
        </>
      )}
    </div>
  );
}

export function QueueDialog({
  connectionId,
  title,
  onClose,
  onLineage,
}: {
  connectionId: string;
  title: string;
  onClose: () => void;
  onLineage: (uuid: string) => void;
}) {
  const [listing, setListing] = useState<ListingRequest | null>(null);
  const [selected, setSelected] = useState<FlowFileSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(async () => {
    setError(null);
    try {
      setListing(await listQueue(connectionId));
    } catch (err) {
      setError((err as Error).message);
    }
  }, [connectionId]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const empty = async () => {
    setBusy(true);
    setError(null);
    try {
      const drop = await emptyQueue(connectionId);
      setMessage(`${drop.droppedCount} FlowFile(s) removed from the queue.`);
      await refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={`Queue: ${title}`}
      onClose={onClose}
      wide
      footer={
        <>
          <button onClick={() => void refresh()}>Refresh</button>
          <button className="danger" onClick={empty} disabled={busy} data-testid="empty-queue">
            Empty queue
          </button>
          <button onClick={onClose}>Close</button>
        </>
      }
    >
      {error && <div className="error">{error}</div>}
      {message && <div className="info">{message}</div>}
      {selected ? (
        <FlowFileView connectionId={connectionId} summary={selected} onBack={() => setSelected(null)} onLineage={onLineage} />
      ) : listing ? (
        <>
          <div className="hint" data-testid="queue-size">
            {listing.queueSize.objectCount} FlowFile(s), {formatSize(listing.queueSize.byteCount)} queued
            {listing.queueSize.objectCount > listing.flowFileSummaries.length &&
              ` · showing the first ${listing.flowFileSummaries.length}`}
          </div>
          <table className="listing" data-testid="listing">
            <thead>
              <tr>
                <th>Position</th>
                <th>UUID</th>
                <th>Filename</th>
                <th>Size</th>
                <th>Queued for</th>
                <th>Lineage age</th>
                <th>Penalized</th>
              </tr>
            </thead>
            <tbody>
              {listing.flowFileSummaries.map((ff) => (
                <tr key={ff.uuid} onClick={() => setSelected(ff)} className="clickable" data-testid="flowfile-row">
                  <td>{ff.position ?? ""}</td>
                  <td className="mono">{ff.uuid}</td>
                  <td>{ff.filename}</td>
                  <td>{formatSize(ff.size)}</td>
                  <td>{formatDuration(ff.queuedDuration)}</td>
                  <td>{formatDuration(ff.lineageDuration)}</td>
                  <td>{ff.penalized ? "yes" : "no"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {listing.flowFileSummaries.length === 0 && <div className="hint">The queue is empty.</div>}
        </>
      ) : (
        !error && <div className="hint">Listing…</div>
      )}
    </Dialog>
  );
}
