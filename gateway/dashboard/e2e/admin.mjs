// The administration part of the end-to-end run (run.mjs): senders, models and routing profiles, users, each change
// read back from the api; a user created here signs in and, as a viewer, has no administration (hidden and refused);
// every page screenshotted at 1280×800 and 2560×1440 with no horizontal overflow at 1280×800.

/** A call from the page (its origin, the signed-in user's token unless `token` is false): { status, body }. */
export function apiCall(page, method, url, body, token = true) {
  return page.evaluate(async ({ method, url, body, token }) => {
    const session = JSON.parse(sessionStorage.getItem('radai.session') ?? 'null');
    const headers = { Accept: 'application/json' };
    if (token && session) headers.Authorization = `Bearer ${session.accessToken}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    let parsed = text;
    try { parsed = JSON.parse(text); } catch { /* not JSON */ }
    return { status: response.status, body: parsed };
  }, { method, url, body, token });
}

async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('.state-loading'), null, { timeout: 30_000 });
}

async function go(page, h, path) {
  const link = page.locator(`nav a[href="${path}"]`);
  await link.click();
  await page.waitForFunction((p) => window.location.pathname === p, path);
  await settled(page);
}

/** Senders: one added (AE title, host), listed, read back from the api, disabled; configured ones read-only. */
export async function senders(page, h) {
  const { check, step, shot } = h;
  step('administrator: senders (add, disable; configured ones read-only)');
  await go(page, h, '/admin/senders');
  const before = await apiCall(page, 'GET', '/api/senders');
  check(before.status === 200, `GET /api/senders: ${before.status}`);
  for (const s of before.body.filter((x) => x.source === 'config')) {
    const row = page.locator(`[data-testid=senders] tr[data-ae="${s.aeTitle}"]`);
    check((await row.locator('[data-source=config].read-only').count()) === 1, `configured sender ${s.aeTitle} is marked read-only`);
    check((await row.locator('button').count()) === 0, `configured sender ${s.aeTitle} has no action`);
  }
  h.result.configuredSenders = before.body.filter((x) => x.source === 'config').map((x) => x.aeTitle);

  const form = page.locator('[data-testid=sender-form]');
  // A value the api refuses: its problem is shown, with the headline in French.
  await form.locator('input[name=aeTitle]').fill(h.sender.aeTitle);
  await form.locator('input[name=stableTimeout]').fill('not a duration');
  await form.locator('button[type=submit]').click();
  const refusal = page.locator('.notice.tone-error[data-status="400"]');
  await refusal.waitFor({ timeout: 60_000 });
  const refusalText = await refusal.innerText();
  check(refusalText.includes('Demande refusée'), `the refusal is said in French (${refusalText})`);
  check(refusalText.length > 'Demande refusée : une valeur est invalide.'.length + 10, `the refusal carries the api's problem (${refusalText})`);
  h.result.senderRefusal = refusalText;
  check((await apiCall(page, 'GET', `/api/senders/${h.sender.aeTitle}`)).status === 404, 'the refused sender was not created');

  await form.locator('input[name=stableTimeout]').fill('');
  await form.locator('input[name=host]').fill(h.sender.host);
  await form.locator('button[type=submit]').click();
  const row = page.locator(`[data-testid=senders] tr[data-ae="${h.sender.aeTitle}"][data-enabled=true]`);
  await row.waitFor({ timeout: 60_000 });
  check((await row.innerText()).includes(h.sender.host), 'the new sender is listed with its host');
  const created = await apiCall(page, 'GET', `/api/senders/${h.sender.aeTitle}`);
  check(created.status === 200 && created.body.host === h.sender.host && created.body.enabled === true && created.body.source === 'api',
    `the api has the new sender (${JSON.stringify(created)})`);

  await row.locator('[data-action=disable]').click();
  await page.locator(`[data-testid=senders] tr[data-ae="${h.sender.aeTitle}"][data-enabled=false]`).waitFor({ timeout: 60_000 });
  const disabled = await apiCall(page, 'GET', `/api/senders/${h.sender.aeTitle}`);
  check(disabled.status === 200 && disabled.body.enabled === false, `the api has the sender disabled (${JSON.stringify(disabled.body)})`);
  await shot(page, '15-senders');
}

/** Model packages: badges as the api says, one disabled then enabled again (read back); routing profiles as the api has them. */
export async function models(page, h) {
  const { check, step, shot } = h;
  step('administrator: model packages (status badges, disable and enable), routing profiles');
  await go(page, h, '/admin/models');
  await page.locator('[data-testid=models] [data-model]').first().waitFor({ timeout: 60_000 });
  const listed = await apiCall(page, 'GET', '/api/models');
  check(listed.status === 200 && listed.body.length > 0, `GET /api/models: ${listed.status} ${JSON.stringify(listed.body).slice(0, 200)}`);
  check((await page.locator('[data-testid=models] [data-model]').count()) === listed.body.length, 'one card per package');
  for (const m of listed.body) {
    const card = page.locator(`[data-testid=models] [data-model="${m.id}"]`);
    const badge = (await card.locator('.badge-model').innerText()).trim();
    check(badge === m.status.toUpperCase(), `${m.id}: badge ${badge}, api ${m.status}`);
    check((await card.getAttribute('data-enabled')) === String(m.enabled), `${m.id}: shown enabled=${await card.getAttribute('data-enabled')}, api ${m.enabled}`);
    if (['DEMO', 'RESEARCH'].includes(badge)) check((await card.locator('.warning').count()) === 1, `${m.id} (${badge}) says it is not for diagnosis`);
    if (m.source === 'config') {
      check((await card.locator('[data-action=toggle]').count()) === 0, `${m.id} is configured: no toggle`);
      check((await card.locator('.read-only').count()) === 1, `${m.id} is marked read-only`);
    }
  }
  h.result.modelStatuses = Object.fromEntries(listed.body.map((m) => [m.id, m.status]));
  check(listed.body.some((m) => ['DEMO', 'RESEARCH'].includes(m.status.toUpperCase())), 'a DEMO or RESEARCH package is shown');

  // Toggled: a package the test's CT study does not use, enabled, not configured.
  const target = listed.body.find((m) => m.enabled && m.source !== 'config' && !m.modalities.includes('CT'))
    ?? listed.body.find((m) => m.enabled && m.source !== 'config');
  check(target, 'a package that can be disabled');
  const card = page.locator(`[data-testid=models] [data-model="${target.id}"]`);
  await card.locator('[data-action=toggle]').click();
  await page.locator(`[data-testid=models] [data-model="${target.id}"][data-enabled=false]`).waitFor({ timeout: 60_000 });
  const off = await apiCall(page, 'GET', `/api/models/${target.id}`);
  check(off.status === 200 && off.body.enabled === false && off.body.source === 'api', `the api has ${target.id} disabled (${JSON.stringify(off.body)})`);
  await shot(page, '16-models-one-disabled');
  await card.locator('[data-action=toggle]').click();
  await page.locator(`[data-testid=models] [data-model="${target.id}"][data-enabled=true]`).waitFor({ timeout: 60_000 });
  const on = await apiCall(page, 'GET', `/api/models/${target.id}`);
  check(on.status === 200 && on.body.enabled === true, `the api has ${target.id} enabled again (${JSON.stringify(on.body)})`);
  h.result.modelToggled = target.id;

  const profiles = await apiCall(page, 'GET', '/api/routing-profiles');
  check(profiles.status === 200, `GET /api/routing-profiles: ${profiles.status}`);
  if (profiles.body.length === 0) {
    check((await page.locator('.state-empty').count()) >= 1, 'no profile: the empty state says so');
  } else {
    const rows = await page.$$eval('[data-testid=profiles] tr[data-profile]', (r) => r.map((x) => ({
      name: x.getAttribute('data-profile'), packages: x.getAttribute('data-packages'), source: x.getAttribute('data-source'),
      checked: [...x.querySelectorAll('input[data-package]:checked')].map((i) => i.getAttribute('data-package')).sort().join(' '),
      disabled: [...x.querySelectorAll('input[data-package]')].every((i) => i.disabled),
    })));
    const expected = profiles.body.map((p) => ({ name: p.name, packages: p.packages.join(' '), source: p.source ?? '' }));
    check(JSON.stringify(rows.map(({ name, packages, source }) => ({ name, packages, source }))) === JSON.stringify(expected),
      `the profiles shown are the api's (${JSON.stringify(rows)} vs ${JSON.stringify(expected)})`);
    for (const row of rows) {
      const loaded = new Set(listed.body.map((m) => m.id));
      check(row.checked === row.packages.split(' ').filter((p) => loaded.has(p)).sort().join(' '), `profile ${row.name}: the packages ticked are its packages`);
      if (row.source === 'config') check(row.disabled, `configured profile ${row.name} cannot be changed`);
    }
    h.result.profiles = rows;
  }
  await shot(page, '16-models');
}

/** A viewer (here the user the administrator just created): no administration menu, pages refused, api 403. */
export async function viewerHasNoAdministration(page, h, label) {
  const { check } = h;
  check((await page.locator('nav a[href^="/admin/"], nav a[href="/audit"]').count()) === 0, `${label} has no administration menu`);
  for (const path of ['/admin/destinations', '/admin/senders', '/admin/models', '/admin/users', '/audit']) {
    await page.goto(`${h.base}${path}`);
    await page.locator('.state-error[data-status="403"]').waitFor({ timeout: 30_000 });
    check((await page.locator('main [data-action], main form, main table').count()) === 0, `${label} sees no action on ${path}`);
  }
  const refused = {};
  for (const [method, url, body] of [
    ['GET', '/api/senders'], ['PUT', `/api/senders/${h.sender.aeTitle}`, { host: '127.0.0.1' }], ['GET', '/api/users'],
    ['POST', '/api/users', { username: 'not-created', password: 'long enough password 123', role: 'admin' }],
    ['PUT', `/api/models/${h.result.modelToggled ?? 'radai.ct.nodule-demo'}/enabled`, { enabled: false }],
    ['PUT', '/api/routing-profiles/not-created', { packages: [] }], ['GET', '/api/audit'], ['GET', '/api/destinations'],
  ]) {
    refused[`${method} ${url}`] = (await apiCall(page, method, url, body)).status;
  }
  check(Object.values(refused).every((s) => s === 403), `the api refuses ${label} (${JSON.stringify(refused)})`);
  return refused;
}

/** Users: one created as viewer (it signs in, as viewer), its role changed, then disabled (it can no longer sign in). */
export async function users(page, h) {
  const { check, step, shot } = h;
  step('administrator: users (create a viewer who signs in; change the role; disable)');
  await go(page, h, '/admin/users');
  const form = page.locator('[data-testid=user-form]');
  await form.locator('input[name=username]').fill(h.newUser.username);
  await form.locator('input[name=password]').fill(h.newUser.password);
  await form.locator('select[name=role]').selectOption('viewer');
  await form.locator('button[type=submit]').click();
  const row = page.locator(`[data-testid=users] tr[data-user="${h.newUser.username}"]`);
  await page.locator(`[data-testid=users] tr[data-user="${h.newUser.username}"][data-role=viewer][data-disabled=false]`).waitFor({ timeout: 60_000 });
  const find = async () => (await apiCall(page, 'GET', '/api/users')).body.find((u) => u.username === h.newUser.username);
  const created = await find();
  check(created?.role === 'viewer' && created.disabled === false, `the api has the new viewer (${JSON.stringify(created)})`);

  step('the new account signs in, as a viewer: no administration');
  const other = await h.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
  try {
    const viewerPage = await other.newPage();
    await h.signIn(viewerPage, h.newUser);
    check((await viewerPage.locator('.topbar .badge.role').innerText()).trim() === 'Consultation', 'the new account is a viewer');
    h.result.newViewerRefused = await viewerHasNoAdministration(viewerPage, h, 'the new viewer');
    await h.shot(viewerPage, '17-viewer-admin-refused');
  } finally {
    await other.close();
  }

  await row.locator('select[name=role]').selectOption('radiologist');
  await page.locator(`[data-testid=users] tr[data-user="${h.newUser.username}"][data-role=radiologist]`).waitFor({ timeout: 60_000 });
  check((await find())?.role === 'radiologist', 'the api has the new role');
  await row.locator('[data-action=disable]').click();
  await page.locator(`[data-testid=users] tr[data-user="${h.newUser.username}"][data-disabled=true]`).waitFor({ timeout: 60_000 });
  check((await find())?.disabled === true, 'the api has the user disabled');
  const login = await apiCall(page, 'POST', '/api/auth/login', { username: h.newUser.username, password: h.newUser.password }, false);
  check(login.status === 401 || login.status === 403, `a disabled account cannot sign in (${login.status})`);
  await shot(page, '12-users');
}

/**
 * Audit log: the administrator's last change (the user disabled above) listed under the administrator's name, with
 * the stored id in the tooltip; the day filter, typed as jj/mm/aaaa, keeps today's entries and empties the list for
 * the day before (the api filters: the page does not).
 */
export async function audit(page, h) {
  const { check, step, shot } = h;
  step('administrator: audit log (actors by name, day filter)');
  const me = (await apiCall(page, 'GET', '/api/auth/me')).body;
  const user = (await apiCall(page, 'GET', '/api/users')).body.find((u) => u.username === h.newUser.username);
  check(me?.kind === 'user' && user, `the administrator and the created user are known (${JSON.stringify(me)})`);
  await go(page, h, '/audit');
  const rows = () => page.$$eval('[data-testid=audit] tbody tr', (trs) => trs.map((tr) => {
    const actor = tr.querySelector('.actor');
    return {
      occurredAt: tr.getAttribute('data-occurred-at'), action: tr.querySelector('td:nth-child(4)').textContent,
      resource: tr.querySelector('td.uid').textContent, actor: actor.getAttribute('data-actor'),
      name: actor.getAttribute('data-actor-name'), title: actor.getAttribute('title'), shown: actor.textContent,
    };
  }));
  const all = await rows();
  const disabled = all.find((r) => r.action === 'user.disable' && r.resource === `user:${user.id}`);
  check(disabled !== undefined, `the audit log lists the user disabled by the e2e (${all.slice(0, 10).map((r) => r.action).join(', ')})`);
  check(disabled.name === me.name && disabled.shown.startsWith(me.name) && disabled.actor === `user:${me.id}` && disabled.title === `user:${me.id}`,
    `the change is shown under the administrator's name, the id in the tooltip (${JSON.stringify(disabled)})`);
  h.result.auditActor = disabled;

  const filters = page.locator('[data-testid=audit-filters]');
  const day = (date) => `${String(date.getDate()).padStart(2, '0')}/${String(date.getMonth() + 1).padStart(2, '0')}/${date.getFullYear()}`;
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  check((await filters.locator('input[name=from]').getAttribute('placeholder')) === 'jj/mm/aaaa', 'the audit day is asked as jj/mm/aaaa');
  // Up to yesterday: nothing (the node started today).
  await filters.locator('input[name=to]').fill(day(yesterday));
  await page.locator('.state-empty').waitFor({ timeout: 30_000 });
  check((await page.locator('[data-testid=audit] tbody tr').count()) === 0, 'the day before empties the audit list');
  const refusedDay = (await apiCall(page, 'GET', `/api/audit?to=${encodeURIComponent(new Date(today.getFullYear(), today.getMonth(), today.getDate()).toISOString())}`)).body;
  check(Array.isArray(refusedDay) && refusedDay.length === 0, `the api has no entry before today (${JSON.stringify(refusedDay).slice(0, 200)})`);
  await shot(page, '18-audit-day-before');
  // Today only: the change is there, and every entry listed is from today.
  await filters.locator('input[name=to]').fill('');
  await filters.locator('input[name=from]').fill(day(today));
  await filters.locator('input[name=to]').fill(day(today));
  await page.locator(`[data-testid=audit] .actor[data-actor-name="${me.name}"]`).first().waitFor({ timeout: 30_000 });
  const todays = await rows();
  const start = new Date(today.getFullYear(), today.getMonth(), today.getDate()).getTime();
  check(todays.some((r) => r.action === 'user.disable' && r.resource === `user:${user.id}`), 'today keeps the change');
  check(todays.every((r) => Date.parse(r.occurredAt) >= start && Date.parse(r.occurredAt) < start + 86_400_000), 'today lists only entries of today');
  await shot(page, '19-audit-today');
  await filters.locator('button').click();
  await page.locator('[data-testid=audit] tbody tr').first().waitFor();
  h.result.auditDay = { today: todays.length, all: all.length };
}

/**
 * Every page at 1280×800 (none wider than the window) and at 2560×1440 (a reading-room screen: the type grows), as
 * screenshots.
 */
export async function everyPage(page, h, jobId) {
  const { check, step, shot } = h;
  step('every page at 1280×800 and 2560×1440');
  const started = Date.now();
  const pages = [
    ['jobs', '/jobs', 'tr[data-job-id]'],
    ['job', `/jobs/${jobId}`, '[data-testid=timeline]'],
    ['statistics', '/statistics', '[data-testid=chart-per-day] svg'],
    ['destinations', '/admin/destinations', '[data-testid=destinations]'],
    ['senders', '/admin/senders', '[data-testid=senders]'],
    ['models', '/admin/models', '[data-testid=models]'],
    ['users', '/admin/users', '[data-testid=users]'],
    ['audit', '/audit', '[data-testid=audit]'],
  ];
  const overflow = {};
  for (const [width, height] of [[1280, 800], [2560, 1440]]) {
    await page.setViewportSize({ width, height });
    for (const [name, path, ready] of pages) {
      await page.goto(`${h.base}${path}`);
      await page.locator(ready).first().waitFor({ timeout: 30_000 });
      await settled(page);
      const size = await page.evaluate(() => ({ scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth, font: parseFloat(getComputedStyle(document.documentElement).fontSize) }));
      if (width === 1280) {
        overflow[name] = size;
        check(size.scroll <= size.inner, `${path} overflows at 1280×800 (${size.scroll} > ${size.inner})`);
      } else {
        check(size.font >= 16, `${path} keeps a small type on a 2560×1440 screen (${size.font}px)`);
        if (name === 'job') {
          // The reading-room layout: the slices beside the findings table, not under it.
          await page.locator('[data-testid=viewer]').first().waitFor({ timeout: 30_000 });
          const boxes = await page.evaluate(() => [document.querySelector('[data-testid=findings]'), document.querySelector('[data-testid=viewer]')]
            .map((e) => e.getBoundingClientRect()).map((r) => ({ left: r.left, right: r.right, top: r.top, bottom: r.bottom })));
          check(boxes[1].left >= boxes[0].right && boxes[1].top < boxes[0].bottom,
            `the job page at 2560×1440 shows the viewer under the findings table, not beside it (${JSON.stringify(boxes)})`);
        }
      }
      // Whole pages at 1280×800 (to see every row); what the reading-room screen shows at once at 2560×1440.
      await shot(page, `p-${name}-${width}x${height}`, width === 1280);
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  h.result.widths1280 = overflow;
  h.result.seconds = { ...h.result.seconds, everyPage: (Date.now() - started) / 1000 };
}
