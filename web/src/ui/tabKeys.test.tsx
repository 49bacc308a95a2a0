import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { onTabListKey } from './tabKeys';

describe('onTabListKey', () => {
  it('moves between tabs with the arrow keys, wrapping, and Home and End', async () => {
    const chosen: string[] = [];
    render(
      <div role="tablist" onKeyDown={onTabListKey}>
        {['One', 'Two', 'Three'].map((name) => (
          <button key={name} role="tab" onClick={() => chosen.push(name)}>{name}</button>
        ))}
      </div>,
    );
    const user = userEvent.setup();
    screen.getByRole('tab', { name: 'One' }).focus();
    await user.keyboard('{ArrowRight}');
    expect(document.activeElement?.textContent).toBe('Two');
    await user.keyboard('{End}');
    await user.keyboard('{ArrowRight}');
    expect(document.activeElement?.textContent).toBe('One');
    await user.keyboard('{ArrowLeft}');
    expect(chosen).toEqual(['Two', 'Three', 'One', 'Three']);
  });
});
