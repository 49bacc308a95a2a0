import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';

/**
 * One polite aria-live region for the page: expiry warnings and endings are read out to screen
 * reader users without moving their focus.
 */
const AnnounceContext = createContext<(message: string) => void>(() => {});

export function Announcer({ children }: { children: ReactNode }) {
  const [message, setMessage] = useState('');
  const announce = useCallback((text: string) => {
    // The same text twice in a row would not be read again; a trailing space makes it new.
    setMessage((previous) => (previous === text ? text + ' ' : text));
  }, []);
  return (
    <AnnounceContext.Provider value={announce}>
      {children}
      <div className="visually-hidden" role="status" aria-live="polite" data-testid="announcer">
        {message}
      </div>
    </AnnounceContext.Provider>
  );
}

export function useAnnounce(): (message: string) => void {
  return useContext(AnnounceContext);
}
