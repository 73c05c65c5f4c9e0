// A processor's configuration dialog, generated from its PropertyDescriptors and Relationships.

import { useEffect, useState } from "react";
import { Dialog } from "./Dialog";
import { getProcessor, updateProcessor } from "./ops";
import { shortType } from "./format";
import { executionConfig, executionOf, type Execution, type ExecutionMode } from "./placement";
import type { ProcessorEntity, PropertyDescriptor } from "./types";

/** The property a message is about, when it names one as "Property 'Name' ..." or "'Name' ...". */
export function propertyOfMessage(message: string, names: string[]): string | null {
  return names.find((name) => message.includes(`'${name}'`)) ?? null;
}

function PropertyInput({
  descriptor,
  value,
  onChange,
}: {
  descriptor: PropertyDescriptor;
  value: string | null;
  onChange: (value: string | null) => void;
}) {
  if (descriptor.allowableValues && descriptor.allowableValues.length > 0) {
    return (
      <select
        value={value ?? ""}
        onChange={(e) => onChange(e.target.value === "" ? null : e.target.value)}
        aria-label={descriptor.displayName}
      >
        {!descriptor.required && <option value="">(no value)</option>}
        {descriptor.allowableValues.map(({ allowableValue }) => (
          <option key={allowableValue.value} value={allowableValue.value}>
            {allowableValue.displayName}
          </option>
        ))}
      </select>
    );
  }
  return (
    <input
      type={descriptor.sensitive ? "password" : "text"}
      value={value ?? ""}
      placeholder={descriptor.defaultValue ? `default: ${descriptor.defaultValue}` : "No value set"}
      onChange={(e) => onChange(e.target.value === "" ? null : e.target.value)}
      aria-label={descriptor.displayName}
    />
  );
}

