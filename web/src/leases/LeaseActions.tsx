import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, type ApiClient } from '../api/client';
import type { Lease } from '../api/types';
import { formatTime } from '../time/format';
import { isLive } from './describe';

const PRESETS = [
  { label: '+5 min', seconds: 300 },
  { label: '+15 min', seconds: 900 },
  { label: '+60 min', seconds: 3600 },
];

/** How long a note that an extension worked stays. */
const NOTE_MS = 8_000;

interface Props {
  api: ApiClient;
  lease: Lease;
  onChanged: (lease: Lease) => void;
  onReleased: () => void;
}

/** Extend (presets or custom minutes, saying so when the grant was cut at the maximum) and release (confirmed). */
export function LeaseActions({ api, lease, onChanged, onReleased }: Props) {
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ text: string; kind: 'ok' | 'warn' | 'error' } | null>(null);
  const [custom, setCustom] = useState(false);
  const [customMinutes, setCustomMinutes] = useState('30');
  const [confirming, setConfirming] = useState(false);
  // A note about an extension stops applying once something else happens to the lease (its container
  // stopped or started, say), and a good one needs no more than a few seconds' reading.
  const containerState = lease.container?.state;
  const [noteFor, setNoteFor] = useState(containerState);
  if (noteFor !== containerState) {
    setNoteFor(containerState);
    if (note && note.kind !== 'error') setNote(null);
  }
  useEffect(() => {
    if (!note || note.kind !== 'ok') return;
    const timer = setTimeout(() => setNote(null), NOTE_MS);
    return () => clearTimeout(timer);
  }, [note]);
  if (!isLive(lease)) return null;

  const extend = async (seconds: number) => {
    setBusy(true);
    setNote(null);
    try {
      const granted = await api.extend(lease.id, seconds);
      onChanged(granted);
      const until = formatTime(granted.expiryTime);
      setNote(granted.clamped
        ? { kind: 'warn', text: `Extended only to ${until}: a lease may not last past ${formatTime(granted.maxExpiryTime)}.` }
        : { kind: 'ok', text: `Extended to ${until}.` });
      setCustom(false);
    } catch (e) {
      setNote({ kind: 'error', text: e instanceof ApiError ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  };

  const submitCustom = (event: FormEvent) => {
    event.preventDefault();
    const minutes = Number(customMinutes);
    if (!Number.isFinite(minutes) || minutes <= 0) {
      setNote({ kind: 'error', text: 'Give a number of minutes above 0.' });
      return;
    }
    void extend(Math.round(minutes * 60));
  };

  const release = async () => {
    setBusy(true);
    try {
      await api.release(lease.id);
      setConfirming(false);
      onReleased();
    } catch (e) {
      setNote({ kind: 'error', text: e instanceof ApiError ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  };

  const atMax = Date.parse(lease.expiryTime) >= Date.parse(lease.maxExpiryTime);
  return (
    <div className="lease-actions">
      <div className="button-row" role="group" aria-label={`Extend lease ${lease.id}`}>
        {PRESETS.map((p) => (
          <button key={p.seconds} type="button" disabled={busy || atMax} onClick={() => void extend(p.seconds)}
            title={atMax ? 'This lease is at its maximum length' : undefined}>
            {p.label}
          </button>
        ))}
        <button type="button" disabled={busy || atMax} aria-expanded={custom} onClick={() => setCustom((c) => !c)}>
          Custom…
        </button>
        {confirming ? (
          <span className="confirm" role="group" aria-label="Confirm release">
            <span>Remove its container now?</span>
            <button type="button" className="danger" disabled={busy} onClick={() => void release()}>Yes, release</button>
            <button type="button" disabled={busy} onClick={() => setConfirming(false)}>Keep it</button>
          </span>
        ) : (
          <button type="button" className="danger-outline" disabled={busy} onClick={() => setConfirming(true)}>Release</button>
        )}
      </div>
      {custom && (
        <form className="inline-form" onSubmit={submitCustom}>
          <label>
            Extend by <input type="number" min="1" step="1" inputMode="numeric" value={customMinutes}
              onChange={(e) => setCustomMinutes(e.target.value)} aria-label="Minutes to extend by" /> min
          </label>
          <button type="submit" disabled={busy}>Extend</button>
        </form>
      )}
      {note && <p className={`note note-${note.kind}`} role={note.kind === 'error' ? 'alert' : 'status'}>{note.text}</p>}
    </div>
  );
}
