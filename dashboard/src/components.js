import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { onErrors } from './api.js';
import { fmtInt, fmtScore } from './format.js';

export function StatusBadge({ status }) {
  const s = status || 'unknown';
  return html`<span class=${`badge status-${s}`} data-testid="status-badge" data-status=${s}>${s}</span>`;
}

export function ProgressBar({ value, label, testid }) {
  const pct = Math.max(0, Math.min(1, Number(value) || 0)) * 100;
  return html`<div
    class="progress"
    role="progressbar"
    aria-valuemin="0"
    aria-valuemax="100"
    aria-valuenow=${Math.round(pct)}
    title=${label || `${Math.round(pct)}%`}
    data-testid=${testid}
  >
    <div class="progress-fill" style=${{ width: `${pct}%` }}></div>
  </div>`;
}

/** The API errors of the current page, one line each; a 401 points at the settings page. */
export function ErrorBanner() {
  const [errors, setErrors] = useState([]);
  useEffect(() => onErrors(setErrors), []);
  if (!errors.length) return null;
  return html`<div class="error-banner" role="alert" data-testid="error-banner">
    ${errors.map(
      (e) => html`<div class="error-line" key=${e.source}>
        ${e.status === 401
          ? html`<strong>Not authorized (401):</strong> ${e.message}. Set an API token in${' '}
              <a href="#/settings" data-testid="error-settings-link">Settings</a>.`
          : html`<strong>${e.status ? `Error ${e.status}` : 'Error'}${e.code ? ` (${e.code})` : ''}:</strong>${' '}
              ${e.message}`}
      </div>`,
    )}
  </div>`;
}

export function JobTabs({ id, active }) {
  const enc = encodeURIComponent(id);
  const tabs = [
    ['detail', 'Overview', `#/jobs/${enc}`],
    ['quality', 'Quality', `#/jobs/${enc}/quality`],
    ['review', 'Review', `#/jobs/${enc}/review`],
    ['exports', 'Exports', `#/jobs/${enc}/exports`],
  ];
  return html`<nav class="tabs" data-testid="job-tabs">
    ${tabs.map(
      ([key, label, href]) =>
        html`<a key=${key} href=${href} class=${key === active ? 'tab active' : 'tab'} data-testid=${`tab-${key}`}
          >${label}</a
        >`,
    )}
  </nav>`;
}

export function JobTitle({ id, children }) {
  return html`<div class="page-head">
    <h1>Job <code class="job-id" data-testid="job-id">${id}</code></h1>
    ${children}
  </div>`;
}

/** Ten bins over 0..1 as plain div bars. */
export function Histogram({ name, bins, mean }) {
  const counts = Array.isArray(bins) ? bins.map((n) => Number(n) || 0) : [];
  const max = Math.max(1, ...counts);
  const total = counts.reduce((a, b) => a + b, 0);
  const width = counts.length ? 1 / counts.length : 0.1;
  return html`<figure class="histogram" data-testid="histogram" data-check=${name}>
    <figcaption>
      <span class="hist-name">${name}</span>
      ${mean !== undefined && mean !== null ? html`<span class="muted">mean ${fmtScore(mean)}</span>` : null}
    </figcaption>
    <div class="hist-bars">
      ${counts.map((n, i) => {
        const lo = (i * width).toFixed(1);
        const hi = ((i + 1) * width).toFixed(1);
        return html`<div class="hist-col" key=${i} title=${`${lo}–${hi}: ${n}`}>
          <div class="hist-bar" style=${{ height: `${(n / max) * 100}%` }} data-count=${n}></div>
        </div>`;
      })}
    </div>
    <div class="hist-axis"><span>0</span><span>0.5</span><span>1</span></div>
    <div class="muted small">${fmtInt(total)} examples</div>
  </figure>`;
}

/** Horizontal bars of `[label, count]` pairs, largest first. */
export function BarList({ items, empty, testid }) {
  const rows = Object.entries(items || {})
    .map(([k, v]) => [k, Number(v) || 0])
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (!rows.length) return html`<p class="muted small">${empty || 'none'}</p>`;
  const max = Math.max(1, ...rows.map((r) => r[1]));
  return html`<ul class="barlist" data-testid=${testid}>
    ${rows.map(
      ([k, v]) => html`<li key=${k}>
        <span class="barlist-label" title=${k}>${k}</span>
        <span class="barlist-track"><span class="barlist-bar" style=${{ width: `${(v / max) * 100}%` }}></span></span>
        <span class="barlist-count">${fmtInt(v)}</span>
      </li>`,
    )}
  </ul>`;
}

export function KeyValues({ items, testid }) {
  const rows = Object.entries(items || {});
  if (!rows.length) return html`<p class="muted small">no counters yet</p>`;
  return html`<dl class="kv" data-testid=${testid}>
    ${rows.map(
      ([k, v]) => html`<div class="kv-row" key=${k}>
        <dt>${k}</dt>
        <dd>${typeof v === 'number' ? fmtInt(v) : String(v)}</dd>
      </div>`,
    )}
  </dl>`;
}

export function Loading({ what }) {
  return html`<p class="muted loading">Loading ${what || ''}…</p>`;
}

/** Copies a link's behaviour for in-app navigation buttons. */
export function go(hash) {
  window.location.hash = hash;
}

/** Lines the API refused: `[{line, reason, ...}]`, any other field shown as given. */
export function RefusedList({ refused }) {
  if (!refused || !refused.length) return null;
  return html`<ul class="refused" data-testid="refused-list">
    ${refused.map((r, i) => {
      const extra = Object.entries(r || {}).filter(([k]) => k !== 'line' && k !== 'reason');
      return html`<li key=${i}>
        ${r && r.line !== undefined ? html`<span class="mono">line ${r.line}</span>: ` : null}
        <span>${(r && r.reason) || JSON.stringify(r)}</span>
        ${extra.map(([k, v]) => html` <span class="muted small mono">${k}=${typeof v === 'string' ? v : JSON.stringify(v)}</span>`)}
      </li>`;
    })}
  </ul>`;
}
