// End-to-end test of the dashboard in headless Chromium, against a running `datafactory serve`.
//
//   BASE_URL=http://127.0.0.1:24610 SITE_URLS="$(cat urls.txt)" SCREENSHOT_DIR=/tmp/shots \
//   RESULT_JSON=/tmp/e2e.json node tests/browser/e2e.mjs
//
// Optional: CHROMIUM (default /usr/bin/chromium), API_TOKEN (bearer token, when the API wants one),
// JOB_TIMEOUT_MS (default 120000).
//
// Flow: new job (estimate, submit) -> job page until completed -> quality -> review with the
// keyboard (ratings, a rejection, rewrites) -> exports (new version, card, downloads), then checks
// that the downloaded train/validation JSONL honour the review. Exit code 1 on any failure, with a
// failure.png screenshot. Uses the system Chromium (CHROMIUM, default /usr/bin/chromium): this
// script never downloads a browser.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const BASE_URL = (process.env.BASE_URL || '').replace(/\/+$/, '');
const SITE_URLS = (process.env.SITE_URLS || '')
  .split('\n')
  .map((s) => s.trim())
  .filter(Boolean);
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'datafactory-e2e-'));
const RESULT_JSON = process.env.RESULT_JSON || '';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const API_TOKEN = process.env.API_TOKEN || '';
const JOB_TIMEOUT_MS = Number(process.env.JOB_TIMEOUT_MS || 120_000);
const STEP_TIMEOUT_MS = 15_000;
const TOTAL_TIMEOUT_MS = JOB_TIMEOUT_MS + 150_000;

