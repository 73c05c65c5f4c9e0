// Picking the relationships of a new connection, as NiFi's "Create Connection" dialog does.

import { useState } from "react";
import { Dialog } from "./Dialog";
import type { Relationship } from "./types";

export function ConnectDialog({
  sourceName,
  destinationName,
  relationships,
  onCreate,
  onCancel,
}: {
  sourceName: string;
  destinationName: string;
  relationships: Relationship[];
  onCreate: (selected: string[]) => Promise<void>;
  onCancel: () => void;
}) {
  const [selected, setSelected] = useState<string[]>(relationships.length === 1 ? relationships.map((r) => r.name) : []);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const toggle = (name: string) =>
    setSelected((current) => (current.includes(name) ? current.filter((n) => n !== name) : [...current, name]));

  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      await onCreate(selected);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  return (
    <Dialog
      title="Create Connection"
      onClose={onCancel}
      footer={
        <>
          <button onClick={onCancel}>Cancel</button>
          <button className="primary" onClick={create} disabled={busy || selected.length === 0}>
            Add
          </button>
        </>
      }
    >
      <p className="connect-ends">
        From <b>{sourceName}</b> to <b>{destinationName}</b>
      </p>
      <fieldset className="relationships">
        <legend>Relationships</legend>
        {relationships.map((r) => (
          <label key={r.name} className="checkbox-row">
            <input type="checkbox" checked={selected.includes(r.name)} onChange={() => toggle(r.name)} name={r.name} />
            <span className="rel-name">{r.name}</span>
            <span className="rel-desc">{r.description}</span>
          </label>
        ))}
      </fieldset>
      {selected.length === 0 && <div className="hint">Select at least one relationship.</div>}
      {error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
    </Dialog>
  );
}
