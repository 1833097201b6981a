import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { useResource } from '../hooks.js';
import { BarList, JobTabs, JobTitle, KeyValues, Loading, ProgressBar, RefusedList, StatusBadge } from '../components.js';
import { fmtInt, fmtTime, fmtUsd, plural, truncate } from '../format.js';
import { STAGES, isActive, jobProgress, stageTotal } from '../stages.js';
import { takeSubmission } from '../flash.js';

const FINISHED = ['completed', 'failed'];

/** A stage the API lists with nothing done and no counter has not started. */
const started = (data) =>
  !!data && ((Number(data.shards_done) || 0) > 0 || Object.keys(data.counters || {}).length > 0);

function stageState(stage, data, job, total) {
  if (!started(data)) {
    if (job.status === 'completed') return 'skipped';
    if (job.status === 'failed') return 'failed';
    return 'waiting';
  }
  const done = Number(data.shards_done) || 0;
  if (total && done >= total) return 'done';
  if (job.status === 'failed') return 'failed';
  if (job.status === 'completed') return 'done';
  return 'running';
}

function StageBox({ stage, data, job, total }) {
  const state = stageState(stage, data, job, total);
  const counters = (data && data.counters) || {};
  const done = data ? Number(data.shards_done) || 0 : 0;
  const num = (k) => (k in counters ? fmtInt(counters[k]) : '—');
  return html`<div class=${`stage-box stage-${state}`} data-testid=${`stage-${stage.key}`} data-state=${state}>
    <div class="stage-name">${stage.name}</div>
    <div class="stage-what muted small">${stage.what}</div>
    <div class="stage-shards">
      <span data-testid=${`stage-${stage.key}-shards`}>${fmtInt(done)} / ${fmtInt(total)}</span>
      <span class="muted small"> shards</span>
    </div>
    <${ProgressBar} value=${total ? done / total : 0} />
    <div class="stage-io small">
      ${stage.in ? html`<span title="in">${num(stage.in[0])} ${stage.in[1]}</span><span class="io-arrow">→</span>` : null}
      <span title="out">${num(stage.out[0])} ${stage.out[1]}</span>
    </div>
    <div class="stage-state small">${state}</div>
  </div>`;
}

function ErrorSamples({ samples }) {
  if (!samples || !samples.length) return html`<p class="muted small">no errors</p>`;
  return html`<ul class="samples">
    ${samples.map(
      (s, i) => html`<li key=${i}>
        <code class="sample-id" title=${s.id}>${truncate(s.id || s.url || '?', 90)}</code>
        <span class="sample-reason">${s.reason}</span>
        ${s.detail ? html`<span class="muted small sample-detail" title=${s.detail}>${truncate(s.detail, 200)}</span>` : null}
      </li>`,
    )}
  </ul>`;
}

function StageDetail({ stage, data, job }) {
  const drops = data ? data.drop_reasons || data.reasons || {} : {};
  const samples = data ? data.error_samples || data.samples || [] : [];
  return html`<div class="card stage-detail" data-testid=${`stage-detail-${stage.key}`}>
    <h3>${stage.name}</h3>
    ${!started(data)
      ? html`<p class="muted small">${job.status === 'completed' ? 'nothing to do for this job' : 'waiting: no shard done yet'}</p>`
      : html`<div class="stage-detail-grid">
          <div>
            <h4>Counters</h4>
            <${KeyValues} items=${data.counters} />
          </div>
          <div>
            <h4>Drops by reason</h4>
            <${BarList} items=${drops} empty="no drops" />
          </div>
          <div>
            <h4>Errors</h4>
            <${ErrorSamples} samples=${samples} />
          </div>
        </div>`}
  </div>`;
}

function Submitted({ info }) {
  const [open, setOpen] = useState(true);
  if (!info || !open) return null;
  const refused = info.refused || [];
  return html`<div class="notice" data-testid="submitted-notice">
    <button type="button" class="close" onClick=${() => setOpen(false)} aria-label="dismiss">×</button>
    ${info.existing
      ? html`<p>An identical job already existed: showing it instead of starting another.</p>`
      : html`<p>Job submitted: ${fmtInt(info.urls)} URLs in ${fmtInt(info.shards)} shards.</p>`}
    ${info.lines_refused || refused.length
      ? html`<p>${plural(info.lines_refused ?? refused.length, 'line')} refused${refused.length ? ':' : '.'}</p>
          <${RefusedList} refused=${refused} />`
      : null}
  </div>`;
}

