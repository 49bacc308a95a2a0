import type { ApiError } from '../api/client';

/** The provision form's fields, as the API's error messages name them. */
export type FormField = 'imageType' | 'duration' | 'disconnectGrace' | 'idleTimeout' | 'env' | 'secretEnv' | 'form';

const BY_API_NAME: Record<string, FormField> = {
  imageType: 'imageType',
  durationSeconds: 'duration',
  durationMinutes: 'duration',
  disconnectGraceSeconds: 'disconnectGrace',
  idleTimeoutSeconds: 'idleTimeout',
  env: 'env',
  secretEnv: 'secretEnv',
};

/**
 * Which field an API refusal is about, so the form shows it next to that field. The API's messages
 * name the field first ("'idleTimeoutSeconds' must be a whole number…"); codes settle the rest.
 */
export function fieldOf(error: ApiError): FormField {
  if (error.code === 'invalid_duration') return 'duration';
  if (error.code === 'unknown_image_type') return 'imageType';
  const quoted = /'([A-Za-z]+)[.'[]/.exec(error.message);
  if (quoted && BY_API_NAME[quoted[1]]) return BY_API_NAME[quoted[1]];
  const leading = /^([A-Za-z]+)\b/.exec(error.message);
  if (leading && BY_API_NAME[leading[1]]) return BY_API_NAME[leading[1]];
  if (/both env and secretEnv/.test(error.message)) return 'secretEnv';
  return 'form';
}
