// A connection's settings: name, relationships, back pressure thresholds and FlowFile expiration.

import { useEffect, useState } from "react";
import { getJson, revisionOf, sendJson } from "./api";
import { Dialog } from "./Dialog";
import type { ConnectionEntity } from "./types";

export function ConnectionDialog({
  connectionId,
  onClose,
  onSaved,
}: {
  connectionId: string;
  onClose: () => void;
  onSaved: () => void;
}) {
  const [entity, setEntity] = useState<ConnectionEntity | null>(null);
  const [name, setName] = useState("");
  const [relationships, setRelationships] = useState<string[]>([]);
  const [objects, setObjects] = useState(0);
  const [size, setSize] = useState("");
  const [expiration, setExpiration] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    getJson<ConnectionEntity>(`/connections/${connectionId}`)
      .then((loaded) => {
        setEntity(loaded);
        setName(loaded.component.name);
        setRelationships(loaded.component.selectedRelationships);
        setObjects(loaded.component.backPressureObjectThreshold);
        setSize(loaded.component.backPressureDataSizeThreshold);
        setExpiration(loaded.component.flowFileExpiration);
      })
      .catch((err: Error) => setError(err.message));
  }, [connectionId]);

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      const fresh = await getJson<ConnectionEntity>(`/connections/${connectionId}`);
      await sendJson("PUT", `/connections/${connectionId}`, {
        revision: revisionOf(fresh.revision.version),
        component: {
          id: connectionId,
          name,
          selectedRelationships: relationships,
          backPressureObjectThreshold: objects,
          backPressureDataSizeThreshold: size,
          flowFileExpiration: expiration,
        },
      });
      onSaved();
      onClose();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const available = entity?.component.availableRelationships ?? [];
  return (
    <Dialog
      title="Configure Connection"
      onClose={onClose}
      footer={
        <>
          <button onClick={onClose}>Cancel</button>
          <button className="primary" onClick={save} disabled={!entity || saving || relationships.length === 0}>
            Apply
          </button>
        </>
      }
    >
      {error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
      {entity && (
        <div className="connection-form">
          <p className="connect-ends">
            From <b>{entity.component.source.name}</b> to <b>{entity.component.destination.name}</b>
          </p>
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} aria-label="Connection name" />
          </label>
          {available.length > 0 && (
            <fieldset className="relationships">
              <legend>Relationships</legend>
              {available.map((r) => (
                <label key={r} className="checkbox-row">
                  <input
                    type="checkbox"
                    checked={relationships.includes(r)}
                    onChange={() =>
                      setRelationships(relationships.includes(r) ? relationships.filter((n) => n !== r) : [...relationships, r])
                    }
                  />
                  <span className="rel-name">{r}</span>
                </label>
              ))}
            </fieldset>
          )}
          <label>
            Back pressure object threshold
            <input
              type="number"
              min={0}
              value={objects}
              onChange={(e) => setObjects(Math.max(0, Number(e.target.value)))}
              aria-label="Back pressure object threshold"
            />
          </label>
          <label>
            Back pressure data size threshold
            <input value={size} onChange={(e) => setSize(e.target.value)} aria-label="Back pressure data size threshold" />
          </label>
          <label>
            FlowFile expiration
            <input value={expiration} onChange={(e) => setExpiration(e.target.value)} aria-label="FlowFile expiration" />
          </label>
          <div className="hint">Load balancing is set per connection in a cluster; it is not configurable here yet.</div>
        </div>
      )}
    </Dialog>
  );
}
