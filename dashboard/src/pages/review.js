import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, clearError, reportError } from '../api.js';
import { useResource } from '../hooks.js';
import { JobTabs, JobTitle, Loading } from '../components.js';
import { fmtInt, fmtScore, fmtTime, truncate } from '../format.js';

const PAGE = 50;

export const FILTERS = [
  ['all', 'All'],
  ['unreviewed', 'Unreviewed'],
  ['unrated', 'Unrated'],
  ['below', 'Below threshold'],
  ['failed', 'Failed a check'],
  ['approved', 'Approved'],
  ['rejected', 'Rejected'],
  ['rewritten', 'Rewritten'],
];

export const SORTS = [
  ['score', 'Score ascending'],
  ['-score', 'Score descending'],
  ['rating', 'Rating ascending'],
  ['-rating', 'Rating descending'],
];

/**
 * Whether an example (with its latest review) still belongs in a list under this filter, as the
 * API's filter decides. Only reviews change membership, so `below` and `failed` always keep.
 */
export function stillMatches(filter, ex) {
  const r = ex && ex.review;
  const has = (v) => v !== null && v !== undefined;
  switch (filter) {
    case 'unreviewed':
      return !r;
    case 'unrated':
      return !r || !has(r.rating);
    case 'approved':
      return !!r && r.decision === 'approved';
    case 'rejected':
      return !!r && r.decision === 'rejected';
    case 'rewritten':
      return !!r && has(r.rewrite);
    default:
      return true;
  }
}

/**
 * Offset of the page after the one at `offset` whose examples are `page` (as the API listed them),
 * once the reviews in `latest` are applied: the examples that left the list shift the rest of it
 * down, so counting them keeps the next page from skipping as many.
 */
export function nextOffset(filter, offset, page, latest) {
  const gone = page.filter((ex) => !stillMatches(filter, latest[ex.id] || ex)).length;
  return Math.max(0, offset + page.length - gone);
}

const HELP =
  'Keys: 1–9 rate, 0 rate 10, a approve, r reject, u clear decision, e edit the response ' +
  '(Ctrl+Enter saves, Esc cancels), j or ↓ next, k or ↑ previous.';

function isTyping(target) {
  if (!target) return false;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
}

