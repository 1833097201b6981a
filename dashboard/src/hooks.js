import { useEffect, useRef, useState } from 'preact/hooks';
import { clearError, reportError } from './api.js';

let nextSource = 1;

/** The current hash route, re-rendered on `hashchange`. */
export function useHash() {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const on = () => setHash(window.location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
}

/**
 * Loads data with `load()` whenever `deps` change, and again after `pollMs(data)` milliseconds
 * while that returns a number. Errors go to the banner (and clear from it on the next success);
 * a failed poll is retried after 5 s unless the API refused it (4xx).
 */
export function useResource(load, deps, pollMs) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [nonce, setNonce] = useState(0);
  const source = useRef(null);
  if (source.current === null) source.current = `resource-${nextSource++}`;
  const loadRef = useRef(load);
  loadRef.current = load;
  const pollRef = useRef(pollMs);
  pollRef.current = pollMs;

  useEffect(() => {
    let alive = true;
    let timer = null;
    const run = async () => {
      try {
        const data = await loadRef.current();
        if (!alive) return;
        clearError(source.current);
        setState({ data, error: null, loading: false });
        const ms = pollRef.current ? pollRef.current(data) : null;
        if (ms) timer = setTimeout(run, ms);
      } catch (e) {
        if (!alive) return;
        reportError(source.current, e);
        setState((s) => ({ ...s, error: e, loading: false }));
        const refused = e && e.status >= 400 && e.status < 500;
        if (pollRef.current && !refused) timer = setTimeout(run, 5000);
      }
    };
    setState((s) => ({ ...s, loading: true }));
    run();
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [...deps, nonce]);

  return { ...state, reload: () => setNonce((n) => n + 1) };
}
