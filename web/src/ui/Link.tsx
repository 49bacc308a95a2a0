import type { MouseEvent, ReactNode } from 'react';
import { navigate, pathOf, type Route } from './router';

/** A real link (middle-click and copy work) that moves within the page without reloading it. */
export function Link({ to, children, className }: { to: Route; children: ReactNode; className?: string }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={pathOf(to)} onClick={onClick} className={className}>
      {children}
    </a>
  );
}
