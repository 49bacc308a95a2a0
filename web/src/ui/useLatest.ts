import { useLayoutEffect, useRef, type RefObject } from 'react';

/**
 * A ref holding the latest `value`, for the callbacks of long-lived effects (sockets, subscriptions)
 * that must call what the component last rendered without starting again. Written after each render
 * commits, never during render (React may render and throw the result away).
 */
export function useLatest<T>(value: T): RefObject<T> {
  const ref = useRef(value);
  useLayoutEffect(() => {
    ref.current = value;
  });
  return ref;
}
