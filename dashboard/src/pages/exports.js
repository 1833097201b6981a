import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, apiUrl, clearError, fetchFile, reportError } from '../api.js';
import { useResource } from '../hooks.js';
import { JobTabs, JobTitle, Loading } from '../components.js';
import { fmtInt, fmtTime } from '../format.js';

export const FALLBACK_FORMATS = ['openai', 'sharegpt', 'alpaca'];

const basename = (p) => String(p || '').split('/').pop() || 'download';

/** Splits a leading YAML front matter block off a markdown text. */
export function splitFrontMatter(text) {
  const m = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text || '');
  if (!m) return { front: null, body: text || '' };
  return { front: m[1], body: text.slice(m[0].length) };
}

let markdown = null;
/** markdown-it, loaded on first use; raw HTML in the card is escaped, never rendered. */
async function renderMarkdown(text) {
  if (!markdown) {
    const { default: MarkdownIt } = await import('markdown-it');
    markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });
  }
  return markdown.render(text);
}

function Card({ text }) {
  const { front, body } = splitFrontMatter(text);
  const [rendered, setRendered] = useState(null);
  useEffect(() => {
    let alive = true;
    renderMarkdown(body).then((h) => alive && setRendered(h));
    return () => {
      alive = false;
    };
  }, [body]);
  return html`<div class="dataset-card" data-testid="export-card">
    ${front !== null
      ? html`<div class="front-matter">
          <div class="block-title">Front matter</div>
          <pre data-testid="card-front-matter">${front}</pre>
        </div>`
      : null}
    ${rendered === null
      ? html`<${Loading} what="card" />`
      : html`<div class="markdown" data-testid="card-body" dangerouslySetInnerHTML=${{ __html: rendered }}></div>`}
  </div>`;
}

/** A download: presigned URLs open directly; API paths are fetched with the token and saved. */
function FileLink({ file }) {
  const url = file.url || '';
  const name = file.file || basename(file.key);
  const [busy, setBusy] = useState(false);
  if (/^https?:\/\//i.test(url)) {
    return html`<a href=${url} target="_blank" rel="noopener noreferrer" data-testid="export-file" data-file=${name} title=${file.key}
      >${name}</a
    >`;
  }
  const onClick = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      const res = await fetchFile(url);
      const blob = await res.blob();
      const obj = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = obj;
      a.download = basename(name);
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(obj), 60000);
      clearError('download');
    } catch (err) {
      reportError('download', err);
    } finally {
      setBusy(false);
    }
  };
  return html`<a
    href=${apiUrl(url)}
    download=${basename(name)}
    onClick=${onClick}
    data-testid="export-file"
    data-file=${name}
    data-url=${url}
    title=${file.key}
    class=${busy ? 'busy' : ''}
    >${name}</a
  >`;
}

function formatsOf(manifest, files) {
  if (manifest && Array.isArray(manifest.formats)) return manifest.formats;
  const out = new Set();
  for (const f of files || []) {
    const parts = basename(f.file).split('.');
    if (!/^(train|validation|test)/.test(parts[0])) continue;
    if (parts.length === 2) out.add(parts[1] === 'jsonl' ? 'jsonl' : parts[1]);
    else if (parts.length >= 3) out.add(parts.slice(1, -1).join('.'));
  }
  return [...out].sort();
}

function ManifestSummary({ manifest, files }) {
  const splits = manifest.splits || {};
  const formats = formatsOf(manifest, files);
  return html`<div class="manifest" data-testid="export-manifest">
    <dl class="kv kv-inline">
      <div class="kv-row"><dt>created</dt><dd>${fmtTime(manifest.created_at)}</dd></div>
      ${manifest.kind ? html`<div class="kv-row"><dt>kind</dt><dd>${manifest.kind}</dd></div>` : null}
      <div class="kv-row"><dt>tokens</dt><dd>${fmtInt(manifest.tokens)}</dd></div>
      ${Object.entries(splits).map(
        ([name, s]) => html`<div class="kv-row" key=${name} data-testid=${`split-${name}`}>
          <dt>${name}</dt>
          <dd>${fmtInt(s && s.records)} records${s && s.tokens !== undefined ? `, ${fmtInt(s.tokens)} tokens` : ''}</dd>
        </div>`,
      )}
      <div class="kv-row"><dt>formats</dt><dd>${formats.length ? formats.join(', ') : '—'}</dd></div>
    </dl>
    <details>
      <summary class="small">Manifest</summary>
      <pre class="json">${JSON.stringify(manifest, null, 2)}</pre>
    </details>
  </div>`;
}