const safeHref = (url) => (/^https?:\/\//i.test(url || '') ? url : null);

function ExampleItem({ ex, focused, onClick }) {
  const r = ex.review || {};
  return html`<li
    class=${`review-item${focused ? ' focused' : ''}`}
    data-testid="review-item"
    data-example-id=${ex.id}
    data-focused=${focused ? 'true' : 'false'}
    onClick=${onClick}
  >
    <div class="review-item-head">
      <span class=${`score-pill ${ex.passed ? 'pass' : 'fail'}`}>${fmtScore(ex.score)}</span>
      ${r.rating ? html`<span class="tag rating">★ ${r.rating}</span>` : null}
      ${r.decision ? html`<span class=${`tag decision-${r.decision}`}>${r.decision}</span>` : null}
      ${r.rewrite !== null && r.rewrite !== undefined ? html`<span class="tag rewritten">rewritten</span>` : null}
    </div>
    <div class="review-item-text">${truncate(ex.instruction, 110) || '(no instruction)'}</div>
  </li>`;
}

function Block({ title, text, testid, cls }) {
  return html`<div class=${`block ${cls || ''}`}>
    <div class="block-title">${title}</div>
    <div class="block-text" data-testid=${testid}>${text}</div>
  </div>`;
}

function ScoreBars({ scores }) {
  const rows = Object.entries(scores || {}).sort((a, b) => a[0].localeCompare(b[0]));
  if (!rows.length) return null;
  return html`<ul class="scorebars" data-testid="review-scores">
    ${rows.map(
      ([k, v]) => html`<li key=${k}>
        <span class="barlist-label">${k}</span>
        <span class="barlist-track"
          ><span class=${`barlist-bar ${Number(v) < 0.5 ? 'low' : ''}`} style=${{ width: `${Math.max(0, Math.min(1, Number(v) || 0)) * 100}%` }}></span
        ></span>
        <span class="barlist-count">${fmtScore(v)}</span>
      </li>`,
    )}
  </ul>`;
}

function Focused({ ex, position, pending, editing, draft, setDraft, actions }) {
  const textareaRef = useRef(null);
  // A layout effect, so the editor is focused with the caret at the start in the same task that
  // shows it. A passive effect ran after the next frame instead, and when the reviewer had
  // already selected the text by then (Playwright's fill selects all, then inserts in a second
  // call), it collapsed the selection and the typed text went in front of the old response.
  useLayoutEffect(() => {
    if (editing && textareaRef.current) {
      textareaRef.current.focus();
      textareaRef.current.setSelectionRange(0, 0);
    }
  }, [editing, ex && ex.id]);
  if (!ex) return html`<div class="card focus-panel empty" data-testid="review-focus-empty">No example selected.</div>`;
  const r = ex.review || {};
  const rewritten = r.rewrite !== null && r.rewrite !== undefined;
  const href = safeHref(ex.url);
  const onKey = (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      actions.saveRewrite();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      actions.cancelEdit();
    }
  };
  return html`<div
    class="card focus-panel"
    data-testid="review-focus"
    data-example-id=${ex.id}
    data-rating=${r.rating ?? ''}
    data-decision=${r.decision ?? ''}
    data-rewritten=${rewritten ? 'true' : 'false'}
    data-passed=${ex.passed ? 'true' : 'false'}
    data-pending=${pending}
  >
    <div class="focus-head">
      <span class=${`score-pill ${ex.passed ? 'pass' : 'fail'}`} title="score">${fmtScore(ex.score)}</span>
      <span class=${`tag ${ex.passed ? 'pass' : 'fail'}`}>${ex.passed ? 'passed' : 'not passed'}</span>
      ${ex.task ? html`<span class="tag">${ex.task}</span>` : null}
      ${ex.language ? html`<span class="tag">${ex.language}</span>` : null}
      <span class="muted small">${position}</span>
      ${pending ? html`<span class="muted small saving">saving…</span>` : null}
    </div>
    <div class="muted small mono example-id" data-testid="review-example-id">${ex.id}</div>
    <div class="source-line small">
      ${href
        ? html`<a href=${href} target="_blank" rel="noopener noreferrer" data-testid="review-url">${ex.title || ex.url}</a>`
        : html`<span>${ex.title || ex.url || ''}</span>`}
      ${ex.title && ex.url ? html` <span class="muted mono">${truncate(ex.url, 80)}</span>` : null}
    </div>

    <${Block} title="Instruction" text=${ex.instruction} testid="review-instruction" />
    ${ex.input ? html`<${Block} title="Input" text=${ex.input} testid="review-input" />` : null}
    ${editing
      ? html`<div class="block editing">
          <div class="block-title">Rewrite the response</div>
          <textarea
            ref=${textareaRef}
            class="rewrite-area"
            rows="8"
            value=${draft}
            onInput=${(e) => setDraft(e.currentTarget.value)}
            onKeyDown=${onKey}
            data-testid="rewrite-textarea"
          ></textarea>
          <div class="button-row">
            <button type="button" onClick=${actions.saveRewrite} data-testid="rewrite-save">Save (Ctrl+Enter)</button>
            <button type="button" class="secondary" onClick=${actions.cancelEdit} data-testid="rewrite-cancel">Cancel (Esc)</button>
          </div>
        </div>`
      : rewritten
        ? html`
            <${Block} title="Response (rewritten)" text=${r.rewrite} testid="review-response" cls="rewritten" />
            <${Block} title="Original response" text=${ex.response} testid="review-original" cls="original" />
          `
        : html`<${Block} title="Response" text=${ex.response} testid="review-response" />`}
    ${ex.label !== null && ex.label !== undefined && ex.label !== ''
      ? html`<div class="label-line">Label: <strong data-testid="review-label">${ex.label}</strong></div>`
      : null}

    <div class="review-controls">
      <div class="control-group" role="group" aria-label="rating">
        <span class="control-label">Rating</span>
        ${Array.from({ length: 10 }, (_, i) => i + 1).map(
          (n) => html`<button
            type="button"
            key=${n}
            class=${`rate${r.rating === n ? ' active' : ''}`}
            onClick=${() => actions.rate(n)}
            data-testid=${`rate-${n}`}
            aria-pressed=${r.rating === n ? 'true' : 'false'}
          >
            ${n}
          </button>`,
        )}
        <button type="button" class="secondary small-btn" onClick=${() => actions.rate(null)} disabled=${!r.rating} data-testid="rate-clear">
          clear
        </button>
      </div>
      <div class="control-group" role="group" aria-label="decision">
        <span class="control-label">Decision</span>
        <button
          type="button"
          class=${`approve${r.decision === 'approved' ? ' active' : ''}`}
          onClick=${() => actions.decide('approved')}
          data-testid="approve"
        >
          Approve
        </button>
        <button
          type="button"
          class=${`reject${r.decision === 'rejected' ? ' active' : ''}`}
          onClick=${() => actions.decide('rejected')}
          data-testid="reject"
        >
          Reject
        </button>
        <button type="button" class="secondary" onClick=${() => actions.decide(null)} disabled=${!r.decision} data-testid="clear-decision">
          Clear
        </button>
        <span class="control-label">Response</span>
        ${editing
          ? null
          : html`<button type="button" class="secondary" onClick=${actions.edit} data-testid="rewrite-button">Rewrite</button>`}
        ${rewritten
          ? html`<button type="button" class="secondary" onClick=${actions.revert} data-testid="rewrite-revert">Revert rewrite</button>`
          : null}
      </div>
    </div>

    <div class="current-review small" data-testid="review-current">
      ${ex.review
        ? html`Review: rating <strong>${r.rating ?? '—'}</strong>, decision <strong>${r.decision ?? '—'}</strong>${', '}
            ${[rewritten ? 'rewritten' : 'not rewritten', r.reviewer ? `by ${r.reviewer}` : '', r.updated_at ? fmtTime(r.updated_at) : '']
              .filter(Boolean)
              .join(', ')}`
        : html`<span class="muted">Not reviewed yet.</span>`}
    </div>

    <h4>Checks</h4>
    <${ScoreBars} scores=${ex.scores} />
    ${ex.notes && ex.notes.length
      ? html`<ul class="notes" data-testid="review-notes">
          ${ex.notes.map((n, i) => html`<li key=${i}>${n}</li>`)}
        </ul>`
      : null}
    ${ex.source
      ? html`<details class="source">
          <summary>Source chunk</summary>
          <div class="block-text">${ex.source}</div>
        </details>`
      : null}
  </div>`;
}