export function JobPage({ id }) {
  const [submitted] = useState(() => takeSubmission(id));
  const res = useResource(
    () => api('GET', `/jobs/${encodeURIComponent(id)}`),
    [id],
    (d) => (d && d.job && FINISHED.includes(d.job.status) ? null : 1000),
  );
  const d = res.data;
  if (!d) {
    return html`<section data-testid="job-page">
      <${JobTitle} id=${id} />
      <${JobTabs} id=${id} active="detail" />
      ${res.loading ? html`<${Loading} what="job" />` : null}
    </section>`;
  }
  const job = d.job || {};
  const stages = d.stages || {};
  const shardsTotal = (job.progress && job.progress.shards_total) ?? job.shards ?? 0;
  const t = job.totals || {};
  const input = stages.input;
  const p = jobProgress(job);
  return html`<section data-testid="job-page" data-status=${job.status}>
    <${JobTitle} id=${id}>
      <div class="actions">
        <${StatusBadge} status=${job.status} />
        ${isActive(job.status) ? html`<span class="muted small live">live</span>` : null}
      </div>
    <//>
    <${JobTabs} id=${id} active="detail" />
    <${Submitted} info=${submitted} />
    <div class="card job-header" data-testid="job-header">
      <dl class="facts">
        <div><dt>Status</dt><dd data-testid="job-status">${job.status}</dd></div>
        <div><dt>Input</dt><dd class="mono wrap" data-testid="job-input">${job.input || '—'}</dd></div>
        <div><dt>Created</dt><dd>${fmtTime(job.created_at)}</dd></div>
        <div><dt>Updated</dt><dd>${fmtTime(job.updated_at)}</dd></div>
        <div><dt>URLs / shards</dt><dd>${fmtInt(job.urls)} / ${fmtInt(job.shards)}</dd></div>
        <div><dt>Examples</dt><dd>${fmtInt(t.examples)} (${fmtInt(t.passed)} passed)</dd></div>
        <div><dt>Exported</dt><dd>${fmtInt(t.exported)}</dd></div>
        <div>
          <dt>Cost</dt>
          <dd>${fmtUsd(d.cost_usd && d.cost_usd.llm !== undefined ? d.cost_usd.llm : t.cost_usd)}</dd>
        </div>
        <div><dt>Export</dt><dd class="mono wrap" data-testid="job-export">${job.export || '—'}</dd></div>
        ${job.message ? html`<div class="wide"><dt>Message</dt><dd data-testid="job-message">${job.message}</dd></div>` : null}
      </dl>
      <div class="job-progress">
        <${ProgressBar} value=${p} testid="job-progress" />
        <span class="small muted">${Math.round(p * 100)}% of shards done</span>
      </div>
      ${input && input.counters && (input.counters.lines_refused || input.counters.duplicate_urls)
        ? html`<p class="small muted">
            ${`Input: ${fmtInt(input.counters.urls)} URLs, ${plural(input.counters.lines_refused || 0, 'line')} refused, ` +
            `${plural(input.counters.duplicate_urls || 0, 'duplicate')}.`}
          </p>`
        : null}
    </div>

    <h2>Pipeline</h2>
    <div class="pipeline" data-testid="pipeline">
      ${STAGES.map(
        (s, i) => html`
          ${i > 0 ? html`<div class="pipeline-arrow" aria-hidden="true">→</div>` : null}
          <${StageBox} key=${s.key} stage=${s} data=${stages[s.key]} job=${job} total=${stageTotal(s.key, shardsTotal)} />
        `,
      )}
    </div>

    <div class="stage-details">
      ${STAGES.map((s) => html`<${StageDetail} key=${s.key} stage=${s} data=${stages[s.key]} job=${job} />`)}
    </div>

    ${d.config
      ? html`<details class="card">
          <summary>Configuration</summary>
          <pre class="json">${JSON.stringify(d.config, null, 2)}</pre>
        </details>`
      : null}
  </section>`;
}
