import { useCallback, useEffect, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { ApiError, type ApiClient } from '../api/client';
import type { FileEntry, FileListing } from '../api/types';
import { formatBytes } from '../ui/formatBytes';
import { formatDateTime } from '../time/format';

/** One transfer under way or just ended, as the panel shows it. */
interface Transfer {
  key: number;
  label: string;
  done: number;
  total: number | null;
  state: 'running' | 'done' | 'failed';
  message?: string;
}

/** The path of name inside directory. */
export function joinPath(directory: string, name: string): string {
  return directory === '/' ? `/${name}` : `${directory.replace(/\/+$/, '')}/${name}`;
}

/** The parent of an absolute path ('/' for '/'). */
export function parentOf(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const at = trimmed.lastIndexOf('/');
  return at <= 0 ? '/' : trimmed.slice(0, at);
}

/** drwxr-xr-x, as ls -l shows a type and its mode. */
export function permissions(entry: Pick<FileEntry, 'type' | 'mode'>): string {
  const kind = entry.type === 'directory' ? 'd' : entry.type === 'symlink' ? 'l' : entry.type === 'file' ? '-' : '?';
  const mode = parseInt(entry.mode, 8);
  if (Number.isNaN(mode)) return kind + entry.mode;
  return kind + 'rwxrwxrwx'.split('').map((letter, i) => ((mode >> (8 - i)) & 1 ? letter : '-')).join('');
}

/** A small drawn icon (no emoji: many machines have no font for them). */
function Icon({ type }: { type: FileEntry['type'] }) {
  const path = type === 'directory'
    ? 'M1.5 3.5h4l1.5 1.5h7.5v8.5h-13z'
    : type === 'symlink'
      ? 'M6 10l4-4M5 7.5l-1.5 1.5a2.1 2.1 0 003 3L8 10.5M11 8.5l1.5-1.5a2.1 2.1 0 00-3-3L8 5.5'
      : 'M3.5 1.5h6l3 3v10h-9z M9.5 1.5v3h3';
  return (
    <svg className={`file-icon file-icon-${type}`} width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
      <path d={path} fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinejoin="round" strokeLinecap="round" />
    </svg>
  );
}

function describe(error: unknown): string {
  return error instanceof ApiError ? error.message : 'Something went wrong; try again.';
}

/**
 * The Files tab of a lease: browse its container's directories, download a file (a directory as a
 * tar), upload by picking or dropping files, make a folder, delete with a confirmation. Every path
 * is the container's own, resolved inside it by the service.
 */
export function FilesPanel({ api, leaseId, running }: { api: ApiClient; leaseId: string; running: boolean }) {
  const [listing, setListing] = useState<FileListing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const [confirming, setConfirming] = useState<string | null>(null);
  const [folderName, setFolderName] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const [transfers, setTransfers] = useState<Transfer[]>([]);
  const nextKey = useRef(0);
  const picker = useRef<HTMLInputElement>(null);
  const here = listing?.path ?? '.';

  const open = useCallback(async (path: string) => {
    try {
      const found = await api.listFiles(leaseId, path);
      if (found.type !== 'directory') {
        setError(`${found.path} is not a directory.`);
        return;
      }
      setListing(found);
      setTyped(found.path);
      setError(null);
      setConfirming(null);
    } catch (e) {
      setError(describe(e));
    }
  }, [api, leaseId]);

  // The container's working directory first.
  useEffect(() => {
    if (!running || listing !== null) return;
    let stopped = false;
    api.listFiles(leaseId, '.').then((found) => {
      if (stopped) return;
      setListing(found);
      setTyped(found.path);
    }, (e: unknown) => !stopped && setError(describe(e)));
    return () => {
      stopped = true;
    };
  }, [api, leaseId, running, listing]);

  const track = (label: string, total: number | null) => {
    const key = nextKey.current++;
    setTransfers((all) => [{ key, label, done: 0, total, state: 'running' as const }, ...all].slice(0, 6));
    const update = (change: Partial<Transfer>) =>
      setTransfers((all) => all.map((t) => (t.key === key ? { ...t, ...change } : t)));
    return update;
  };

  const download = async (entry: FileEntry) => {
    const path = joinPath(here, entry.name);
    const update = track(`Downloading ${entry.name}${entry.type === 'directory' ? ' (as a tar)' : ''}`,
      entry.type === 'file' ? entry.size : null);
    try {
      const { blob, name } = await api.downloadFile(leaseId, path, (done, total) => update({ done, total }));
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      update({ state: 'done', done: blob.size });
    } catch (e) {
      update({ state: 'failed', message: describe(e) });
    }
  };

  const upload = async (files: FileList | File[]) => {
    const directory = here;
    for (const file of Array.from(files)) {
      const update = track(`Uploading ${file.name}`, file.size);
      try {
        await api.uploadFile(leaseId, joinPath(directory, file.name), file, (done, total) => update({ done, total }));
        update({ state: 'done', done: file.size });
      } catch (e) {
        update({ state: 'failed', message: describe(e) });
      }
    }
    await open(directory);
  };

  const remove = async (entry: FileEntry) => {
    try {
      await api.removeFile(leaseId, joinPath(here, entry.name));
      await open(here);
    } catch (e) {
      setError(describe(e));
    }
  };

  const makeFolder = async (event: FormEvent) => {
    event.preventDefault();
    const name = folderName?.trim() ?? '';
    if (!name || name.includes('/')) {
      setError('A folder name has no slash.');
      return;
    }
    try {
      await api.makeDirectory(leaseId, joinPath(here, name));
      setFolderName(null);
      await open(here);
    } catch (e) {
      setError(describe(e));
    }
  };

  if (!running) return <p className="muted">Files can be moved while the container runs.</p>;

  const crumbs = (listing?.path ?? '/').split('/').filter(Boolean);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (event.dataTransfer.files.length > 0) void upload(event.dataTransfer.files);
  };

  return (
    <div className={`files${dragging ? ' files-dragging' : ''}`} data-testid="files-panel"
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)} onDrop={onDrop}>
      <div className="files-bar">
        <nav className="crumbs" aria-label="Path">
          <button type="button" className="link-button" onClick={() => void open('/')}>/</button>
          {crumbs.map((part, i) => (
            <span key={i}>
              <button type="button" className="link-button"
                onClick={() => void open('/' + crumbs.slice(0, i + 1).join('/'))}>{part}</button>
              {i < crumbs.length - 1 && <span className="muted">/</span>}
            </span>
          ))}
        </nav>
        <form className="inline-form files-go" onSubmit={(event) => {
          event.preventDefault();
          if (typed.trim()) void open(typed.trim());
        }}>
          <label className="visually-hidden" htmlFor="files-path">Path in the container</label>
          <input id="files-path" value={typed} onChange={(event) => setTyped(event.target.value)} spellCheck={false} />
          <button type="submit">Go</button>
        </form>
        <div className="button-row">
          <button type="button" className="primary" onClick={() => picker.current?.click()}>Upload files</button>
          <input ref={picker} type="file" multiple hidden data-testid="files-picker"
            onChange={(event) => {
              if (event.target.files) void upload(event.target.files);
              event.target.value = '';
            }} />
          <button type="button" onClick={() => setFolderName('')}>New folder</button>
          <button type="button" onClick={() => void open(here)}>Refresh</button>
        </div>
      </div>
      {folderName !== null && (
        <form className="inline-form" onSubmit={(event) => void makeFolder(event)}>
          <label htmlFor="files-new-folder">New folder in {here}</label>
          <input id="files-new-folder" autoFocus value={folderName} onChange={(event) => setFolderName(event.target.value)} />
          <button type="submit" className="primary">Make</button>
          <button type="button" onClick={() => setFolderName(null)}>Cancel</button>
        </form>
      )}
      {error && <p className="note note-error" role="alert">{error}</p>}
      {transfers.length > 0 && (
        <ul className="transfers" aria-label="Transfers">
          <li className="transfers-head">
            <span className="muted">Transfers</span>
            <button type="button" className="link-button" disabled={transfers.some((t) => t.state === 'running')}
              onClick={() => setTransfers([])}>Clear</button>
          </li>
          {transfers.map((t) => (
            <li key={t.key} className={`transfer transfer-${t.state}`}>
              <span>{t.label}</span>
              <progress max={t.total ?? undefined} value={t.total === null && t.state === 'running' ? undefined : t.done}
                aria-label={t.label} />
              <span className="muted">
                {t.state === 'failed' ? t.message
                  : `${formatBytes(t.done)}${t.total !== null ? ` of ${formatBytes(t.total)}` : ''}${t.state === 'done' ? ' · done' : ''}`}
              </span>
            </li>
          ))}
        </ul>
      )}
      {listing && (
        <table className="files-table">
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Size</th><th scope="col">Modified</th>
              <th scope="col">Mode</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody>
            {listing.path !== '/' && (
              <tr>
                <td colSpan={5}>
                  <button type="button" className="link-button" onClick={() => void open(parentOf(listing.path))}>
                    ↑ Parent folder
                  </button>
                </td>
              </tr>
            )}
            {listing.entries.map((entry) => (
              <tr key={entry.name} data-testid="file-row">
                <td className="file-name">
                  {entry.type === 'directory' ? (
                    <button type="button" className="link-button" onClick={() => void open(joinPath(listing.path, entry.name))}>
                      <Icon type="directory" /> {entry.name}/
                    </button>
                  ) : (
                    <span><Icon type={entry.type} /> {entry.name}
                      {entry.linkTarget && <span className="muted"> → {entry.linkTarget}</span>}</span>
                  )}
                </td>
                <td className="file-size">{entry.type === 'file' ? formatBytes(entry.size) : ''}</td>
                <td>{formatDateTime(entry.modified)}</td>
                <td><code>{permissions(entry)}</code></td>
                <td className="file-actions">
                  {confirming === entry.name ? (
                    <span className="confirm" role="group" aria-label={`Delete ${entry.name}?`}>
                      <span>Delete {entry.name}{entry.type === 'directory' ? ' and everything in it' : ''}?</span>
                      <button type="button" className="danger" onClick={() => void remove(entry)}>Delete</button>
                      <button type="button" onClick={() => setConfirming(null)}>Cancel</button>
                    </span>
                  ) : (
                    <span className="button-row">
                      {(entry.type === 'file' || entry.type === 'directory') && (
                        <button type="button" onClick={() => void download(entry)}
                          aria-label={`Download ${entry.name}`}>Download</button>
                      )}
                      <button type="button" className="danger-outline" onClick={() => setConfirming(entry.name)}
                        aria-label={`Delete ${entry.name}`}>Delete</button>
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {listing?.truncated && <p className="hint">Only the first 10,000 entries are shown.</p>}
      {listing && listing.entries.length === 0 && <p className="muted empty">This folder is empty. Drop files here to upload them.</p>}
      <p className="hint">Drop files anywhere on this panel to upload them into {here}.</p>
    </div>
  );
}
