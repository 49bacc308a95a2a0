// Intl formatters are costly to create and cheap to use: one of each for the whole page (500
// countdowns format every second).
const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** Durations in words a person reads at a glance: "4 min 05 s", "2 h 10 min", "45 s". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min ${String(s % 60).padStart(2, '0')} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A coarser form for sentences: "4 min", "20 s", "2 h". */
export function roughDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 360) / 10} h`.replace('.0 h', ' h');
  return `${Math.round(s / 86400)} d`;
}

/** "14:05:09" */
export function formatTime(iso: string | number): string {
  return timeOfDay.format(new Date(iso));
}

/** "14:05", for sentences. */
export function formatClock(iso: string): string {
  return clock.format(new Date(iso));
}

/** "Nov 22, 14:05:09" */
export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

/** "22 Nov 2026, 14:05:09", for tooltips. */
export function formatFull(iso: string): string {
  return full.format(new Date(iso));
}