function Version({ jobId, version, latest }) {
  const v = version.version;
  // A version without its manifest yet is still being written (or was cut short).
  const complete = version.complete !== false;
  const detail = useResource(
    () => (complete ? api('GET', `/jobs/${encodeURIComponent(jobId)}/exports/${v}`) : Promise.resolve(null)),
    [jobId, v, complete],
  );
  const [showCard, setShowCard] = useState(false);
  const d = detail.data;
  return html`<div class="card export-version" data-testid="export-version" data-version=${v}>
    <div class="export-head">
      <h3>
        Version ${v}${latest ? html` <span class="tag">latest</span>` : null}${complete
          ? null
          : html` <span class="tag fail" data-testid="export-incomplete">incomplete</span>`}
      </h3>
      ${d && d.card
        ? html`<button type="button" class="secondary" onClick=${() => setShowCard(!showCard)} data-testid="card-toggle">
            ${showCard ? 'Hide card' : 'Show card'}
          </button>`
        : null}
    </div>
    <div class="files">
      <span class="muted small">Files:</span>
      <ul class="file-list">
        ${(version.files || []).map((f) => html`<li key=${f.file || f.key}><${FileLink} file=${f} /></li>`)}
      </ul>
    </div>
    ${d && d.manifest ? html`<${ManifestSummary} manifest=${d.manifest} files=${version.files} />` : detail.loading ? html`<${Loading} what="manifest" />` : null}
    ${showCard && d && d.card ? html`<${Card} text=${d.card} />` : null}
  </div>`;
}

/**
 * What an export does when the request leaves a field out, from the job's config (GET /jobs/{id}):
 * `{ formats, minScore }`, or null when the config is not known.
 */
export function jobExportDefaults(job) {
  const exp = job && job.config && job.config.export;
  if (!exp) return null;
  const formats = Array.isArray(exp.formats) ? [...new Set(exp.formats.filter((f) => f !== 'jsonl'))] : [];
  const minScore = typeof exp.min_score === 'number' ? exp.min_score : 0;
  return { formats, minScore };
}

const sameSet = (a, b) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * The POST /exports body for the form's state: only what differs from the job's own export
 * settings (`defaults`), so an untouched form exports exactly as the job's config says. Without
 * `defaults`, only the fields the user changed are sent.
 */
export function exportBody({ defaults, formats, formatsTouched, minScore, minScoreTouched, minRating }) {
  const body = {};
  const chosen = [...new Set(formats.filter((f) => f !== 'jsonl'))];
  if (defaults ? !sameSet(chosen, defaults.formats) : formatsTouched) body.formats = chosen;
  const score = String(minScore).trim();
  if (score !== '') {
    const n = Number(score);
    if (defaults ? n !== defaults.minScore : minScoreTouched) body.min_score = n;
  }
  const rating = String(minRating).trim();
  if (rating !== '') body.min_rating = Number(rating);
  return body;
}