const started = Date.now();
const log = (msg) => console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${msg}`);

class Failure extends Error {}
function check(cond, msg) {
  if (!cond) throw new Failure(msg);
}

const tid = (id) => `[data-testid="${id}"]`;

function parseJsonl(name, text) {
  const out = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line));
    } catch (e) {
      throw new Failure(`${name} line ${i + 1} is not JSON: ${e.message}`);
    }
  });
  return out;
}

async function main() {
  check(BASE_URL, 'BASE_URL is not set (the origin of `datafactory serve`, e.g. http://127.0.0.1:24610)');
  check(SITE_URLS.length > 0, 'SITE_URLS is empty: give the page URLs to crawl, one per line');
  check(fs.existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM)`);
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  log(`base ${BASE_URL}, ${SITE_URLS.length} site URLs, screenshots in ${SCREENSHOT_DIR}`);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const pageErrors = [];
  const consoleErrors = [];
  let page = null;
  const shot = async (name) => {
    const file = path.join(SCREENSHOT_DIR, name);
    await page.screenshot({ path: file, fullPage: true });
    log(`screenshot ${file}`);
  };

  try {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
    if (API_TOKEN) {
      // As if set on the settings page: the dashboard sends it as a bearer token.
      await context.addInitScript((t) => window.localStorage.setItem('datafactory.token', t), API_TOKEN);
    }
    page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on('pageerror', (e) => {
      pageErrors.push(e);
      console.error(`[browser] uncaught page error: ${e.message}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') {
        consoleErrors.push(m.text());
        console.error(`[browser] console error: ${m.text()}`);
      }
    });
    const noPageErrors = () =>
      check(!pageErrors.length, `uncaught page error(s): ${pageErrors.map((e) => e.message).join(' | ')}`);
    const noBanner = async (where) => {
      const banner = page.locator(tid('error-banner'));
      if (await banner.count()) throw new Failure(`error banner on ${where}: ${(await banner.innerText()).trim()}`);
    };

    // --- jobs list ---
    log('open the jobs list');
    await page.goto(`${BASE_URL}/`);
    await page.waitForSelector(`${tid('jobs-table')}, ${tid('jobs-empty')}, ${tid('error-banner')}`);
    await noBanner('the jobs list');
    await shot('01-jobs.png');

    // --- new job ---
    log('new job: paste URLs, pick template qa, estimate');
    await page.click(tid('new-job-link'));
    await page.waitForSelector(tid('new-job-page'));
    await page.fill(tid('urls-input'), SITE_URLS.join('\n'));
    await page.waitForSelector(`${tid('template-select')} option[value="qa"]`, { state: 'attached' });
    await page.selectOption(tid('template-select'), 'qa');
    await page.click(tid('estimate-button'));
    await page.waitForSelector(tid('estimate'));
    const cost = (await page.textContent(tid('estimate-cost'))).trim();
    check(cost && cost !== '—', `the estimate shows no cost (got "${cost}")`);
    log(`estimate shown: cost ${cost}`);
    await noBanner('the new job page');
    await shot('02-new-job-estimate.png');
    await page.click(tid('submit-job'));
    await page.waitForFunction(() => /^#\/jobs\/[^/?]+$/.test(window.location.hash));
    const jobId = decodeURIComponent((await page.evaluate(() => window.location.hash)).replace(/^#\/jobs\//, ''));
    log(`job ${jobId} submitted`);

    // --- job detail ---
    await page.waitForSelector(tid('pipeline'));
    for (const s of ['spider', 'refiner', 'factory', 'inspector', 'shipper']) {
      check((await page.locator(`${tid('pipeline')} ${tid(`stage-${s}`)}`).count()) === 1, `the pipeline view has no ${s} stage`);
    }
    log(`pipeline shows the five stages; waiting up to ${JOB_TIMEOUT_MS / 1000} s for the job to complete`);
    const finished = await page.waitForFunction(
      () => {
        const s = document.querySelector('[data-testid="job-page"]')?.getAttribute('data-status');
        return s === 'completed' || s === 'failed' ? s : null;
      },
      null,
      { timeout: JOB_TIMEOUT_MS, polling: 250 },
    );
    const status = await finished.jsonValue();
    if (status !== 'completed') {
      const msg = await page.locator(tid('job-message')).textContent().catch(() => '');
      throw new Failure(`job ${jobId} ended ${status}${msg ? `: ${msg}` : ''}`);
    }
    const afterJob = Date.now();
    log('job completed');
    for (const s of ['spider', 'refiner', 'factory', 'inspector', 'shipper']) {
      const state = await page.getAttribute(tid(`stage-${s}`), 'data-state');
      check(state === 'done', `stage ${s} is "${state}" on a completed job, expected "done"`);
    }
    await noBanner('the job page');
    await shot('03-job-completed.png');

    // --- quality ---
    log('quality: histograms');
    await page.click(tid('tab-quality'));
    await page.waitForSelector(`${tid('histograms')} ${tid('histogram')}`);
    const histCount = await page.locator(tid('histogram')).count();
    const bars = await page.locator(`${tid('histograms')} ${tid('histogram')}`).first().locator('.hist-bar').count();
    check(bars === 10, `a histogram has ${bars} bins, expected 10`);
    const filled = await page.locator(`${tid('histograms')} .hist-bar:not([data-count="0"])`).count();
    check(filled > 0, 'every histogram bin is empty');
    await page.waitForSelector(tid('review-stats'));
    log(`${histCount} histograms rendered (pass rate ${(await page.textContent(`${tid('pass-rate')} .stat-value`)).trim()})`);
    await noBanner('the quality page');
    await shot('04-quality.png');

    // --- review, with the keyboard ---
    log('review: best examples first, then keyboard shortcuts');
    await page.click(tid('tab-review'));
    await page.waitForSelector(tid('review-item'));
    const sorted = page.waitForResponse((r) => r.url().includes('/examples?') && r.url().includes('sort=-score'));
    await page.selectOption(tid('review-sort'), '-score');
    // The best example by the API's answer: until that answer is rendered, the list sorted by
    // score ascending is still shown, with its own first example focused.
    const best = ((await (await sorted).json()).examples || [])[0]?.id;
    check(best, 'the examples sorted by -score are empty');
    const focus = page.locator(tid('review-focus'));
    const firstId = async () => page.locator(tid('review-item')).first().getAttribute('data-example-id');
    await page.waitForFunction(
      (want) => {
        const first = document.querySelector('[data-testid="review-item"]')?.getAttribute('data-example-id');
        const f = document.querySelector('[data-testid="review-focus"]')?.getAttribute('data-example-id');
        return first === want && f === want;
      },
      best,
      { polling: 100 },
    );
    // Keys must go to the page, not to the select that was just used.
    await page.evaluate(() => document.activeElement && document.activeElement.blur());

    const focusedId = async () => focus.getAttribute('data-example-id');
    const waitFocus = async (attrs, what) => {
      const sel = `${tid('review-focus')}${Object.entries(attrs)
        .map(([k, v]) => `[data-${k}="${v}"]`)
        .join('')}`;
      try {
        await page.waitForSelector(sel, { timeout: STEP_TIMEOUT_MS });
      } catch {
        const banner = await page.locator(tid('error-banner')).textContent().catch(() => '');
        throw new Failure(`${what}: the focused example never showed ${JSON.stringify(attrs)}${banner ? ` (banner: ${banner})` : ''}`);
      }
    };
    const nextExample = async (prev) => {
      await page.keyboard.press('j');
      await page.waitForFunction(
        (p) => {
          const id = document.querySelector('[data-testid="review-focus"]')?.getAttribute('data-example-id');
          return id && id !== p;
        },
        prev,
        { polling: 50 },
      );
      return focusedId();
    };
    const responseText = async () => page.locator(`${tid('review-focus')} ${tid('review-response')}`).textContent();

    const rated = {};
    const rewritten = {};
    const originals = {};
    const rejected = [];
    const passed = {};

    // 1st: rate 8 and approve.
    const ex1 = await focusedId();
    check(ex1 === (await firstId()), 'the first example is not focused');
    passed[ex1] = (await focus.getAttribute('data-passed')) === 'true';
    await page.keyboard.press('8');
    await waitFocus({ 'example-id': ex1, rating: 8 }, `rating ${ex1} 8 with "8"`);
    await page.keyboard.press('a');
    await waitFocus({ 'example-id': ex1, decision: 'approved' }, `approving ${ex1} with "a"`);
    rated[ex1] = 8;
    log(`rated ${ex1} 8 and approved it`);

    // 2nd: rate 3 and reject.
    const ex2 = await nextExample(ex1);
    passed[ex2] = (await focus.getAttribute('data-passed')) === 'true';
    await page.keyboard.press('3');
    await waitFocus({ 'example-id': ex2, rating: 3 }, `rating ${ex2} 3 with "3"`);
    await page.keyboard.press('r');
    await waitFocus({ 'example-id': ex2, decision: 'rejected' }, `rejecting ${ex2} with "r"`);
    rated[ex2] = 3;
    rejected.push(ex2);
    log(`rated ${ex2} 3 and rejected it`);

    // 3rd: rewrite with "e", Ctrl+A, typing and Ctrl+Enter.
    const ex3 = await nextExample(ex2);
    passed[ex3] = (await focus.getAttribute('data-passed')) === 'true';
    originals[ex3] = await responseText();
    const rewrite3 = `E2E rewrite one (${jobId.slice(-6)}): the page explains this in plain words.`;
    await page.keyboard.press('e');
    await page.waitForSelector(`${tid('rewrite-textarea')}:focus`);
    await page.keyboard.press('Control+A');
    await page.keyboard.type(rewrite3);
    await page.keyboard.press('Control+Enter');
    await waitFocus({ 'example-id': ex3, rewritten: 'true' }, `rewriting ${ex3} with "e" and Ctrl+Enter`);
    const shown3 = await responseText();
    check(shown3 === rewrite3, `${ex3}: the rewritten response shown is not the rewrite (shown: ${JSON.stringify(shown3)})`);
    check(
      (await page.locator(`${tid('review-focus')} ${tid('review-original')}`).textContent()) === originals[ex3],
      `${ex3}: the original response is not shown next to the rewrite`,
    );
    rewritten[ex3] = rewrite3;
    log(`rewrote ${ex3} from the keyboard`);

    // 4th: rate 10 with "0", rewrite with the buttons.
    const ex4 = await nextExample(ex3);
    passed[ex4] = (await focus.getAttribute('data-passed')) === 'true';
    await page.keyboard.press('0');
    await waitFocus({ 'example-id': ex4, rating: 10 }, `rating ${ex4} 10 with "0"`);
    rated[ex4] = 10;
    originals[ex4] = await responseText();
    const rewrite4 = `E2E rewrite two (${jobId.slice(-6)}): a shorter, clearer answer.`;
    await page.click(tid('rewrite-button'));
    await page.fill(tid('rewrite-textarea'), rewrite4);
    await page.click(tid('rewrite-save'));
    await waitFocus({ 'example-id': ex4, rewritten: 'true' }, `rewriting ${ex4} with the Rewrite and Save buttons`);
    const shown4 = await responseText();
    check(shown4 === rewrite4, `${ex4}: the rewritten response shown is not the rewrite (shown: ${JSON.stringify(shown4)})`);
    rewritten[ex4] = rewrite4;
    log(`rated ${ex4} 10 and rewrote it with the buttons`);
    await waitFocus({ pending: 0 }, 'waiting for the reviews to be saved');
    await noBanner('the review page');
    await shot('05-review.png');

    for (const id of Object.keys(rewritten)) {
      check(passed[id], `example ${id} did not pass the Inspector, so it cannot be exported (job quality too low?)`);
    }

    // --- exports ---
    log('exports: new version with openai');
    await page.click(tid('tab-exports'));
    await page.waitForSelector(tid('export-form'));
    await page.waitForSelector(tid('export-format-openai'));
    await page.waitForFunction(() => !document.querySelector('.loading'), null, { polling: 100 });
    const before = await page.$$eval('[data-testid="export-version"]', (els) =>
      els.map((e) => Number(e.getAttribute('data-version'))),
    );
    await page.check(tid('export-format-openai'));
    await page.fill(tid('export-min-score'), '0');
    await page.click(tid('export-submit'));
    const created = await page.waitForSelector(tid('export-created'), { timeout: 60_000 }).catch(async () => {
      const banner = await page.locator(tid('error-banner')).textContent().catch(() => '');
      throw new Failure(`the new export was not created${banner ? `: ${banner}` : ''}`);
    });
    const version = Number(await created.getAttribute('data-version'));
    check(Number.isInteger(version) && version > 0, `POST /exports answered no version (got ${version})`);
    check(!before.includes(version), `version ${version} already existed before the export`);
    const block = page.locator(`${tid('export-version')}[data-version="${version}"]`);
    await block.waitFor();
    log(`export version ${version} listed`);
    const firstListed = await page.locator(tid('export-version')).first().getAttribute('data-version');
    check(Number(firstListed) === version, `versions are not newest first (first is ${firstListed})`);
    await block.locator(tid('export-manifest')).waitFor();
    await block.locator(tid('card-toggle')).click();
    await block.locator(`${tid('export-card')} ${tid('card-body')}`).waitFor();
    check(
      (await block.locator(`${tid('card-body')} script, ${tid('card-body')} iframe`).count()) === 0,
      'the dataset card rendered raw HTML',
    );
    await noBanner('the exports page');
    await shot('06-exports-card.png');

    const download = async (file) => {
      // The split at the top of the version (data/... copies for other tools may sit beside it).
      let link = block.locator(`${tid('export-file')}[data-file="${file}"]`);
      if (!(await link.count())) link = block.locator(`${tid('export-file')}[data-file$="/${file}"]`).first();
      check((await link.count()) === 1, `version ${version} lists no ${file}`);
      const name = await link.getAttribute('data-file');
      check(path.basename(name) === file, `version ${version} has ${name}, not ${file}`);
      const href = await link.getAttribute('href');
      if (/^https?:\/\//i.test(href) && !href.startsWith(BASE_URL)) {
        // A presigned object-store URL: the link opens it directly; read it from the page.
        return page.evaluate(async (u) => {
          const r = await fetch(u);
          if (!r.ok) throw new Error(`${u}: HTTP ${r.status}`);
          return r.text();
        }, href);
      }
      const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
      const failure = await dl.failure();
      check(!failure, `downloading ${file} failed: ${failure}`);
      const chunks = [];
      for await (const c of await dl.createReadStream()) chunks.push(c);
      return Buffer.concat(chunks).toString('utf8');
    };
    const trainText = await download('train.jsonl');
    const validationText = await download('validation.jsonl');
    log(`downloaded train.jsonl (${trainText.length} bytes) and validation.jsonl (${validationText.length} bytes)`);
    await noBanner('the exports page after the downloads');

    // --- the export honours the review ---
    const records = [...parseJsonl('train.jsonl', trainText), ...parseJsonl('validation.jsonl', validationText)];
    check(records.length > 0, 'the new export has no records');
    const byId = new Map(records.map((r) => [r.id, r]));
    for (const id of rejected) check(!byId.has(id), `rejected example ${id} was exported`);
    for (const [id, text] of Object.entries(rewritten)) {
      const r = byId.get(id);
      check(r, `rewritten example ${id} is missing from the export`);
      check(r.response === text, `example ${id}: exported response is ${JSON.stringify(r.response)}, not the rewrite`);
      check(r.review && typeof r.review === 'object', `example ${id}: exported without its review`);
      check(
        r.review.original_response === originals[id],
        `example ${id}: review.original_response is ${JSON.stringify(r.review.original_response)}, expected the original response`,
      );
    }
    for (const [id, rating] of Object.entries(rated)) {
      if (rejected.includes(id)) continue;
      const r = byId.get(id);
      if (!r) {
        check(!passed[id], `rated example ${id} passed the Inspector but is missing from the export`);
        continue;
      }
      check(r.review && r.review.rating === rating, `example ${id}: exported rating is ${r.review && r.review.rating}, expected ${rating}`);
    }
    log(`export checked: ${records.length} records, rejected left out, rewrites and originals in place`);

    noPageErrors();
    const result = {
      job_id: jobId,
      rated,
      rewritten,
      rejected,
      export_version: version,
      export_train_jsonl: trainText,
      export_validation_jsonl: validationText,
    };
    if (RESULT_JSON) {
      fs.mkdirSync(path.dirname(path.resolve(RESULT_JSON)), { recursive: true });
      fs.writeFileSync(RESULT_JSON, `${JSON.stringify(result, null, 2)}\n`);
      log(`result written to ${RESULT_JSON}`);
    }
    if (consoleErrors.length) log(`note: ${consoleErrors.length} browser console error(s) (printed above)`);
    log(`PASS in ${((Date.now() - afterJob) / 1000).toFixed(1)} s after the job completed`);
  } catch (e) {
    console.error(`\nE2E FAILED: ${e instanceof Failure ? e.message : e.stack || e}`);
    if (page) {
      const file = path.join(SCREENSHOT_DIR, 'failure.png');
      await page.screenshot({ path: file, fullPage: true }).then(
        () => console.error(`failure screenshot: ${file}`),
        (err) => console.error(`no failure screenshot: ${err.message}`),
      );
    }
    await browser.close().catch(() => {});
    return 1;
  }
  await browser.close();
  return 0;
}

const guard = setTimeout(() => {
  console.error(`\nE2E FAILED: the whole run took more than ${TOTAL_TIMEOUT_MS / 1000} s`);
  process.exit(1);
}, TOTAL_TIMEOUT_MS);
guard.unref();

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`\nE2E FAILED: ${e.stack || e}`);
    process.exit(1);
  },
);