export function ConfigDialog({
  processorId,
  onClose,
  onSaved,
}: {
  processorId: string;
  onClose: () => void;
  onSaved: () => void;
}) {
  const [entity, setEntity] = useState<ProcessorEntity | null>(null);
  const [name, setName] = useState("");
  const [schedulingPeriod, setSchedulingPeriod] = useState("");
  const [tasks, setTasks] = useState(1);
  const [execution, setExecution] = useState<Execution>({ mode: "ALL", instances: 1 });
  const [properties, setProperties] = useState<Record<string, string | null>>({});
  const [removed, setRemoved] = useState<string[]>([]);
  const [autoTerminated, setAutoTerminated] = useState<string[]>([]);
  const [newProperty, setNewProperty] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const load = (loaded: ProcessorEntity) => {
    setEntity(loaded);
    setName(loaded.component.name);
    setSchedulingPeriod(loaded.component.config.schedulingPeriod);
    setTasks(loaded.component.config.concurrentlySchedulableTaskCount);
    setExecution(executionOf(loaded));
    setProperties({ ...loaded.component.config.properties });
    setRemoved([]);
    setAutoTerminated(loaded.component.config.autoTerminatedRelationships ?? []);
  };

  useEffect(() => {
    getProcessor(processorId)
      .then(load)
      .catch((err: Error) => setError(err.message));
  }, [processorId]);

  if (!entity) {
    return (
      <Dialog title="Configure Processor" onClose={onClose}>
        {error ? <div className="error">{error}</div> : <div className="hint">Loading…</div>}
      </Dialog>
    );
  }

  const { component } = entity;
  const descriptors = component.config.descriptors;
  const running = component.state === "RUNNING";
  const names = Object.keys(properties);
  const validationErrors = component.validationErrors ?? [];
  const errorsFor = (property: string): string[] => {
    const found = validationErrors.filter((m) => propertyOfMessage(m, [property]) === property);
    if (error && propertyOfMessage(error, [property]) === property) found.push(error);
    return found;
  };
  const relationshipNames = component.relationships.map((r) => r.name);
  const aboutRelationships = validationErrors.filter(
    (m) => m.includes("relationship") && propertyOfMessage(m, relationshipNames) !== null,
  );
  const general = validationErrors.filter(
    (m) => propertyOfMessage(m, names) === null && !aboutRelationships.includes(m),
  );
  const generalError = error && propertyOfMessage(error, names) === null ? error : null;

  const addProperty = () => {
    const trimmed = newProperty.trim();
    if (!trimmed || trimmed in properties) return;
    setProperties({ ...properties, [trimmed]: "" });
    setRemoved(removed.filter((n) => n !== trimmed));
    setNewProperty("");
  };

  const removeProperty = (property: string) => {
    const next = { ...properties };
    delete next[property];
    setProperties(next);
    if (property in component.config.properties) setRemoved([...removed, property]);
  };

  const save = async () => {
    setSaving(true);
    setError(null);
    const sent: Record<string, string | null> = { ...properties };
    for (const property of removed) sent[property] = null;
    try {
      const saved = await updateProcessor(processorId, {
        name,
        config: {
          properties: sent,
          schedulingPeriod,
          concurrentlySchedulableTaskCount: tasks,
          autoTerminatedRelationships: autoTerminated,
          ...executionConfig(execution),
        },
      });
      load(saved);
      onSaved();
      onClose();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog
      title={`Configure ${shortType(component.type)}`}
      onClose={onClose}
      wide
      footer={
        <>
          <button onClick={onClose}>Cancel</button>
          <button className="primary" onClick={save} disabled={saving || running} data-testid="config-apply">
            Apply
          </button>
        </>
      }
    >
      {running && <div className="warning">The processor is running: stop it to change its configuration.</div>}
      {(general.length > 0 || generalError) && (
        <ul className="error validation-errors" role="alert">
          {general.map((m) => (
            <li key={m}>{m}</li>
          ))}
          {generalError && <li>{generalError}</li>}
        </ul>
      )}
      <section className="config-section">
        <h3>Settings</h3>
        <div className="settings-grid">
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} aria-label="Name" />
          </label>
          <label>
            Run schedule
            <input value={schedulingPeriod} onChange={(e) => setSchedulingPeriod(e.target.value)} aria-label="Run schedule" />
          </label>
          <label>
            Concurrent tasks
            <input
              type="number"
              min={1}
              value={tasks}
              onChange={(e) => setTasks(Math.max(1, Number(e.target.value)))}
              aria-label="Concurrent tasks"
            />
          </label>
          <label>
            Execution
            <select
              value={execution.mode}
              disabled={component.executionNodeRestricted}
              title={component.executionNodeRestricted ? "This processor type runs on the primary node only" : undefined}
              onChange={(e) => setExecution({ ...execution, mode: e.target.value as ExecutionMode })}
              aria-label="Execution"
            >
              <option value="ALL">All nodes</option>
              <option value="PRIMARY">Primary node only</option>
              <option value="INSTANCES">N instances</option>
            </select>
          </label>
          {execution.mode === "INSTANCES" && (
            <label>
              Instances
              <input
                type="number"
                min={1}
                value={execution.instances}
                onChange={(e) => setExecution({ ...execution, instances: Math.max(1, Math.floor(Number(e.target.value))) })}
                aria-label="Instances"
              />
            </label>
          )}
          {component.nifiLikePlacement && (
            <div className="hint placement-nodes" data-testid="placement-nodes">
              Runs on: {component.nifiLikePlacement.nodes.join(", ") || "no node yet"}
            </div>
          )}
        </div>
      </section>
      <section className="config-section">
        <h3>Properties</h3>
        <table className="properties">
          <tbody>
            {names.map((property) => {
              const descriptor: PropertyDescriptor = descriptors[property] ?? {
                name: property,
                displayName: property,
                description: "Dynamic property",
                defaultValue: null,
                allowableValues: null,
                required: false,
                sensitive: false,
                dynamic: true,
                supportsEl: true,
                expressionLanguageScope: "FlowFile attributes",
              };
              const messages = errorsFor(property);
              return (
                <tr key={property} className={messages.length > 0 ? "has-error" : ""} data-property={property}>
                  <th title={descriptor.description}>
                    {descriptor.displayName}
                    {descriptor.required && <span className="required" title="Required">*</span>}
                    {descriptor.dynamic && <span className="tag">dynamic</span>}
                    <div className="property-desc">{descriptor.description}</div>
                  </th>
                  <td>
                    <PropertyInput
                      descriptor={descriptor}
                      value={properties[property] ?? null}
                      onChange={(value) => setProperties({ ...properties, [property]: value })}
                    />
                    {descriptor.supportsEl && (
                      <div className="el-hint" title={descriptor.expressionLanguageScope}>
                        Expression Language: {descriptor.expressionLanguageScope}
                      </div>
                    )}
                    {messages.map((m) => (
                      <div key={m} className="field-error">
                        {m}
                      </div>
                    ))}
                  </td>
                  <td>
                    {descriptor.dynamic && (
                      <button className="icon-button" onClick={() => removeProperty(property)} title="Remove property">
                        ✕
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <div className="add-property">
          <input
            placeholder="New property name"
            value={newProperty}
            onChange={(e) => setNewProperty(e.target.value)}
            onKeyDown={(e) => e.key === "Enter" && addProperty()}
            aria-label="New property name"
          />
          <button onClick={addProperty} disabled={!newProperty.trim()}>
            Add property
          </button>
        </div>
      </section>
      <section className="config-section">
        <h3>Relationships</h3>
        {aboutRelationships.map((m) => (
          <div key={m} className="field-error" role="alert">
            {m}
          </div>
        ))}
        {component.relationships.map((r) => (
          <label key={r.name} className="checkbox-row">
            <input
              type="checkbox"
              checked={autoTerminated.includes(r.name)}
              aria-label={`Auto-terminate ${r.name}`}
              onChange={() =>
                setAutoTerminated(
                  autoTerminated.includes(r.name) ? autoTerminated.filter((n) => n !== r.name) : [...autoTerminated, r.name],
                )
              }
            />
            <span className="rel-name">{r.name}</span>
            <span className="rel-desc">auto-terminate · {r.description}</span>
          </label>
        ))}
      </section>
    </Dialog>
  );
}
