import { useId } from 'react';

export interface Pair {
  key: string;
  value: string;
}

interface Props {
  legend: string;
  pairs: Pair[];
  onChange: (pairs: Pair[]) => void;
  secret?: boolean;
  error?: string;
  hint: string;
}

/** Name and value rows for environment variables; secret values are masked and never shown again. */
export function EnvPairs({ legend, pairs, onChange, secret = false, error, hint }: Props) {
  const id = useId();
  const set = (index: number, change: Partial<Pair>) =>
    onChange(pairs.map((p, i) => (i === index ? { ...p, ...change } : p)));
  return (
    <fieldset className="env-pairs" aria-describedby={`${id}-hint ${error ? `${id}-error` : ''}`} aria-invalid={!!error}>
      <legend>{legend}</legend>
      <p className="hint" id={`${id}-hint`}>{hint}</p>
      {pairs.map((pair, index) => (
        <div className="pair" key={index}>
          <input aria-label={`${legend} name ${index + 1}`} placeholder="NAME" value={pair.key} spellCheck={false}
            autoComplete="off" onChange={(e) => set(index, { key: e.target.value })} />
          <input aria-label={`${legend} value ${index + 1}`} placeholder="value" value={pair.value}
            type={secret ? 'password' : 'text'} autoComplete={secret ? 'new-password' : 'off'} spellCheck={false}
            onChange={(e) => set(index, { value: e.target.value })} />
          <button type="button" className="icon" aria-label={`Remove ${legend} ${index + 1}`}
            onClick={() => onChange(pairs.filter((_, i) => i !== index))}>✕</button>
        </div>
      ))}
      <button type="button" className="link-button" onClick={() => onChange([...pairs, { key: '', value: '' }])}>
        + Add {secret ? 'a secret' : 'a variable'}
      </button>
      {error && <p className="field-error" id={`${id}-error`} role="alert">{error}</p>}
    </fieldset>
  );
}

/** The filled-in rows as an object; empty rows are skipped. */
export function pairsToObject(pairs: Pair[]): Record<string, string> | undefined {
  const filled = pairs.filter((p) => p.key.trim() !== '');
  if (filled.length === 0) return undefined;
  return Object.fromEntries(filled.map((p) => [p.key.trim(), p.value]));
}
