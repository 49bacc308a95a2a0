import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { LogModel } from './logModel';
import { LogView } from './LogView';

const line = (seq: number, message: string, level?: string, stream = 'stdout') =>
  ({ seq, timestamp: '2026-11-22T10:00:00.123Z', stream, level, message });

describe('LogView', () => {
  it('shows gap and dropped frames as visible markers between lines', () => {
    const model = new LogModel();
    model.apply(line(1, 'first', 'info'));
    model.apply({ type: 'gap', from: 2, to: 9 });
    model.apply(line(10, 'after the gap', 'error', 'stderr'));
    model.apply({ type: 'dropped', count: 3 });
    render(<LogView model={model} version={1} status="live" fileName="x.log" />);
    const rows = screen.getByTestId('log-lines').querySelectorAll('.log-row');
    expect([...rows].map((r) => r.textContent)).toEqual([
      '10:00:00.123infofirst',
      '— lines 2–9 are no longer held by the service —',
      '10:00:00.123errorafter the gap',
      '— 3 lines dropped: this page could not keep up —',
    ]);
    expect(rows[2].className).toContain('level-error');
  });

  it('shows the level a line states, and the stream (not an error) when it states none', () => {
    const model = new LogModel();
    model.apply(line(1, 'warning: slow', 'warn', 'stderr'));
    model.apply(line(2, 'plain stderr', undefined, 'stderr'));
    model.apply(line(3, 'plain stdout'));
    render(<LogView model={model} version={1} status="live" fileName="x.log" />);
    const rows = [...screen.getByTestId('log-lines').querySelectorAll('.log-row')];
    expect(rows.map((r) => r.querySelector('.log-level')?.textContent)).toEqual(['warn', 'stderr', 'stdout']);
    expect(rows.map((r) => r.className)).toEqual([
      'log-row level-warn stream-stderr', 'log-row stream-stderr', 'log-row stream-stdout']);
  });

  it('renders only the rows in sight of 100,000', () => {
    const model = new LogModel();
    for (let s = 1; s <= 100_000; s++) model.apply(line(s, `line ${s}`));
    render(<LogView model={model} version={1} status="live" fileName="x.log" />);
    const rendered = screen.getByTestId('log-lines').querySelectorAll('.log-row').length;
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(200);
    expect(screen.getByTestId('log-status').textContent).toContain('100000 lines');
  });

  it('filters lines by text and keeps the markers', async () => {
    const model = new LogModel();
    model.apply(line(1, 'apple'));
    model.apply(line(2, 'banana'));
    model.apply({ type: 'dropped', count: 1 });
    model.apply(line(4, 'Apple pie'));
    render(<LogView model={model} version={1} status="live" fileName="x.log" />);
    await userEvent.setup().type(screen.getByLabelText('Filter log lines'), 'apple');
    const rows = [...screen.getByTestId('log-lines').querySelectorAll('.log-message')].map((r) => r.textContent);
    expect(rows).toEqual(['apple', '— 1 line dropped: this page could not keep up —', 'Apple pie']);
    expect(screen.getByTestId('log-status').textContent).toContain('3 of 4 lines');
  });
});