function NewExport({ jobId, formats, defaults, onCreated }) {
  // The known formats and any the job's config names, without jsonl (always written).
  const choices = [...new Set([...formats, ...((defaults && defaults.formats) || [])])].filter((f) => f !== 'jsonl');
  const [chosen, setChosen] = useState(() => Object.fromEntries(((defaults && defaults.formats) || []).map((f) => [f, true])));
  const [formatsTouched, setFormatsTouched] = useState(false);
  const [minScore, setMinScore] = useState(() => String(defaults ? defaults.minScore : 0));
  const [minScoreTouched, setMinScoreTouched] = useState(false);
  const [minRating, setMinRating] = useState('');
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState(null);

  const submit = async (e) => {
    e.preventDefault();
    const body = exportBody({
      defaults,
      formats: choices.filter((f) => chosen[f]),
      formatsTouched,
      minScore,
      minScoreTouched,
      minRating,
    });
    setBusy(true);
    try {
      const res = await api('POST', `/jobs/${encodeURIComponent(jobId)}/exports`, body);
      clearError('new-export');
      setCreated(res && res.version);
      onCreated(res);
    } catch (err) {
      reportError('new-export', err);
    } finally {
      setBusy(false);
    }
  };

  return html`<form class="card new-export" onSubmit=${submit} data-testid="export-form">
    <h2>New export</h2>
    <div class="form-row">
      <span class="control-label">Formats</span>
      <label class="check"><input type="checkbox" checked disabled /> jsonl <span class="muted small">(always written)</span></label>
      ${choices.map(
        (f) => html`<label class="check" key=${f}>
          <input
            type="checkbox"
            checked=${!!chosen[f]}
            onChange=${(e) => {
              setChosen({ ...chosen, [f]: e.currentTarget.checked });
              setFormatsTouched(true);
            }}
            data-testid=${`export-format-${f}`}
          />
          ${f}
        </label>`,
      )}
    </div>
    <div class="form-row">
      <label
        >Min score
        <input type="number" min="0" max="1" step="0.01" value=${minScore}
          placeholder=${defaults ? String(defaults.minScore) : ''}
          onInput=${(e) => {
            setMinScore(e.currentTarget.value);
            setMinScoreTouched(true);
          }}
          data-testid="export-min-score"
      /></label>
      <label
        >Min rating
        <input
          type="number"
          min="1"
          max="10"
          step="1"
          placeholder="any"
          value=${minRating}
          onInput=${(e) => setMinRating(e.currentTarget.value)}
          data-testid="export-min-rating"
      /></label>
      <button type="submit" disabled=${busy} data-testid="export-submit">${busy ? 'Exporting…' : 'Create export'}</button>
      ${created !== null && created !== undefined
        ? html`<span class="ok small" data-testid="export-created" data-version=${created}>Created version ${created}.</span>`
        : null}
    </div>
    <p class="muted small" data-testid="export-defaults">
      ${defaults
        ? html`Prefilled from the job's config (formats: ${defaults.formats.length ? defaults.formats.join(', ') : 'none beyond jsonl'},${' '}
            min score ${defaults.minScore}); only changes from it are sent.`
        : html`The job's config could not be read: fields left as they are use the job's own export settings.`}${' '}
      Rejected examples are left out; rewritten ones are exported with the rewrite, the original kept under${' '}
      <code>review.original_response</code>.
    </p>
  </form>`;
}

export function ExportsPage({ id }) {
  const enc = encodeURIComponent(id);
  const list = useResource(() => api('GET', `/jobs/${enc}/exports`), [id]);
  const [formats, setFormats] = useState(null);
  // The job's export settings, to prefill the form with: undefined while loading, null if unknown.
  const [defaults, setDefaults] = useState(undefined);
  useEffect(() => {
    let alive = true;
    setDefaults(undefined);
    api('GET', `/jobs/${enc}`)
      .then((job) => {
        if (!alive) return;
        clearError('export-defaults');
        setDefaults(jobExportDefaults(job));
      })
      .catch((e) => {
        if (!alive) return;
        setDefaults(null);
        reportError('export-defaults', e);
      });
    return () => {
      alive = false;
    };
  }, [id]);
  useEffect(() => {
    let alive = true;
    // GET /formats may not exist: fall back to a fixed list quietly.
    api('GET', '/formats')
      .then((d) => alive && setFormats(d && Array.isArray(d.formats) && d.formats.length ? d.formats : FALLBACK_FORMATS))
      .catch(() => alive && setFormats(FALLBACK_FORMATS));
    return () => {
      alive = false;
    };
  }, []);
  const versions = [...((list.data && list.data.versions) || [])].sort((a, b) => b.version - a.version);
  return html`<section data-testid="exports-page">
    <${JobTitle} id=${id}>
      <div class="actions"><button type="button" class="secondary" onClick=${list.reload} data-testid="exports-refresh">Refresh</button></div>
    <//>
    <${JobTabs} id=${id} active="exports" />
    ${formats && defaults !== undefined
      ? html`<${NewExport} key=${id} jobId=${id} formats=${formats} defaults=${defaults} onCreated=${list.reload} />`
      : html`<${Loading} what="export settings" />`}
    <h2>Versions</h2>
    ${list.data && list.data.expires_in_s && versions.some((v) => (v.files || []).some((f) => /^https?:\/\//i.test(f.url || '')))
      ? html`<p class="muted small">Download links from object storage expire after ${fmtInt(list.data.expires_in_s)} s: refresh to renew them.</p>`
      : null}
    ${list.loading && !list.data ? html`<${Loading} what="exports" />` : null}
    ${list.data && !versions.length ? html`<p class="muted" data-testid="exports-empty">No export yet.</p>` : null}
    <div data-testid="export-versions">
      ${versions.map((v, i) => html`<${Version} key=${v.version} jobId=${id} version=${v} latest=${i === 0} />`)}
    </div>
  </section>`;
}
