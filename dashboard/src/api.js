// Access to the datafactory JSON API: base URL and bearer token from the settings page,
// error objects built from `{"error":{"code","message"}}` bodies, and the error banner's state.

const BASE_KEY = 'datafactory.apiBase';
const TOKEN_KEY = 'datafactory.token';
/** Dispatched on `window` when the settings change. */
export const SETTINGS_EVENT = 'datafactory-settings';

function readStorage(key) {
  try {
    return window.localStorage.getItem(key) || '';
  } catch {
    return '';
  }
}

function writeStorage(key, value) {
  try {
    if (value) window.localStorage.setItem(key, value);
    else window.localStorage.removeItem(key);
  } catch {
    // Storage can be disabled; the settings then last for this page only.
  }
}

export function getSettings() {
  return { base: readStorage(BASE_KEY), token: readStorage(TOKEN_KEY) };
}

export function saveSettings({ base, token }) {
  writeStorage(BASE_KEY, (base || '').trim().replace(/\/+$/, ''));
  writeStorage(TOKEN_KEY, (token || '').trim());
  window.dispatchEvent(new Event(SETTINGS_EVENT));
}

/** Absolute URL of an API path (`/jobs/...`) under the configured base (same origin by default). */
export function apiUrl(path) {
  const { base } = getSettings();
  return (base || '') + path;
}

export function authHeaders() {
  const { token } = getSettings();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** Calls the API and returns the parsed JSON body; throws ApiError on any failure. */
export async function api(method, path, body) {
  const url = apiUrl(path);
  const headers = { Accept: 'application/json', ...authHeaders() };
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw new ApiError(0, 'network', `Cannot reach the API at ${url}: ${e.message}`);
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = data && data.error;
    const code = (err && err.code) || `http_${res.status}`;
    const message =
      (err && err.message) || text.trim().slice(0, 300) || res.statusText || `HTTP ${res.status}`;
    throw new ApiError(res.status, code, message);
  }
  if (data === null && text) {
    throw new ApiError(res.status, 'bad_json', `The API answered ${method} ${path} with something that is not JSON`);
  }
  return data;
}

/** Fetches a file (export download) with the auth header; returns the Response. */
export async function fetchFile(path) {
  const res = await fetch(apiUrl(path), { headers: authHeaders() });
  if (!res.ok) {
    const text = await res.text();
    let message = text.trim().slice(0, 300) || res.statusText;
    let code = `http_${res.status}`;
    try {
      const e = JSON.parse(text).error;
      if (e) {
        message = e.message || message;
        code = e.code || code;
      }
    } catch {
      // not JSON: keep the text
    }
    throw new ApiError(res.status, code, message);
  }
  return res;
}

// --- Error banner state: one entry per source, so a poll that recovers clears its own error. ---

const errors = new Map();
const listeners = new Set();

function emit() {
  const list = [...errors.values()];
  for (const fn of listeners) fn(list);
}

export function reportError(source, err) {
  const status = err && typeof err.status === 'number' ? err.status : 0;
  const code = (err && err.code) || 'error';
  const message = (err && err.message) || String(err);
  errors.set(source, { source, status, code, message });
  emit();
}

export function clearError(source) {
  if (errors.delete(source)) emit();
}

export function clearAllErrors() {
  if (errors.size) {
    errors.clear();
    emit();
  }
}

export function onErrors(fn) {
  listeners.add(fn);
  fn([...errors.values()]);
  return () => listeners.delete(fn);
}
