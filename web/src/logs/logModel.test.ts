import { describe, expect, it } from 'vitest';
import { LogModel } from './logModel';

const line = (seq: number, message = `line ${seq}`, level: string | undefined = 'info') =>
  ({ seq, timestamp: '2026-11-22T10:00:00.000Z', stream: 'stdout', level, message });

describe('LogModel', () => {
  it('starts with a tail and resumes after the last seq it holds', () => {
    const model = new LogModel();
    expect(model.query(500).toString()).toBe('tail=500');
    model.apply(line(1));
    model.apply(line(2));
    expect(model.query(500).toString()).toBe('after=2');
  });

  it('ignores lines it already holds, so a resume never doubles a line', () => {
    const model = new LogModel();
    [1, 2, 3].forEach((s) => model.apply(line(s)));
    expect(model.apply(line(2))).toBe(false);
    expect(model.apply(line(3))).toBe(false);
    model.apply(line(4));
    expect(model.entries.map((e) => (e.kind === 'line' ? e.seq : e.text))).toEqual([1, 2, 3, 4]);
  });

  it('shows a gap frame as a marker and continues after it', () => {
    const model = new LogModel();
    model.apply(line(1));
    model.apply({ type: 'gap', from: 2, to: 40 });
    model.apply(line(41));
    expect(model.entries[1]).toEqual({ kind: 'marker', text: 'lines 2–40 are no longer held by the service' });
    expect(model.lastSeq).toBe(41);
  });

  it('shows dropped lines as a marker', () => {
    const model = new LogModel();
    model.apply(line(1));
    model.apply({ type: 'dropped', count: 17 });
    expect(model.entries[1]).toEqual({ kind: 'marker', text: '17 lines dropped: this page could not keep up' });
  });

  it('marks a jump in seq that no frame explained', () => {
    const model = new LogModel();
    model.apply(line(1));
    model.apply(line(5));
    expect(model.entries[1]).toEqual({ kind: 'marker', text: '3 lines missing (2–4)' });
  });

  it('keeps at most its limit of lines and says that older ones left', () => {
    const model = new LogModel(100);
    for (let s = 1; s <= 150; s++) model.apply(line(s));
    expect(model.entries.length).toBeLessThanOrEqual(101);
    expect(model.entries[0]).toMatchObject({ kind: 'marker' });
    expect(model.entries.at(-1)).toMatchObject({ seq: 150 });
  });

  it('downloads as plain text with levels', () => {
    const model = new LogModel();
    model.apply(line(1, 'hello'));
    model.apply({ ...line(2, 'oops', 'error'), stream: 'stderr' });
    model.apply({ ...line(3, 'said nothing'), level: undefined });
    expect(model.text()).toBe('2026-11-22T10:00:00.000Z stdout INFO  hello\n'
      + '2026-11-22T10:00:00.000Z stderr ERROR oops\n2026-11-22T10:00:00.000Z stdout       said nothing\n');
  });
});

describe('LogModel after dropped lines', () => {
  it('does not mark the seq jump a dropped frame already explained', () => {
    const model = new LogModel();
    model.apply(line(1));
    model.apply({ type: 'dropped', count: 2 });
    model.apply(line(4));
    model.apply(line(6));
    expect(model.entries.map((e) => (e.kind === 'line' ? e.seq : e.text))).toEqual([
      1, '2 lines dropped: this page could not keep up', 4, '1 line missing (5–5)', 6]);
  });
});
