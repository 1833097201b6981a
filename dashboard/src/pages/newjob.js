import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, clearError, reportError } from '../api.js';
import { useResource } from '../hooks.js';
import { RefusedList, go } from '../components.js';
import { fmtInt, fmtUsd, plural } from '../format.js';
import { rememberSubmission } from '../flash.js';

/** Splits one CSV line, honouring double quotes. */
function csvCells(line) {
  const cells = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cur);
      cur = '';
    } else cur += c;
  }
  cells.push(cur);
  return cells.map((s) => s.trim());
}

const looksLikeUrl = (s) => /^https?:\/\/\S+$/i.test(s);

/** The URLs in an uploaded list: .txt lines, .jsonl `url` fields, .csv `url` column. */
export function urlsFromFile(name, text) {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const lower = name.toLowerCase();
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) {
    const out = [];
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        const v = JSON.parse(line);
        if (v && typeof v.url === 'string') out.push(v.url.trim());
      } catch {
        // not a JSON line: skip it
      }
    }
    return out;
  }
  if (lower.endsWith('.csv')) {
    const rows = lines.filter((l) => l.trim()).map(csvCells);
    if (!rows.length) return [];
    const col = rows[0].findIndex((h) => h.toLowerCase() === 'url');
    if (col >= 0) return rows.slice(1).map((r) => r[col] || '').filter(Boolean);
    return rows.flat().filter(looksLikeUrl);
  }
  return lines.map((l) => l.trim()).filter(Boolean);
}

function Estimate({ data }) {
  const e = data.estimate || {};
  return html`<div class="card estimate" data-testid="estimate">
    <h2>Estimate</h2>
    <div class="stats-row">
      <div class="stat"><div class="stat-value" data-testid="estimate-cost">${e.priced === false ? 'unpriced' : fmtUsd(e.cost_usd)}</div><div class="stat-label">cost</div></div>
      <div class="stat"><div class="stat-value">${fmtInt(data.urls)}</div><div class="stat-label">URLs accepted</div></div>
      <div class="stat"><div class="stat-value">${fmtInt(e.pages)}</div><div class="stat-label">pages</div></div>
      <div class="stat"><div class="stat-value">${fmtInt(e.chunks)}</div><div class="stat-label">chunks</div></div>
      <div class="stat"><div class="stat-value">${fmtInt(e.llm_calls)}</div><div class="stat-label">LLM calls</div></div>
    </div>
    <dl class="kv kv-inline">
      <div class="kv-row"><dt>model</dt><dd>${e.model || '—'}</dd></div>
      <div class="kv-row"><dt>prompt tokens</dt><dd>${fmtInt(e.prompt_tokens)}</dd></div>
      <div class="kv-row"><dt>completion tokens</dt><dd>${fmtInt(e.completion_tokens)}</dd></div>
    </dl>
    ${e.priced === false ? html`<p class="small">The model has no known price: the cost is not estimated.</p>` : null}
    ${e.basis ? html`<p class="muted small" data-testid="estimate-basis">${e.basis}</p>` : null}
    ${data.refused && data.refused.length
      ? html`<div><p>${plural(data.refused.length, 'line')} refused:</p><${RefusedList} refused=${data.refused} /></div>`
      : null}
  </div>`;
}

export function NewJobPage() {
  const templates = useResource(() => api('GET', '/templates'), []);
  const [text, setText] = useState('');
  const [template, setTemplate] = useState('');
  const [judge, setJudge] = useState(false);
  const [estimate, setEstimate] = useState(null);
  const [busy, setBusy] = useState(false);
  const [fileNote, setFileNote] = useState('');

  const list = (templates.data && templates.data.templates) || [];
  const chosen = template || (list.find((t) => t.name === 'qa') ? 'qa' : list[0] ? list[0].name : '');
  const chosenInfo = list.find((t) => t.name === chosen);
  const urls = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);

  const body = () => {
    const config = { inspector: { judge } };
    if (chosen) config.factory = { template: chosen };
    return { urls, config };
  };
  const changed = (fn) => (e) => {
    fn(e);
    setEstimate(null);
  };

  const onFile = async (e) => {
    const file = e.currentTarget.files && e.currentTarget.files[0];
    if (!file) return;
    const found = urlsFromFile(file.name, await file.text());
    setText(found.join('\n'));
    setEstimate(null);
    setFileNote(`${found.length} URLs read from ${file.name}`);
  };

  const doEstimate = async () => {
    setBusy(true);
    try {
      const d = await api('POST', '/estimate', body());
      clearError('new-job');
      setEstimate(d);
    } catch (err) {
      reportError('new-job', err);
    } finally {
      setBusy(false);
    }
  };

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      const d = await api('POST', '/jobs', body());
      clearError('new-job');
      rememberSubmission(d.job_id, d);
      go(`#/jobs/${encodeURIComponent(d.job_id)}`);
    } catch (err) {
      reportError('new-job', err);
      setBusy(false);
    }
  };

  return html`<section data-testid="new-job-page">
    <div class="page-head"><h1>New job</h1></div>
    <form class="card" onSubmit=${submit} data-testid="new-job-form">
      <label class="block-label" for="urls">URLs, one per line</label>
      <textarea
        id="urls"
        rows="10"
        class="mono"
        placeholder="https://example.com/docs/page-1"
        value=${text}
        onInput=${changed((e) => setText(e.currentTarget.value))}
        data-testid="urls-input"
      ></textarea>
      <div class="form-row">
        <label
          >Or upload a list (.txt, .csv with a <code>url</code> column, .jsonl with <code>url</code> fields)
          <input type="file" accept=".txt,.csv,.jsonl,.ndjson,text/plain,text/csv" onChange=${onFile} data-testid="urls-file" />
        </label>
        <span class="muted small" data-testid="urls-count">${fmtInt(urls.length)} URLs${fileNote ? ` · ${fileNote}` : ''}</span>
      </div>
      <div class="form-row">
        <label
          >Template
          <select value=${chosen} onChange=${changed((e) => setTemplate(e.currentTarget.value))} data-testid="template-select">
            ${list.map((t) => html`<option key=${t.name} value=${t.name}>${t.name}${t.version ? ` (v${t.version})` : ''}</option>`)}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked=${judge} onChange=${changed((e) => setJudge(e.currentTarget.checked))} data-testid="judge-checkbox" />
          LLM judge (scores each example with a second model call)
        </label>
      </div>
      ${chosenInfo && chosenInfo.description ? html`<p class="muted small" data-testid="template-description">${chosenInfo.description}</p>` : null}
      <div class="button-row">
        <button type="button" class=${estimate ? 'secondary' : ''} onClick=${doEstimate} disabled=${busy || !urls.length} data-testid="estimate-button">
          Estimate
        </button>
        ${estimate
          ? html`<button type="submit" disabled=${busy} data-testid="submit-job">Start job</button>`
          : html`<span class="muted small">Estimate the cost first; the job can then be started.</span>`}
      </div>
    </form>
    ${estimate ? html`<${Estimate} data=${estimate} />` : null}
  </section>`;
}
