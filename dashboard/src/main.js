import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { SETTINGS_EVENT, clearAllErrors, getSettings } from './api.js';
import { useHash } from './hooks.js';
import { ErrorBanner } from './components.js';
import { JobsPage } from './pages/jobs.js';
import { JobPage } from './pages/job.js';
import { QualityPage } from './pages/quality.js';
import { ReviewPage } from './pages/review.js';
import { ExportsPage } from './pages/exports.js';
import { NewJobPage } from './pages/newjob.js';
import { SettingsPage } from './pages/settings.js';
import './style.css';

/** `#/jobs/<id>/review?focus=x` -> { page: 'review', id, query }. */
export function parseRoute(hash) {
  const raw = (hash || '').replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
  let parts;
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { page: 'notfound', query };
  }
  if (parts.length === 0) return { page: 'jobs', query };
  if (parts.length === 1 && parts[0] === 'new') return { page: 'new', query };
  if (parts.length === 1 && parts[0] === 'settings') return { page: 'settings', query };
  if (parts[0] === 'jobs' && parts.length === 1) return { page: 'jobs', query };
  if (parts[0] === 'jobs' && parts.length === 2) return { page: 'job', id: parts[1], query };
  if (parts[0] === 'jobs' && parts.length === 3 && ['quality', 'review', 'exports'].includes(parts[2])) {
    return { page: parts[2], id: parts[1], query };
  }
  return { page: 'notfound', query };
}

function Nav({ route }) {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const on = () => setVersion((v) => v + 1);
    window.addEventListener(SETTINGS_EVENT, on);
    return () => window.removeEventListener(SETTINGS_EVENT, on);
  }, []);
  const active = (pages) => (pages.includes(route.page) ? 'active' : '');
  const { token, base } = getSettings();
  return html`<header class="topbar">
    <a class="brand" href="#/" data-testid="nav-home">datafactory</a>
    <nav>
      <a href="#/" class=${active(['jobs', 'job', 'quality', 'review', 'exports'])} data-testid="nav-jobs">Jobs</a>
      <a href="#/new" class=${active(['new'])} data-testid="nav-new">New job</a>
      <a href="#/settings" class=${active(['settings'])} data-testid="nav-settings">Settings</a>
    </nav>
    <span class="topbar-info muted small">
      ${base ? `API ${base}` : 'API: this origin'}${token ? ' · token set' : ''}
    </span>
  </header>`;
}

function Page({ route }) {
  switch (route.page) {
    case 'jobs':
      return html`<${JobsPage} />`;
    case 'job':
      return html`<${JobPage} key=${route.id} id=${route.id} />`;
    case 'quality':
      return html`<${QualityPage} key=${route.id} id=${route.id} />`;
    case 'review':
      return html`<${ReviewPage} key=${route.id} id=${route.id} focus=${route.query.get('focus')} />`;
    case 'exports':
      return html`<${ExportsPage} key=${route.id} id=${route.id} />`;
    case 'new':
      return html`<${NewJobPage} />`;
    case 'settings':
      return html`<${SettingsPage} />`;
    default:
      return html`<div class="card"><h1>Not found</h1><p>No page at this address. <a href="#/">Back to the jobs</a>.</p></div>`;
  }
}

function App() {
  const hash = useHash();
  const route = parseRoute(hash);
  const pageKey = `${route.page}/${route.id || ''}`;
  // A new page starts with a clean error banner.
  useEffect(() => clearAllErrors(), [pageKey]);
  return html`<div class="app">
    <${Nav} route=${route} />
    <main class="content">
      <${ErrorBanner} />
      <${Page} route=${route} />
    </main>
  </div>`;
}

render(html`<${App} />`, document.getElementById('app'));
