import { html } from '../html.js';
import { api } from '../api.js';
import { useResource } from '../hooks.js';
import { Histogram, JobTabs, JobTitle, Loading } from '../components.js';
import { fmtInt, fmtPct, fmtRatio, fmtScore, truncate } from '../format.js';

function orderChecks(names) {
  return [...names].sort((a, b) => (a === 'total' ? -1 : b === 'total' ? 1 : a.localeCompare(b)));
}

function Stat({ label, value, testid, hint }) {
  return html`<div class="stat" data-testid=${testid} title=${hint}>
    <div class="stat-value">${value}</div>
    <div class="stat-label">${label}</div>
  </div>`;
}

function WorstList({ jobId, examples }) {
  if (!examples || !examples.length) return html`<p class="muted">No inspected examples.</p>`;
  return html`<ol class="worst" data-testid="worst-list">
    ${examples.map(
      (ex) => html`<li key=${ex.id}>
        <a
          href=${`#/jobs/${encodeURIComponent(jobId)}/review?focus=${encodeURIComponent(ex.id)}`}
          data-testid="worst-example"
          data-example-id=${ex.id}
        >
          <span class=${`score-pill ${ex.passed ? 'pass' : 'fail'}`}>${fmtScore(ex.score)}</span>
          <span class="worst-text">${truncate(ex.instruction, 140) || '(no instruction)'}</span>
        </a>
        ${ex.notes && ex.notes.length ? html`<div class="muted small">${truncate(ex.notes.join('; '), 200)}</div>` : null}
      </li>`,
    )}
  </ol>`;
}

/** Human ratings 1..10 as bars. */
function RatingsHistogram({ ratings }) {
  const counts = Array.from({ length: 10 }, (_, i) => Number((ratings || [])[i]) || 0);
  const max = Math.max(1, ...counts);
  return html`<figure class="histogram ratings" data-testid="ratings-histogram">
    <figcaption><span class="hist-name">ratings</span></figcaption>
    <div class="hist-bars">
      ${counts.map(
        (n, i) => html`<div class="hist-col" key=${i} title=${`rating ${i + 1}: ${n}`}>
          <div class="hist-bar" style=${{ height: `${(n / max) * 100}%` }} data-count=${n}></div>
        </div>`,
      )}
    </div>
    <div class="hist-axis ten">${counts.map((_, i) => html`<span key=${i}>${i + 1}</span>`)}</div>
  </figure>`;
}

function ReviewStats({ stats }) {
  const a = stats.agreement || {};
  return html`<div class="card" data-testid="review-stats">
    <h2>Human review</h2>
    <div class="review-stats-grid">
      <div class="stats-row">
        <${Stat} label="reviewed" value=${`${fmtInt(stats.reviewed)} / ${fmtInt(stats.examples)}`} testid="stat-reviewed" />
        <${Stat} label="unreviewed" value=${fmtInt(stats.unreviewed)} />
        <${Stat} label="rated" value=${fmtInt(stats.rated)} />
        <${Stat} label="approved" value=${fmtInt(stats.approved)} testid="stat-approved" />
        <${Stat} label="rejected" value=${fmtInt(stats.rejected)} testid="stat-rejected" />
        <${Stat} label="rewritten" value=${fmtInt(stats.rewritten)} testid="stat-rewritten" />
      </div>
      <${RatingsHistogram} ratings=${stats.ratings} />
      <div>
        <h4>Agreement</h4>
        <dl class="kv" data-testid="agreement">
          <div class="kv-row"><dt>pairs</dt><dd>${fmtInt(a.pairs)}</dd></div>
          <div class="kv-row"><dt>Pearson</dt><dd>${fmtRatio(a.pearson)}</dd></div>
          <div class="kv-row"><dt>Spearman</dt><dd>${fmtRatio(a.spearman)}</dd></div>
          <div class="kv-row"><dt>decision agreement</dt><dd>${fmtRatio(a.decision_agreement)}</dd></div>
        </dl>
      </div>
    </div>
  </div>`;
}

export function QualityPage({ id }) {
  const enc = encodeURIComponent(id);
  const q = useResource(() => api('GET', `/jobs/${enc}/quality`), [id]);
  const s = useResource(() => api('GET', `/jobs/${enc}/reviews/stats`), [id]);
  const d = q.data;
  const means = (d && d.means) || {};
  const hists = (d && d.histograms) || {};
  const reload = () => {
    q.reload();
    s.reload();
  };
  return html`<section data-testid="quality-page">
    <${JobTitle} id=${id}>
      <div class="actions"><button type="button" class="secondary" onClick=${reload} data-testid="quality-refresh">Refresh</button></div>
    <//>
    <${JobTabs} id=${id} active="quality" />
    ${!d
      ? q.loading
        ? html`<${Loading} what="quality" />`
        : null
      : html`
          <div class="card">
            <div class="stats-row">
              <${Stat} label="pass rate" value=${fmtPct(d.pass_rate)} testid="pass-rate" />
              <${Stat} label="inspected" value=${fmtInt(d.inspected)} testid="inspected" />
              <${Stat} label="passed" value=${fmtInt(d.passed)} testid="passed" />
              <${Stat} label="threshold" value=${fmtScore(d.threshold)} testid="threshold" hint="an example passes when its score is at least this and no check failed hard" />
            </div>
          </div>
          <h2>Score histograms</h2>
          ${Object.keys(hists).length
            ? html`<div class="histograms" data-testid="histograms">
                ${orderChecks(Object.keys(hists)).map(
                  (name) => html`<${Histogram} key=${name} name=${name} bins=${hists[name]} mean=${means[name]} />`,
                )}
              </div>`
            : html`<p class="muted">No histograms: nothing inspected yet.</p>`}
          ${Object.keys(means).length
            ? html`<div class="card">
                <h4>Means</h4>
                <dl class="kv kv-inline" data-testid="means">
                  ${orderChecks(Object.keys(means)).map(
                    (k) => html`<div class="kv-row" key=${k}><dt>${k}</dt><dd>${fmtScore(means[k])}</dd></div>`,
                  )}
                </dl>
              </div>`
            : null}
          <h2>Worst examples</h2>
          <div class="card"><${WorstList} jobId=${id} examples=${d.worst} /></div>
        `}
    ${s.data ? html`<${ReviewStats} stats=${s.data} />` : null}
  </section>`;
}
