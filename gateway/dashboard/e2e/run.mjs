// End-to-end run of the dashboard against a running RadAI node (the standalone host), in Debian's Chromium through
// playwright-core. Driven by tests/RadAI.Dashboard.Tests (DashboardEndToEndTests), which starts the node, creates the
// users and checks the result file against the report objects; usable by hand too:
//   node e2e/run.mjs config.json
// config: { baseUrl, artifacts, users: { admin, radiologist, viewer: { username, password } }, send: { command, args },
//           studyInstanceUid, patientWords: [..], patientName, destination: { aeTitle, host, port }, resultFile, chromium? }
// Every check throws with what it saw; screenshots of each page go to `artifacts`.
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { audit, everyPage, models, senders, users } from './admin.mjs';

const config = JSON.parse(await readFile(process.argv[2], 'utf8'));
const LONG = 5 * 60_000;
await mkdir(config.artifacts, { recursive: true });
const result = { screenshots: [] };

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

function step(name) {
  console.log(`[e2e ${new Date().toISOString().slice(11, 19)}] ${name}`);
}

async function shot(page, name, fullPage = true) {
  const file = path.join(config.artifacts, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  result.screenshots.push(file);
}

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} exited with ${code}:\n${output}`))));
  });
}

async function signIn(page, user) {
  await page.goto(config.baseUrl);
  await page.locator('input[name=username]').fill(user.username);
  await page.locator('input[name=password]').fill(user.password);
  await page.locator('button[type=submit]').click();
  await page.locator('.topbar').waitFor();
}

async function signOut(page) {
  await page.locator('.who button.link').click();
  await page.locator('input[name=username]').waitFor();
}

const browser = await chromium.launch({
  executablePath: config.chromium ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const consoleErrors = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  // Nothing may be fetched from outside the node (offline hospital network).
  const foreign = [];
  // (Chromium's own PDF viewer loads chrome:// and chrome-extension:// resources: those are not the network.)
  context.on('request', (r) => { if (/^(https?|wss?):/.test(r.url()) && !r.url().startsWith(config.baseUrl)) foreign.push(r.url()); });

  step('login page, French by default');
  await page.goto(config.baseUrl);
  await page.locator('input[name=username]').waitFor();
  check((await page.locator('html').getAttribute('lang')) === 'fr', 'the page is French by default');
  check((await page.locator('h1').innerText()).includes('Connexion'), 'the login title is French');
  await shot(page, '01-login');
  check(await page.evaluate(() => document.scrollingElement.scrollWidth <= window.innerWidth), 'the login page overflows at 1280×800');
  await page.setViewportSize({ width: 2560, height: 1440 });
  await shot(page, 'p-login-2560x1440');
  await page.setViewportSize({ width: 1280, height: 800 });

  step('a wrong password is refused');
  await page.locator('input[name=username]').fill(config.users.radiologist.username);
  await page.locator('input[name=password]').fill('not the password');
  await page.locator('button[type=submit]').click();
  await page.locator('.notice.tone-error').waitFor();

  step('radiologist signs in; the jobs list connects to the live feed');
  await signIn(page, config.users.radiologist);
  await page.locator('[data-testid=live-state][data-state=open]').waitFor({ timeout: 30_000 });
  await shot(page, '02-jobs-before');

  step('radai send; the job must reach "delivered" on this page without reloading');
  let navigations = 0;
  page.on('framenavigated', (frame) => { if (frame === page.mainFrame()) navigations++; });
  await page.evaluate(() => { window.__radaiNoReload = 'kept'; });
  const row = page.locator(`tr[data-study-uid="${config.studyInstanceUid}"]`);
  const seen = new Set();
  const watch = setInterval(async () => { try { const s = await row.getAttribute('data-status', { timeout: 200 }); if (s) seen.add(s); } catch { /* not yet */ } }, 250);
  await run(config.send.command, config.send.args);
  await page.locator(`tr[data-study-uid="${config.studyInstanceUid}"][data-status=delivered]`).waitFor({ timeout: LONG });
  clearInterval(watch);
  check(navigations === 0, `the page navigated ${navigations} time(s)`);
  check((await page.evaluate(() => window.__radaiNoReload)) === 'kept', 'the page was reloaded');
  result.statusesSeen = [...seen];
  const jobId = await row.getAttribute('data-job-id');
  result.jobId = jobId;
  await shot(page, '03-jobs-delivered');

  step('search and filters');
  await page.locator('input.search').fill(config.studyInstanceUid.slice(-10));
  check((await page.locator('tbody tr').count()) === 1, 'the search keeps the one job');
  // the radiologist's worklist shows the patient (GET /api/jobs/patients, audited) and the search finds the job by patient ID.
  await row.locator('[data-testid=row-patient]', { hasText: config.patientName }).waitFor({ timeout: 30_000 });
  await page.locator('input.search').fill(config.patientId);
  check((await page.locator('tbody tr').count()) === 1 && (await row.count()) === 1, 'the search by patient ID keeps the one job');
  await page.locator('input.search').fill('no-such-thing');
  await page.locator('.state-empty').waitFor();
  await shot(page, '04-jobs-empty-search');
  await page.locator('input.search').fill('');
  await page.locator('select[name=status]').selectOption('delivered');
  await row.waitFor();

  step('day filters typed in the dashboard language (jj/mm/aaaa), not the browser locale');
  const from = page.locator('input[name=from]');
  check((await from.getAttribute('placeholder')) === 'jj/mm/aaaa', 'the day is asked as jj/mm/aaaa');
  await from.fill('31/02/2026');
  await from.blur();
  await page.locator('label.date-input.invalid .field-error').waitFor();
  const received = await page.evaluate(async (id) => {
    const session = JSON.parse(sessionStorage.getItem('radai.session'));
    return (await (await fetch(`/api/jobs/${id}`, { headers: { Authorization: `Bearer ${session.accessToken}` } })).json()).job.createdAt;
  }, await row.getAttribute('data-job-id'));
  const frenchDay = (iso) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
  const dayAfter = new Date(`${received.slice(0, 10)}T00:00:00Z`);
  dayAfter.setUTCDate(dayAfter.getUTCDate() + 1);
  await from.fill(frenchDay(dayAfter.toISOString()));
  await page.locator('.state-empty').waitFor();
  await from.fill(frenchDay(received));
  await row.waitFor();
  check((await page.locator('label.date-input.invalid').count()) === 0, 'a French day is accepted');
  await from.fill('');
  await row.waitFor();

  step('job detail: timeline, routing, findings, overlay, PDF, SR');
  await row.click();
  await page.locator('[data-testid=timeline] [data-stage=delivered][data-state=done]').waitFor({ timeout: 30_000 });
  check((await page.locator('[data-testid=decisions] tbody tr').count()) > 0, 'routing decisions are listed');
  await page.locator('[data-testid=findings]').first().waitFor({ timeout: 30_000 });
  result.findings = await page.$$eval('[data-testid=findings] tbody tr', (rows) => rows.map((r) => {
    const cells = [...r.querySelectorAll('td')].map((c) => c.textContent ?? '');
    return { run: r.closest('[data-run]')?.getAttribute('data-model'), finding: r.getAttribute('data-finding'), measurement: cells[2], text: cells[3], unit: cells[4] };
  }).filter((f) => f.text !== '—'));
  check(result.findings.length > 0, 'the findings table shows values');
  // in French, the findings are named with the PDF's words (compared by the test with FindingNames and the PDF).
  result.findingNames = await page.$$eval('[data-testid=findings] tbody tr td[data-name]', (cells) => cells.map((c) => ({
    run: c.closest('[data-run]')?.getAttribute('data-run'), finding: c.closest('tr')?.getAttribute('data-finding'), name: c.getAttribute('data-name'),
  })));
  check(result.findingNames.some((n) => n.name === 'Poumon droit'), `the French page names the right lung in French (${JSON.stringify(result.findingNames)})`);

  const patient = await page.locator('[data-testid=patient]').innerText({ timeout: 30_000 });
  check(patient.includes(config.patientName), `the radiologist sees the patient's name (${patient})`);

  const viewer = page.locator('[data-testid=viewer]').first();
  await viewer.waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=viewer]')?.getAttribute('data-edges')) > 0, null, { timeout: 30_000 });
  const canvas = viewer.locator('canvas');
  const pixels = await canvas.evaluate((c) => {
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let contour = 0; let grayPixels = 0; let lit = 0; const gray = new Set();
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] > 200 && data[i + 1] > 120 && data[i + 1] < 220 && data[i + 2] < 60) contour++;
      else if (data[i] === data[i + 1] && data[i + 1] === data[i + 2]) { grayPixels++; gray.add(data[i]); if (data[i] > 0) lit++; }
    }
    return { width: c.width, height: c.height, contour, grayPixels, lit, grayLevels: gray.size };
  });
  check(pixels.contour > 0, `the contour is drawn (${JSON.stringify(pixels)})`);
  // The phantom is piecewise constant: a few gray levels (air, lung, soft tissue, bone), most of the slice lit; the
  // rest is the contour and its anti-aliased edge.
  check(pixels.grayPixels > 0.9 * pixels.width * pixels.height && pixels.grayLevels >= 3 && pixels.lit > pixels.grayPixels / 2,
    `the real image is drawn under the contour (${JSON.stringify(pixels)})`);
  const windowBefore = await viewer.locator('select').nth(1).locator('option').first().innerText();
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2 - 20, { steps: 4 });
  await page.mouse.up();
  const windowAfter = await viewer.locator('select').nth(1).locator('option').first().innerText();
  check(windowBefore !== windowAfter, `dragging changes the window (${windowBefore} → ${windowAfter})`);
  const sliceBefore = await viewer.getAttribute('data-slice');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, 120);
  await page.waitForFunction((s) => { const v = document.querySelector('[data-testid=viewer]')?.getAttribute('data-slice'); return v && v !== s; }, sliceBefore, { timeout: 15_000 })
    .catch(async () => { await page.mouse.wheel(0, -240); await page.waitForFunction((s) => document.querySelector('[data-testid=viewer]')?.getAttribute('data-slice') !== s, sliceBefore, { timeout: 15_000 }); });
  result.overlay = { ...pixels, windowBefore, windowAfter, sliceBefore, sliceAfter: await viewer.getAttribute('data-slice') };

  const link = page.locator('[data-testid=pdf-link]');
  await link.waitFor({ timeout: 30_000 });
  const href = await link.getAttribute('href');
  check(href.startsWith('blob:'), 'the PDF is shown from a blob URL');
  check((await page.locator('[data-testid=pdf-frame]').getAttribute('src')) === href, 'the preview frame shows the PDF');
  // The page's policy keeps connect-src to 'self' (no fetch of blob: URLs): the blob shown is compared, by size, with
  // the PDF the api serves to this user, whose first bytes are read here.
  const head = await page.evaluate(async (id) => {
    const session = JSON.parse(sessionStorage.getItem('radai.session'));
    const b = new Uint8Array(await (await fetch(`/api/jobs/${id}/report/pdf?format=pdf`, { headers: { Authorization: `Bearer ${session.accessToken}` } })).arrayBuffer());
    return { size: b.length, head: String.fromCharCode(...b.slice(0, 5)) };
  }, jobId);
  check(head.head === '%PDF-', `the report is a PDF (${head.head})`);
  check(Number(await link.getAttribute('data-size')) === head.size, `the preview holds the report's PDF (${await link.getAttribute('data-size')} vs ${head.size} bytes)`);
  result.pdf = head;
  const popup = context.waitForEvent('page');
  await link.click();
  const pdfPage = await popup;
  await pdfPage.waitForLoadState();
  check(pdfPage.url() === href, 'the PDF opens in a new tab');
  await pdfPage.close();

  await page.locator('[data-testid=sr-tree] summary').click();
  await page.locator('[data-testid=sr-tree] li[data-value-type=NUM]').first().waitFor({ timeout: 30_000 });
  result.srValues = await page.$$eval('[data-testid=sr-tree] li[data-value-type=NUM] > .sr-value', (v) => v.map((e) => e.textContent));
  await shot(page, '05-job-detail');
  await viewer.scrollIntoViewIfNeeded();
  await shot(page, '06-key-image-overlay', false);

  step('resend and rerun');
  await page.locator('[data-action=resend]').click();
  await page.locator('.notice.tone-ok').waitFor({ timeout: 30_000 });
  await page.locator('[data-action=rerun]').click();
  const rerunNotice = page.locator('.notice.tone-ok', { hasText: /[0-9a-f]{8}-[0-9a-f]{4}-/ });
  await rerunNotice.waitFor({ timeout: 30_000 });
  result.rerunJobId = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/.exec(await rerunNotice.innerText())[1];

  step('English');
  await page.locator('.topbar [data-lang=en]').click();
  await page.locator('h2', { hasText: 'Timeline' }).waitFor();
  check((await page.locator('html').getAttribute('lang')) === 'en', 'the page switched to English');
  await shot(page, '07-job-detail-en');
  await page.locator('.topbar [data-lang=fr]').click();

  step('statistics');
  await page.locator('nav a[href="/statistics"]').click();
  await page.locator('[data-testid=chart-per-day] svg rect.bar').first().waitFor({ state: 'attached', timeout: 30_000 });
  check((await page.locator('[data-testid=chart-per-day] svg rect.bar').count()) >= 7, 'one bar per day of the window');
  await page.locator('[data-testid=chart-latency] svg').waitFor();
  await shot(page, '08-statistics');
  await signOut(page);

  step('viewer: no patient identity, no action');
  await signIn(page, config.users.viewer);
  check((await page.locator('nav a[href="/admin/destinations"]').count()) === 0, 'a viewer has no administration link');
  // the viewer's worklist has no patient column and no name or ID anywhere (the api refuses the identity request).
  await page.locator(`tr[data-job-id="${jobId}"]`).waitFor({ timeout: 30_000 });
  const listText = await page.locator('body').innerText();
  for (const word of config.patientWords) check(!listText.includes(word), `a viewer's worklist shows "${word}"`);
  check((await page.locator('[data-testid=row-patient]').count()) === 0, 'a viewer has no patient column');
  await page.goto(`${config.baseUrl.replace(/\/$/, '')}/jobs/${jobId}`);
  await page.locator('[data-testid=timeline]').waitFor({ timeout: 30_000 });
  await page.locator('[data-testid=findings]').first().waitFor({ timeout: 30_000 });
  const text = await page.locator('body').innerText();
  for (const word of config.patientWords) check(!text.includes(word), `a viewer sees "${word}"`);
  check((await page.locator('[data-testid=patient]').count()) === 0, 'a viewer has no patient block');
  check((await page.locator('[data-action=rerun], [data-action=resend], [data-download], [data-testid=pdf-link], [data-testid=viewer]').count()) === 0, 'a viewer has no action, download or image');
  const refused = await page.evaluate(async (id) => {
    const session = JSON.parse(sessionStorage.getItem('radai.session'));
    const call = (p) => fetch(p, { headers: { Authorization: `Bearer ${session.accessToken}` } }).then((r) => r.status);
    return { patient: await call(`/api/jobs/${id}/patient`), pdf: await call(`/api/jobs/${id}/report/pdf?format=pdf`), rerun: await fetch(`/api/jobs/${id}/rerun`, { method: 'POST', headers: { Authorization: `Bearer ${session.accessToken}` } }).then((r) => r.status) };
  }, jobId);
  check(refused.patient === 403 && refused.pdf === 403 && refused.rerun === 403, `the api refuses the viewer (${JSON.stringify(refused)})`);
  result.viewerRefused = refused;
  await shot(page, '09-job-detail-viewer');
  await page.goto(`${config.baseUrl.replace(/\/$/, '')}/admin/destinations`);
  await page.locator('.state-error').waitFor();
  await signOut(page);

  step('administrator: add a destination, C-ECHO it; audit chain; users');
  await signIn(page, config.users.admin);
  await page.locator('nav a[href="/admin/destinations"]').click();
  await page.locator('[data-testid=destination-form]').waitFor();
  await page.locator('[data-testid=destination-form] input[name=aeTitle]').fill(config.destination.aeTitle);
  await page.locator('[data-testid=destination-form] input[name=host]').fill(config.destination.host);
  await page.locator('[data-testid=destination-form] input[name=port]').fill(String(config.destination.port));
  await page.locator('[data-testid=destination-form] button[type=submit]').click();
  const destination = page.locator(`tr[data-ae="${config.destination.aeTitle}"]`);
  await destination.waitFor({ timeout: 60_000 });
  await destination.locator('[data-action=echo]').click();
  await destination.locator('[data-testid=last-echo][data-status="0"]').waitFor({ timeout: 4 * 60_000 });
  await shot(page, '10-destinations');
  const configured = page.locator('[data-testid=destinations] tr[data-source=config]');
  check((await configured.count()) >= 1, 'the configured destination (--pacs) is listed');
  for (const r of await configured.all()) {
    check((await r.locator('.read-only').count()) === 1 && (await r.locator('[data-action=disable]').count()) === 0, `configured destination ${await r.getAttribute('data-ae')} is read-only`);
  }
  await page.locator('nav a[href="/audit"]').click();
  await page.locator('[data-testid=audit] tbody tr').first().waitFor();
  await page.locator('[data-action=verify]').click();
  await page.locator('[data-testid=verification][data-ok=true]').waitFor({ timeout: 60_000 });
  const actions = await page.$$eval('[data-testid=audit] tbody tr td:nth-child(4)', (c) => c.map((e) => e.textContent));
  check(actions.includes('destination.echo') && actions.includes('image.view') && actions.includes('patient.view'), `the audit log has the echo, image and patient reads (${actions.slice(0, 30).join(', ')})`);
  await shot(page, '11-audit');

  // Administration against the real api (e2e/admin.mjs): senders, models and routing profiles, users, audit log.
  const admin = {
    check, step, shot, signIn, browser, result, base: config.baseUrl.replace(/\/$/, ''),
    sender: { aeTitle: 'DASHSEND', host: '127.0.0.1' },
    newUser: { username: 'e2e.viewer', password: 'created by the dashboard e2e, long enough' },
  };
  const adminStarted = Date.now();
  await senders(page, admin);
  await models(page, admin);
  await users(page, admin);
  await page.locator(`[data-testid=users] tr[data-user="${config.users.viewer.username}"]`).waitFor();
  await audit(page, admin);
  result.seconds = { administration: (Date.now() - adminStarted) / 1000 };
  await page.locator('nav a[href="/jobs"]').click();
  await page.locator(`tr[data-job-id="${result.rerunJobId}"]`).waitFor({ timeout: 30_000 });

  await everyPage(page, admin, jobId);

  check(foreign.length === 0, `requests outside the node: ${foreign.join(', ')}`);
  result.consoleErrors = consoleErrors;
  result.ok = true;
} catch (error) {
  result.ok = false;
  result.error = String(error?.stack ?? error);
  result.consoleErrors = consoleErrors;
  for (const page of browser.contexts().flatMap((c) => c.pages())) {
    try { await page.screenshot({ path: path.join(config.artifacts, 'failure.png'), fullPage: true }); } catch { /* closed */ }
  }
} finally {
  await browser.close();
  await writeFile(config.resultFile, JSON.stringify(result, null, 2));
}
console.log(result.ok ? 'e2e passed' : `e2e failed: ${result.error}`);
process.exit(result.ok ? 0 : 1);
