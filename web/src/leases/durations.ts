import { roughDuration } from '../time/format';

export interface Preset {
  seconds: number;
  label: string;
}

const COMMON = [5 * 60, 15 * 60, 30 * 60, 3600, 4 * 3600, 24 * 3600];

/** Duration choices within the service's bounds, the image type's suggestion among them. */
export function durationPresets(defaultSeconds: number, minSeconds: number, maxSeconds: number): Preset[] {
  const seconds = new Set(COMMON.filter((s) => s >= minSeconds && s <= maxSeconds));
  seconds.add(Math.min(maxSeconds, Math.max(minSeconds, defaultSeconds)));
  return [...seconds].sort((a, b) => a - b).map((s) => ({ seconds: s, label: roughDuration(s) }));
}

export type Unit = 'seconds' | 'minutes' | 'hours';
const UNIT_SECONDS: Record<Unit, number> = { seconds: 1, minutes: 60, hours: 3600 };

/** A custom duration as seconds, or a sentence saying what is wrong with it. */
export function customSeconds(value: string, unit: Unit, minSeconds: number, maxSeconds: number): number | string {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) return 'Give a duration above 0.';
  const seconds = Math.round(n * UNIT_SECONDS[unit]);
  if (seconds < minSeconds || seconds > maxSeconds) {
    return `A lease lasts between ${roughDuration(minSeconds)} and ${roughDuration(maxSeconds)}.`;
  }
  return seconds;
}
