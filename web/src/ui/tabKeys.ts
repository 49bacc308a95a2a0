import type { KeyboardEvent } from 'react';

/**
 * Arrow keys, Home and End move between the tabs of a tab list (the WAI-ARIA tabs pattern), so a
 * keyboard user does not have to tab through every tab.
 */
export function onTabListKey(event: KeyboardEvent<HTMLElement>): void {
  const tabs = [...event.currentTarget.querySelectorAll<HTMLElement>('[role="tab"]')];
  const at = tabs.indexOf(document.activeElement as HTMLElement);
  if (at < 0) return;
  const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  const target = tabs[(next + tabs.length) % tabs.length];
  target.focus();
  target.click();
}