export function ReviewPage({ id, focus }) {
  const enc = encodeURIComponent(id);
  const [filter, setFilter] = useState('all');
  const [sort, setSort] = useState('score');
  const [offset, setOffset] = useState(0);
  const [focusId, setFocusId] = useState(focus || null);
  const [pendingFocus, setPendingFocus] = useState(focus ? null : 'first');
  const [updated, setUpdated] = useState({});
  const [details, setDetails] = useState({});
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [pending, setPending] = useState(0);
  // Bumped on every page change, so a page is fetched again (with its total) even at the same offset.
  const [generation, setGeneration] = useState(0);
  // True from a page change until its page arrives: reviews then wait, so none lands unaccounted.
  const [paging, setPaging] = useState(false);
  const queue = useRef(Promise.resolve());
  // The latest saved review of each example, readable as soon as its answer arrives, numbered in
  // the order the answers came: a page fetched after an answer already reflects it.
  const latest = useRef({});
  const answers = useRef(0);
  // Bumped when the filter or sort changes, so a page change queued before it is dropped.
  const view = useRef(0);

  // Each answer carries the query it answers, so a focus request waits for the right page.
  const query = `filter=${filter}&sort=${encodeURIComponent(sort)}&limit=${PAGE}&offset=${offset}`;
  const key = `${query}#${generation}`;
  const list = useResource(() => {
    const since = answers.current;
    return api('GET', `/jobs/${enc}/examples?${query}`).then((d) => ({ ...d, key, since }));
  }, [id, key]);
  const fresh = !!list.data && list.data.key === key;
  // A review saved since the page was asked for is newer than the page's copy.
  const since = list.data ? list.data.since : 0;
  const newer = (ex) => {
    const l = latest.current[ex.id];
    return l && l.seq > since ? l.ex : ex;
  };
  const examples = ((list.data && list.data.examples) || []).map(newer);
  const total = (list.data && list.data.total) || 0;

  // A focus from the address (a worst example on the quality page) wins over the list.
  useEffect(() => {
    if (focus) {
      setFocusId(focus);
      setPendingFocus(null);
    }
  }, [focus]);

  // Once a page of the list arrives, focus its first or last example (or the one at an index) when asked to.
  useEffect(() => {
    if (!fresh) return;
    if (paging) setPaging(false);
    if (!pendingFocus) return;
    const exs = list.data.examples || [];
    if (exs.length) {
      const at =
        pendingFocus === 'last' ? exs.length - 1 : typeof pendingFocus === 'number' ? Math.max(0, Math.min(exs.length - 1, pendingFocus)) : 0;
      setFocusId(exs[at].id);
    }
    setPendingFocus(null);
  }, [list.data, pendingFocus, fresh]);
  // A failed page load must not leave the reviews blocked.
  useEffect(() => {
    if (list.error && paging) setPaging(false);
  }, [list.error]);

  // The full example (with its source chunk) of the focused one.
  useEffect(() => {
    if (!focusId || details[focusId]) return;
    let alive = true;
    api('GET', `/jobs/${enc}/examples/${encodeURIComponent(focusId)}`)
      .then((ex) => {
        if (!alive) return;
        clearError('review-detail');
        setDetails((d) => ({ ...d, [focusId]: ex }));
      })
      .catch((e) => alive && reportError('review-detail', e));
    return () => {
      alive = false;
    };
  }, [focusId]);

  // Keep the focused row visible.
  useEffect(() => {
    if (!focusId) return;
    const el = document.querySelector(`[data-testid="review-item"][data-example-id="${CSS.escape(focusId)}"]`);
    if (el) el.scrollIntoView({ block: 'nearest' });
  }, [focusId, list.data]);

  const detail = focusId ? details[focusId] : null;
  const fromList = focusId ? examples.find((e) => e.id === focusId) : null;
  const base = fromList || (focusId && updated[focusId]) || detail;
  const focused = base ? { ...base, source: base.source || (detail && detail.source) } : null;
  const index = focusId ? examples.findIndex((e) => e.id === focusId) : -1;
  const position = index >= 0 ? `${fmtInt(offset + index + 1)} of ${fmtInt(total)}` : focused ? 'not in this list' : '';

  const send = (eid, body) => {
    setPending((n) => n + 1);
    queue.current = queue.current
      .then(() => api('PUT', `/jobs/${enc}/examples/${encodeURIComponent(eid)}/review`, body))
      .then((ex) => {
        clearError('review-action');
        if (ex && ex.id) {
          answers.current += 1;
          latest.current = { ...latest.current, [ex.id]: { ex, seq: answers.current } };
          setUpdated((u) => ({ ...u, [ex.id]: ex }));
        }
      })
      .catch((e) => reportError('review-action', e))
      .finally(() => setPending((n) => n - 1));
  };

  const pageRows = (list.data && list.data.examples) || [];
  const hasNext = fresh && offset + pageRows.length < total;
  const hasPrev = fresh && offset > 0;

  // To another page, once the reviews sent so far are saved: the next page starts after the
  // examples of this one that are still in the list, since the API filters on every request.
  const goPage = (dir, focusAt) => {
    setEditing(false);
    if (!fresh || paging) return;
    setPaging(true);
    const rows = pageRows;
    const from = offset;
    const f = filter;
    const v = view.current;
    const pageSince = since;
    queue.current = queue.current.then(() => {
      if (v !== view.current) return;
      let to;
      let at = focusAt;
      if (dir > 0) {
        // Only reviews saved since the page was fetched can have moved it.
        const changed = {};
        for (const [eid, l] of Object.entries(latest.current)) if (l.seq > pageSince) changed[eid] = l.ex;
        to = nextOffset(f, from, rows, changed);
      } else {
        to = Math.max(0, from - PAGE);
        // Back from a short first stretch: the example just before this page, not the page's end.
        if (at === 'last') at = from - 1 - to;
      }
      setOffset(to);
      setPendingFocus(at);
      setGeneration((g) => g + 1);
    });
  };

  const move = (step) => {
    setEditing(false);
    // While another page loads, a move would count from the old one.
    if (!fresh || paging || !examples.length) return;
    if (index < 0) {
      setFocusId(examples[0].id);
      return;
    }
    const next = index + step;
    if (next >= 0 && next < examples.length) setFocusId(examples[next].id);
    else if (next >= examples.length && hasNext) goPage(1, 'first');
    else if (next < 0 && hasPrev) goPage(-1, 'last');
  };

  const effectiveResponse = (ex) => {
    const r = ex.review || {};
    return r.rewrite !== null && r.rewrite !== undefined ? r.rewrite : ex.response;
  };

  const actions = {
    rate: (n) => focused && !paging && send(focused.id, { rating: n }),
    decide: (d) => focused && !paging && send(focused.id, { decision: d }),
    edit: () => {
      if (!focused || paging) return;
      setDraft(effectiveResponse(focused) || '');
      setEditing(true);
    },
    cancelEdit: () => setEditing(false),
    saveRewrite: () => {
      if (!focused || paging) return;
      send(focused.id, { rewrite: draft });
      setEditing(false);
    },
    revert: () => focused && !paging && send(focused.id, { rewrite: null }),
    next: () => move(1),
    prev: () => move(-1),
  };

  // Shortcuts read the latest state through a ref so the listener is installed once.
  const current = useRef(null);
  current.current = { actions, editing };
  useEffect(() => {
    const onKey = (e) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      const { actions: a, editing: ed } = current.current;
      if (ed) return;
      const k = e.key;
      let handled = true;
      if (k >= '1' && k <= '9' && k.length === 1) a.rate(Number(k));
      else if (k === '0') a.rate(10);
      else if (k === 'a') a.decide('approved');
      else if (k === 'r') a.decide('rejected');
      else if (k === 'u') a.decide(null);
      else if (k === 'e') a.edit();
      else if (k === 'j' || k === 'ArrowDown') a.next();
      else if (k === 'k' || k === 'ArrowUp') a.prev();
      else handled = false;
      if (handled) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const changeFilter = (e) => {
    view.current += 1;
    setFilter(e.currentTarget.value);
    setOffset(0);
    setPendingFocus('first');
    e.currentTarget.blur();
  };
  const changeSort = (e) => {
    view.current += 1;
    setSort(e.currentTarget.value);
    setOffset(0);
    setPendingFocus('first');
    e.currentTarget.blur();
  };

  return html`<section data-testid="review-page">
    <${JobTitle} id=${id} />
    <${JobTabs} id=${id} active="review" />
    <div class="toolbar">
      <label>Show
        <select value=${filter} onChange=${changeFilter} data-testid="review-filter">
          ${FILTERS.map(([v, l]) => html`<option key=${v} value=${v}>${l}</option>`)}
        </select>
      </label>
      <label>Sort
        <select value=${sort} onChange=${changeSort} data-testid="review-sort">
          ${SORTS.map(([v, l]) => html`<option key=${v} value=${v}>${l}</option>`)}
        </select>
      </label>
      <span class="muted small" data-testid="review-total">
        ${list.data ? (total ? `${fmtInt(offset + 1)}–${fmtInt(Math.min(offset + PAGE, total))} of ${fmtInt(total)}` : 'no examples') : ''}
      </span>
      <button type="button" class="secondary" disabled=${!hasPrev || paging} onClick=${() => goPage(-1, 'first')} data-testid="review-prev-page">
        ← Previous ${PAGE}
      </button>
      <button type="button" class="secondary" disabled=${!hasNext || paging} onClick=${() => goPage(1, 'first')} data-testid="review-next-page">
        Next ${PAGE} →
      </button>
    </div>
    <p class="help small" data-testid="review-help">${HELP}</p>
    <div class="review-layout">
      <div class="review-list-wrap">
        ${list.loading && !list.data ? html`<${Loading} what="examples" />` : null}
        ${list.data && !examples.length ? html`<p class="muted">No examples match.</p>` : null}
        <ul class="review-list" data-testid="review-list">
          ${examples.map(
            (ex) => html`<${ExampleItem}
              key=${ex.id}
              ex=${ex}
              focused=${ex.id === focusId}
              onClick=${() => {
                setEditing(false);
                setFocusId(ex.id);
              }}
            />`,
          )}
        </ul>
      </div>
      <${Focused}
        ex=${focused}
        position=${position}
        pending=${pending}
        editing=${editing}
        draft=${draft}
        setDraft=${setDraft}
        actions=${actions}
      />
    </div>
  </section>`;
}
