import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, getSettings, saveSettings } from '../api.js';

export function SettingsPage() {
  const initial = getSettings();
  const [base, setBase] = useState(initial.base);
  const [token, setToken] = useState(initial.token);
  const [show, setShow] = useState(false);
  const [note, setNote] = useState(null);

  const save = (e) => {
    e.preventDefault();
    saveSettings({ base, token });
    const s = getSettings();
    setBase(s.base);
    setToken(s.token);
    setNote({ ok: true, text: 'Saved.' });
  };

  const clear = () => {
    saveSettings({ base: '', token: '' });
    setBase('');
    setToken('');
    setNote({ ok: true, text: 'Cleared: requests go to this origin without a token.' });
  };

  const test = async () => {
    saveSettings({ base, token });
    setNote({ ok: true, text: 'Testing…' });
    try {
      const d = await api('GET', '/jobs?limit=1');
      setNote({ ok: true, text: `Connected: the API answered (${(d.jobs || []).length ? 'jobs found' : 'no jobs yet'}).` });
    } catch (err) {
      setNote({
        ok: false,
        text: err.status === 401 ? `Not authorized: ${err.message}` : `Failed: ${err.message}`,
      });
    }
  };

  return html`<section data-testid="settings-page">
    <div class="page-head"><h1>Settings</h1></div>
    <form class="card settings" onSubmit=${save}>
      <label class="block-label" for="api-base">API base URL</label>
      <input
        id="api-base"
        type="url"
        placeholder="empty: this origin"
        value=${base}
        onInput=${(e) => setBase(e.currentTarget.value)}
        data-testid="settings-base"
      />
      <p class="muted small">Leave empty when the dashboard is served by <code>datafactory serve</code>.</p>
      <label class="block-label" for="api-token">Bearer token</label>
      <div class="form-row">
        <input
          id="api-token"
          type=${show ? 'text' : 'password'}
          autocomplete="off"
          placeholder="none"
          value=${token}
          onInput=${(e) => setToken(e.currentTarget.value)}
          data-testid="settings-token"
        />
        <label class="check"><input type="checkbox" checked=${show} onChange=${(e) => setShow(e.currentTarget.checked)} /> show</label>
      </div>
      <p class="muted small">Sent as <code>Authorization: Bearer …</code> with every request; kept in this browser's local storage.</p>
      <div class="button-row">
        <button type="submit" data-testid="settings-save">Save</button>
        <button type="button" class="secondary" onClick=${test} data-testid="settings-test">Save and test</button>
        <button type="button" class="secondary" onClick=${clear} data-testid="settings-clear">Clear</button>
        ${note ? html`<span class=${note.ok ? 'ok small' : 'bad small'} data-testid="settings-note">${note.text}</span>` : null}
      </div>
    </form>
  </section>`;
}
