// Formatting helpers shared by the pages.

const pad = (n) => String(n).padStart(2, '0');

/** RFC 3339 timestamp as local `YYYY-MM-DD HH:MM:SS`; anything unparseable as given. */
export function fmtTime(s) {
  if (!s) return '—';
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return String(s);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

export function fmtInt(n) {
  if (n === null || n === undefined || n === '') return '—';
  const v = Number(n);
  return Number.isFinite(v) ? v.toLocaleString('en-US') : String(n);
}

export function fmtUsd(n) {
  if (n === null || n === undefined) return '—';
  const v = Number(n);
  if (!Number.isFinite(v)) return String(n);
  return `$${v.toFixed(v !== 0 && Math.abs(v) < 0.01 ? 4 : 2)}`;
}

/** A 0..1 score with two decimals. */
export function fmtScore(n) {
  if (n === null || n === undefined) return '—';
  const v = Number(n);
  return Number.isFinite(v) ? v.toFixed(2) : String(n);
}

export function fmtPct(n) {
  if (n === null || n === undefined) return '—';
  const v = Number(n);
  return Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : String(n);
}

/** A correlation or agreement figure that may be null (too few pairs). */
export function fmtRatio(n) {
  if (n === null || n === undefined) return 'n/a';
  const v = Number(n);
  return Number.isFinite(v) ? v.toFixed(2) : String(n);
}

export function shortId(id) {
  const s = String(id || '');
  return s.length > 14 ? `${s.slice(0, 12)}…` : s;
}

export function truncate(s, n) {
  const t = String(s || '').replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

/** `3 lines`, `1 line`. */
export function plural(n, word) {
  return `${fmtInt(n)} ${word}${Number(n) === 1 ? '' : 's'}`;
}
