// A connection's settings: name, relationships, back pressure thresholds, FlowFile expiration,
// prioritizers (an ordered list) and load balancing.

import { useEffect, useState } from "react";
import { getJson, revisionOf, sendJson } from "./api";
import {
  fieldOfMessage,
  LOAD_BALANCE_COMPRESSIONS,
  LOAD_BALANCE_STRATEGIES,
  moved,
  PRIORITIZERS,
  samePrioritizer,
  shortPrioritizer,
  type ConnectionField,
} from "./connectionSettings";
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
  const [prioritizers, setPrioritizers] = useState<string[]>([]);
  const [strategy, setStrategy] = useState("DO_NOT_LOAD_BALANCE");
  const [partitionAttribute, setPartitionAttribute] = useState("");
  const [compression, setCompression] = useState("DO_NOT_COMPRESS");
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
        setPrioritizers(loaded.component.prioritizers ?? []);
        setStrategy(loaded.component.loadBalanceStrategy ?? "DO_NOT_LOAD_BALANCE");
        setPartitionAttribute(loaded.component.loadBalancePartitionAttribute ?? "");
        setCompression(loaded.component.loadBalanceCompression ?? "DO_NOT_COMPRESS");
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
          prioritizers,
          loadBalanceStrategy: strategy,
          loadBalancePartitionAttribute: strategy === "PARTITION_BY_ATTRIBUTE" ? partitionAttribute : "",
          loadBalanceCompression: compression,
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
  const errorField = error === null ? null : fieldOfMessage(error);
  const fieldError = (field: ConnectionField) =>
    errorField === field && (
      <div className="field-error" role="alert" data-field={field}>
        {error}
      </div>
    );
  const unused = PRIORITIZERS.filter((p) => !prioritizers.some((chosen) => samePrioritizer(chosen, p.name)));
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
      {error && errorField === null && (
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
          <fieldset className="prioritizers" aria-label="Prioritizers">
            <legend>Prioritizers (applied in order)</legend>
            {prioritizers.length === 0 && <div className="hint">None: FlowFiles leave in queue order.</div>}
            <ol className="prioritizer-list" data-testid="selected-prioritizers">
              {prioritizers.map((p, i) => (
                <li key={p} data-prioritizer={shortPrioritizer(p)}>
                  <span className="prioritizer-name" title={p}>
                    {shortPrioritizer(p)}
                  </span>
                  <button
                    className="icon-button"
                    disabled={i === 0}
                    onClick={() => setPrioritizers(moved(prioritizers, i, -1))}
                    aria-label={`Move ${shortPrioritizer(p)} up`}
                  >
                    ↑
                  </button>
                  <button
                    className="icon-button"
                    disabled={i === prioritizers.length - 1}
                    onClick={() => setPrioritizers(moved(prioritizers, i, 1))}
                    aria-label={`Move ${shortPrioritizer(p)} down`}
                  >
                    ↓
                  </button>
                  <button
                    className="icon-button"
                    onClick={() => setPrioritizers(prioritizers.filter((_, j) => j !== i))}
                    aria-label={`Remove ${shortPrioritizer(p)}`}
                  >
                    ✕
                  </button>
                </li>
              ))}
            </ol>
            {unused.length > 0 && (
              <div className="prioritizer-available">
                {unused.map((p) => (
                  <button
                    key={p.name}
                    title={p.description}
                    onClick={() => setPrioritizers([...prioritizers, p.name])}
                    aria-label={`Add ${shortPrioritizer(p.name)}`}
                  >
                    + {shortPrioritizer(p.name)}
                  </button>
                ))}
              </div>
            )}
            {fieldError("prioritizers")}
          </fieldset>
          <label>
            Load balance strategy
            <select value={strategy} onChange={(e) => setStrategy(e.target.value)} aria-label="Load balance strategy">
              {LOAD_BALANCE_STRATEGIES.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
            {fieldError("strategy")}
          </label>
          {strategy === "PARTITION_BY_ATTRIBUTE" && (
            <label className={errorField === "partitioningAttribute" ? "has-error" : ""}>
              <span>
                Partitioning attribute
                <span className="required" title="Required">
                  *
                </span>
              </span>
              <input
                value={partitionAttribute}
                onChange={(e) => setPartitionAttribute(e.target.value)}
                aria-label="Partitioning attribute"
                placeholder="FlowFiles with the same value go to the same node"
              />
              {fieldError("partitioningAttribute")}
            </label>
          )}
          {strategy !== "DO_NOT_LOAD_BALANCE" && (
            <label>
              Load balance compression
              <select
                value={compression}
                onChange={(e) => setCompression(e.target.value)}
                aria-label="Load balance compression"
              >
                {LOAD_BALANCE_COMPRESSIONS.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label}
                  </option>
                ))}
              </select>
              {fieldError("compression")}
            </label>
          )}
        </div>
      )}
    </Dialog>
  );
}
