import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, type ApiClient } from '../api/client';
import type { ImageType } from '../api/types';

/**
 * "Open" for the web apps a lease serves: a button per port its image type declares, and a field for
 * any other. Each asks the service for a link and opens it in a new tab, on the preview's own origin
 * (never this console's), with no way back to this tab (no opener).
 */
export function OpenPreview({ api, leaseId, imageType }: { api: ApiClient; leaseId: string; imageType: string }) {
  const [ports, setPorts] = useState<NonNullable<ImageType['ports']>>([]);
  const [other, setOther] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    api.catalog().then((catalog) => {
      const type = catalog.imageTypes.find((t) => t.imageType === imageType);
      if (!stopped) setPorts(type?.ports ?? []);
    }, () => {});
    return () => {
      stopped = true;
    };
  }, [api, imageType]);

  const open = async (port: number) => {
    // Opened now, while the click still counts (a tab opened after an await is a blocked pop-up), then sent on.
    const tab = window.open('about:blank', '_blank');
    if (tab) tab.opener = null;
    try {
      const link = await api.preview(leaseId, port);
      setError(null);
      if (tab) tab.location.href = link.url;
      else window.open(link.url, '_blank', 'noopener');
    } catch (e) {
      tab?.close();
      setError(e instanceof ApiError ? e.message : 'The preview could not be opened; try again.');
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const port = Number(other);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      setError('A port is a whole number from 1 to 65535.');
      return;
    }
    void open(port);
  };

  return (
    <div className="previews" data-testid="previews">
      <span className="muted">Web app</span>
      {ports.map((p) => (
        <button key={p.port} type="button" onClick={() => void open(p.port)}>
          Open {p.name === String(p.port) ? `port ${p.port}` : `${p.name} (${p.port})`}
        </button>
      ))}
      <form className="inline-form previews-any" onSubmit={submit}>
        <label htmlFor={`preview-port-${leaseId}`}>{ports.length > 0 ? 'or port' : 'Port'}</label>
        <input id={`preview-port-${leaseId}`} inputMode="numeric" size={6} value={other} placeholder="8080"
          onChange={(e) => setOther(e.target.value)} />
        <button type="submit">Open</button>
      </form>
      {error && <p className="field-error" role="alert">{error}</p>}
    </div>
  );
}
