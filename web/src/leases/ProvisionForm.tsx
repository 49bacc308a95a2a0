import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { ApiError, type ApiClient } from '../api/client';
import type { Catalog, Lease, ProvisionRequest } from '../api/types';
import { roughDuration } from '../time/format';
import { customSeconds, durationPresets, type Unit } from './durations';
import { EnvPairs, pairsToObject, type Pair } from './EnvPairs';
import { fieldOf, type FormField } from './fieldErrors';
import { handOver } from './handoff';
import { preloadTerminal } from '../terminal/loadTerminal';

interface Props {
  api: ApiClient;
  onProvisioned: (lease: Lease) => void;
}

type Errors = Partial<Record<FormField, string>>;

/** Lease a container: what the catalog offers, for how long, and how its session may end early. */
export function ProvisionForm({ api, onProvisioned }: Props) {
  const [catalog, setCatalog] = useState<Catalog | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [imageType, setImageType] = useState('');
  const [duration, setDuration] = useState<number | 'custom'>(0);
  const [customValue, setCustomValue] = useState('90');
  const [customUnit, setCustomUnit] = useState<Unit>('minutes');
  const [grace, setGrace] = useState('');
  const [idle, setIdle] = useState('');
  const [env, setEnv] = useState<Pair[]>([]);
  const [secrets, setSecrets] = useState<Pair[]>([]);
  const [errors, setErrors] = useState<Errors>({});
  const [submitting, setSubmitting] = useState(false);

  useEffect(() => {
    api.catalog().then((c) => {
      setCatalog(c);
      // The first type that can be leased now; the first of all when none can.
      const first = c.imageTypes.find((t) => t.available !== false) ?? c.imageTypes[0];
      if (first) {
        setImageType(first.imageType);
        setDuration(first.defaultDurationSeconds);
      }
    }, (e: unknown) => setLoadError(e instanceof ApiError ? e.message : String(e)));
  }, [api]);

  const type = catalog?.imageTypes.find((t) => t.imageType === imageType);
  const presets = useMemo(() => (catalog && type
    ? durationPresets(type.defaultDurationSeconds, catalog.minDurationSeconds, catalog.maxDurationSeconds) : []),
  [catalog, type]);

  if (loadError) return <section className="panel"><p className="note note-error" role="alert">{loadError}</p></section>;
  if (!catalog) return <section className="panel"><p className="muted">Loading the catalog…</p></section>;
  if (catalog.imageTypes.length === 0) {
    return <section className="panel"><p className="muted">This service offers no image types; ask its operator.</p></section>;
  }

  const chooseType = (name: string) => {
    setImageType(name);
    const chosen = catalog.imageTypes.find((t) => t.imageType === name);
    if (chosen && duration !== 'custom') setDuration(chosen.defaultDurationSeconds);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: Errors = {};
    const seconds = duration === 'custom'
      ? customSeconds(customValue, customUnit, catalog.minDurationSeconds, catalog.maxDurationSeconds) : duration;
    if (typeof seconds === 'string') found.duration = seconds;
    const request: ProvisionRequest = { imageType, durationSeconds: typeof seconds === 'number' ? seconds : 0 };
    const graceSeconds = optionalWhole(grace, 'disconnectGrace', found);
    const idleSeconds = optionalWhole(idle, 'idleTimeout', found);
    if (graceSeconds !== undefined) request.disconnectGraceSeconds = graceSeconds;
    if (idleSeconds !== undefined) request.idleTimeoutSeconds = idleSeconds;
    request.env = pairsToObject(env);
    request.secretEnv = pairsToObject(secrets);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setSubmitting(true);
    if (type?.terminal) {
      void preloadTerminal(); // the terminal opens next; fetch it while the engine starts the container
      api.prefetchTicket();
    }
    try {
      const lease = await api.provision(request);
      setSecrets([]); // a secret is sent once and never shown again
      handOver(lease);
      onProvisioned(lease);
    } catch (e) {
      const error = e instanceof ApiError ? e : new ApiError(0, 'unknown', String(e));
      setErrors({ [fieldOf(error)]: error.message });
    } finally {
      setSubmitting(false);
    }
  };

  const defaults = type?.sessionDefaults;
  return (
    <section className="panel" aria-labelledby="provision-heading">
      <h2 id="provision-heading">Provision a container</h2>
      <form className="provision" onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor="imageType">Image type</label>
          <select id="imageType" value={imageType} onChange={(e) => chooseType(e.target.value)}
            aria-invalid={!!errors.imageType} aria-describedby="imageType-about">
            {catalog.imageTypes.map((t) => (
              <option key={t.imageType} value={t.imageType} disabled={t.available === false}>
                {t.available === false ? `${t.imageType} (unavailable)` : t.imageType}
              </option>
            ))}
          </select>
          {type && (
            <p className="hint" id="imageType-about">
              {type.description ?? 'No description.'} · {type.memoryMb} MiB, {type.cpus} CPU
              {type.terminal ? '' : ' · no terminal'}
            </p>
          )}
          {type?.available === false && (
            <p className="field-error" data-testid="type-unavailable">
              Not available now: {type.unavailableReason ?? 'its image cannot be had'}.
            </p>
          )}
          {errors.imageType && <p className="field-error" role="alert">{errors.imageType}</p>}
        </div>

        <fieldset className="field" aria-invalid={!!errors.duration}>
          <legend>Duration</legend>
          <div className="chips" role="radiogroup" aria-label="Duration">
            {presets.map((p) => (
              <label key={p.seconds} className={`chip ${duration === p.seconds ? 'chosen' : ''}`}>
                <input type="radio" name="duration" checked={duration === p.seconds} onChange={() => setDuration(p.seconds)} />
                {p.label}
              </label>
            ))}
            <label className={`chip ${duration === 'custom' ? 'chosen' : ''}`}>
              <input type="radio" name="duration" checked={duration === 'custom'} onChange={() => setDuration('custom')} />
              Custom
            </label>
          </div>
          {duration === 'custom' && (
            <div className="inline-form">
              <input aria-label="Custom duration" type="number" min="1" value={customValue}
                onChange={(e) => setCustomValue(e.target.value)} />
              <select aria-label="Unit" value={customUnit} onChange={(e) => setCustomUnit(e.target.value as Unit)}>
                <option value="seconds">seconds</option>
                <option value="minutes">minutes</option>
                <option value="hours">hours</option>
              </select>
            </div>
          )}
          <p className="hint">Between {roughDuration(catalog.minDurationSeconds)} and {roughDuration(catalog.maxDurationSeconds)}, extensions included.</p>
          {errors.duration && <p className="field-error" role="alert">{errors.duration}</p>}
        </fieldset>

        <details className="advanced" open={!!(errors.disconnectGrace || errors.idleTimeout || errors.env || errors.secretEnv)}>
          <summary>Ending early, environment and secrets</summary>
          <div className="field">
            <label htmlFor="grace">End when nobody is connected for (seconds)</label>
            <input id="grace" type="number" min="1" inputMode="numeric" value={grace} onChange={(e) => setGrace(e.target.value)}
              placeholder={defaults?.disconnectGraceSeconds ? `${defaults.disconnectGraceSeconds} (default)` : 'never'}
              aria-invalid={!!errors.disconnectGrace} />
            {errors.disconnectGrace && <p className="field-error" role="alert">{errors.disconnectGrace}</p>}
          </div>
          <div className="field">
            <label htmlFor="idle">End after this long without input or API calls (seconds)</label>
            <input id="idle" type="number" min="1" inputMode="numeric" value={idle} onChange={(e) => setIdle(e.target.value)}
              placeholder={defaults?.idleTimeoutSeconds ? `${defaults.idleTimeoutSeconds} (default)` : 'never'}
              aria-invalid={!!errors.idleTimeout} />
            {errors.idleTimeout && <p className="field-error" role="alert">{errors.idleTimeout}</p>}
          </div>
          <EnvPairs legend="Environment" pairs={env} onChange={setEnv} error={errors.env}
            hint="Visible to anyone who can inspect the container." />
          <EnvPairs legend="Secret environment" pairs={secrets} onChange={setSecrets} secret error={errors.secretEnv}
            hint="At least 6 characters each. Sent once, never shown again, masked in every log." />
        </details>

        {errors.form && <p className="note note-error" role="alert">{errors.form}</p>}
        <button type="submit" className="primary" disabled={submitting}>
          {submitting ? 'Provisioning…' : 'Provision'}
        </button>
      </form>
    </section>
  );
}

function optionalWhole(value: string, field: FormField, errors: Errors): number | undefined {
  if (value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    errors[field] = 'Give a whole number of seconds, at least 1, or leave it empty.';
    return undefined;
  }
  return n;
}
