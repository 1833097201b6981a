import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, reportError, clearError } from '../api.js';
import { useResource } from '../hooks.js';
import { Loading, ProgressBar, StatusBadge } from '../components.js';
import { fmtInt, fmtTime, fmtUsd } from '../format.js';
import { isActive, jobProgress } from '../stages.js';

const PAGE = 50;

function JobRow({ job }) {
  const t = job.totals || {};
  const p = jobProgress(job);
  const href = `#/jobs/${encodeURIComponent(job.id)}`;
  return html`<tr data-testid="job-row" data-job-id=${job.id} data-status=${job.status}>
    <td><a href=${href} class="mono" data-testid="job-link">${job.id}</a></td>
    <td><${StatusBadge} status=${job.status} /></td>
    <td class="nowrap">${fmtTime(job.created_at)}</td>
    <td class="num">${fmtInt(job.urls)}</td>
    <td class="num">${fmtInt(t.pages_fetched)}</td>
    <td class="num">${fmtInt(t.examples)}</td>
    <td class="num">${fmtInt(t.exported)}</td>
    <td class="num">${fmtUsd(t.cost_usd)}</td>
    <td class="progress-cell">
      <${ProgressBar} value=${p} label=${`${Math.round(p * 100)}% of shards done`} />
      <span class="small muted">${Math.round(p * 100)}%</span>
    </td>
  </tr>`;
}

export function JobsPage() {
  const first = useResource(
    () => api('GET', `/jobs?limit=${PAGE}`),
    [],
    (d) => ((d.jobs || []).some((j) => isActive(j.status)) ? 2000 : null),
  );
  // Older pages, loaded on demand and not refreshed.
  const [older, setOlder] = useState({ jobs: [], cursor: undefined, loading: false });

  const cursor = older.cursor === undefined ? first.data && first.data.next_cursor : older.cursor;
  const loadMore = async () => {
    if (!cursor) return;
    setOlder((o) => ({ ...o, loading: true }));
    try {
      const d = await api('GET', `/jobs?limit=${PAGE}&cursor=${encodeURIComponent(cursor)}`);
      clearError('jobs-more');
      setOlder((o) => ({ jobs: [...o.jobs, ...(d.jobs || [])], cursor: d.next_cursor || null, loading: false }));
    } catch (e) {
      reportError('jobs-more', e);
      setOlder((o) => ({ ...o, loading: false }));
    }
  };

  const seen = new Set();
  const jobs = [...((first.data && first.data.jobs) || []), ...older.jobs].filter((j) =>
    seen.has(j.id) ? false : seen.add(j.id),
  );
  const polling = jobs.some((j) => isActive(j.status));

  return html`<section data-testid="jobs-page">
    <div class="page-head">
      <h1>Jobs</h1>
      <div class="actions">
        ${polling ? html`<span class="muted small live">refreshing every 2 s</span>` : null}
        <button type="button" class="secondary" onClick=${first.reload} data-testid="jobs-refresh">Refresh</button>
        <a class="button" href="#/new" data-testid="new-job-link">New job</a>
      </div>
    </div>
    ${first.loading && !first.data
      ? html`<${Loading} what="jobs" />`
      : jobs.length === 0 && first.data
        ? html`<div class="card empty" data-testid="jobs-empty">
            No jobs yet. <a href="#/new">Start one</a> from a list of URLs.
          </div>`
        : jobs.length
          ? html`<div class="table-wrap">
              <table class="table" data-testid="jobs-table">
                <thead>
                  <tr>
                    <th>Job</th>
                    <th>Status</th>
                    <th>Created</th>
                    <th class="num">URLs</th>
                    <th class="num">Pages fetched</th>
                    <th class="num">Examples</th>
                    <th class="num">Exported</th>
                    <th class="num">Cost</th>
                    <th>Progress</th>
                  </tr>
                </thead>
                <tbody>
                  ${jobs.map((j) => html`<${JobRow} key=${j.id} job=${j} />`)}
                </tbody>
              </table>
            </div>`
          : null}
    ${cursor
      ? html`<p>
          <button type="button" class="secondary" onClick=${loadMore} disabled=${older.loading} data-testid="jobs-more">
            ${older.loading ? 'Loading…' : 'Older jobs'}
          </button>
        </p>`
      : null}
  </section>`;
}
