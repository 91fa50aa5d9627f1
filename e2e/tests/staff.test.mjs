// Browser tests of the staff pages: the secretariat's sessions, decisions, progress and
// funding; a member state's response tasks; the administrator's accounts, API tokens and
// webhook subscribers; and changing one's own password. Each form is first sent with a
// mistake: the field error must name the field, and what was typed must still be there.
// Screenshots go to e2e/artifacts/ for a human to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.env.HEMI_URL ?? 'http://127.0.0.1:18181';
const artifacts = new URL('../artifacts/', import.meta.url).pathname;
mkdirSync(artifacts, { recursive: true });
let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
});
after(async () => { await browser?.close(); });

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
  const page = await context.newPage();
  const foreign = [];
  page.on('request', (r) => { if (!r.url().startsWith(base)) foreign.push(r.url()); });
  page.foreign = foreign;
  return page;
}

async function logIn(page, user, password) {
  await page.goto(`${base}/login`);
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type=submit]')]);
  assert.doesNotMatch(new URL(page.url()).pathname, /^\/login/, `${user} logged in`);
}

async function submit(page, form) {
  await Promise.all([page.waitForNavigation(), page.click(`${form} button[type=submit]`)]);
}

const fieldError = (page, form, name) =>
  page.locator(`${form} .field.invalid:has([name="${name}"]) .field-error`).textContent();

test('secretariat: a session refused for an unknown host keeps what was typed; fixed, it opens and takes a decision', async () => {
  const page = await newPage();
  await logIn(page, 'e2e_analyst', 'analyst-password-1');
  await Promise.all([page.waitForNavigation(), page.click('nav.main a[href="/secretariat"]')]);
  assert.match(await page.textContent('h1'), /Secretariat/);
  const form = 'form[action="/secretariat/sessions"]';
  const title = 'Ministerial on labour pathways (browser test)';
  await page.selectOption(`${form} select[name=kind]`, 'ministerial');
  await page.fill(`${form} input[name=date]`, '2023-06-01');
  await page.fill(`${form} input[name=host]`, 'XYZ');
  await page.fill(`${form} input[name=title]`, title);
  await page.fill(`${form} textarea[name=agenda]`, 'Labour pathways\nRegularisation');
  await submit(page, form);
  assert.match(await fieldError(page, form, 'host'), /XYZ/);
  assert.equal(await page.inputValue(`${form} input[name=title]`), title, 'the title is kept');
  assert.equal(await page.inputValue(`${form} textarea[name=agenda]`), 'Labour pathways\nRegularisation');
  await page.screenshot({ path: `${artifacts}secretariat-refused.png` });

  await page.fill(`${form} input[name=host]`, 'PER');
  await submit(page, form);
  assert.match(await page.textContent('[role=status]'), /session/i);
  const row = page.locator('#sessions table.data tbody tr', { hasText: title });
  assert.equal(await row.count(), 1, 'the session is listed');
  await Promise.all([page.waitForNavigation(), row.locator('a').click()]);
  assert.match(await page.textContent('h1'), /Ministerial on labour pathways/);
  assert.match(await page.textContent('main ol'), /Labour pathways\s*Regularisation/);

  const decide = 'form[action$="/decisions"]';
  await page.fill(`${decide} input[name=reason]`, 'Ministers add a labour mobility pillar');
  await page.fill(`${decide} input[name=add_pillar]`, 'P9=Labour mobility');
  await page.selectOption(`${decide} select[name=kind]`, 'permanent');
  await page.fill(`${decide} textarea[name=goals]`, 'Match workers to seasonal job orders');
  await submit(page, decide);
  assert.match(await page.textContent('main'), /Version \d+: .*P9.*Ministers add a labour mobility pillar/s);
  await page.screenshot({ path: `${artifacts}secretariat-session.png`, fullPage: true });
  assert.deepEqual(page.foreign, []);
  await page.context().close();
});

test('secretariat: progress that is not a number is refused, then recorded; a pledge is recorded', async () => {
  const page = await newPage();
  await logIn(page, 'e2e_analyst', 'analyst-password-1');
  await page.goto(`${base}/secretariat`);
  const progress = 'form[action="/secretariat/progress"]';
  await page.fill(`${progress} input[name=value]`, 'many');
  await page.fill(`${progress} input[name=reported_on]`, '2023-05-31');
  await page.fill(`${progress} input[name=source]`, 'Migración Colombia');
  await submit(page, progress);
  assert.match(await fieldError(page, progress, 'value'), /"many" is not a number/);
  assert.equal(await page.inputValue(`${progress} input[name=source]`), 'Migración Colombia');
  await page.fill(`${progress} input[name=value]`, '1350000');
  await submit(page, progress);
  assert.match(await page.textContent('[role=status]'), /progress/i);

  const funding = 'form[action="/secretariat/funding"]';
  await page.selectOption(`${funding} select[name=kind]`, 'pledge');
  await page.fill(`${funding} input[name=donor]`, 'USA');
  await page.fill(`${funding} input[name=recipient]`, 'World Bank GCFF');
  await page.fill(`${funding} input[name=amount]`, '25000000');
  await page.fill(`${funding} input[name=currency]`, 'USD');
  await page.fill(`${funding} input[name=date]`, '2023-06-02');
  await submit(page, funding);
  assert.match(await page.textContent('[role=status]'), /pledge/i);
  const pledge = page.locator('#funding table.data tbody tr', { hasText: 'World Bank GCFF' });
  assert.ok(await pledge.count() >= 1, 'the pledge is listed');
  assert.match(await pledge.first().textContent(), /25,000,000 USD/);
  await page.screenshot({ path: `${artifacts}secretariat.png`, fullPage: true });
  await page.context().close();
});

test('tasks: a national officer sees only their country, updates a task, and a refused update says why', async () => {
  // Confirming an event creates its playbook's tasks; confirm one if no test did yet.
  const watch = await newPage();
  await logIn(watch, 'e2e_watch', 'watch-password-1');
  await watch.goto(`${base}/tasks`);
  if (await watch.locator('section.task').count() === 0) {
    await watch.goto(`${base}/events/HTI-2021-01?as_of=2021-09`);
    await watch.check('input[name=status][value=confirmed]');
    await watch.fill('textarea[name=reason]', 'Confirmed for the task test');
    await submit(watch, 'form.decide');
    await watch.goto(`${base}/tasks`);
  }
  const every = await watch.locator('section.task').count();
  assert.ok(every >= 3, `tasks exist (${every})`);
  await watch.screenshot({ path: `${artifacts}tasks-all.png`, fullPage: true });
  await watch.context().close();

  const page = await newPage();
  await logIn(page, 'e2e_officer', 'officer-password-1');
  await Promise.all([page.waitForNavigation(), page.click('nav.main a[href="/tasks"]')]);
  assert.match(await page.textContent('p.lead'), /Tasks assigned to Panama/);
  const mine = page.locator('section.task');
  const count = await mine.count();
  assert.ok(count >= 1 && count < every, `Panama sees its own tasks only (${count} of ${every})`);
  for (const text of await mine.allTextContents()) assert.match(text, /assigned to\s*PAN/);
  assert.equal(await page.locator('section.task input[name=assignee]').count(), 0, 'a national officer cannot reassign');

  const task = mine.first();
  const id = (await task.getAttribute('id')).replace('task-', '');
  const form = `form[action="/tasks/${id}"]`;
  await page.selectOption(`${form} select[name=status]`, 'done');
  await page.fill(`${form} input[name=evidence]`, '');
  await submit(page, form);
  assert.match(await page.locator(`#task-${id} [role=alert]`).textContent(), /evidence/i);
  await page.selectOption(`${form} select[name=status]`, 'in_progress');
  await page.fill(`${form} input[name=evidence]`, 'Shelter capacity in Darién raised to 2,000 places');
  await submit(page, form);
  assert.match(await page.locator(`#task-${id}`).textContent(), /status\s*in progress/);
  assert.match(await page.locator(`#task-${id}`).textContent(), /Shelter capacity in Darién raised/);
  await page.screenshot({ path: `${artifacts}tasks-panama.png`, fullPage: true });
  assert.deepEqual(page.foreign, []);
  await page.context().close();
});

test('admin: an account with a weak password is refused and the name kept; added, it gets a token; a subscriber is added', async () => {
  const page = await newPage();
  await logIn(page, 'e2e_admin', 'admin-password-1');
  await Promise.all([page.waitForNavigation(), page.click('nav.main a[href="/admin/users"]')]);
  assert.match(await page.textContent('h1'), /Accounts/);
  const add = 'form[action="/admin/users"]';
  await page.fill(`${add} input[name=name]`, 'maria_ecu');
  await page.selectOption(`${add} select[name=role]`, 'national_officer');
  await page.fill(`${add} input[name=country]`, 'ECU');
  await page.fill(`${add} input[name=password]`, 'short');
  await submit(page, add);
  assert.match(await fieldError(page, add, 'password'), /at least 10/);
  assert.equal(await page.inputValue(`${add} input[name=name]`), 'maria_ecu');
  assert.equal(await page.inputValue(`${add} input[name=country]`), 'ECU');
  await page.screenshot({ path: `${artifacts}admin-refused.png`, fullPage: true });
  await page.fill(`${add} input[name=password]`, 'quito-andes-2023');
  await submit(page, add);
  const row = page.locator('table.data tbody tr', { hasText: 'maria_ecu' });
  assert.match(await row.textContent(), /National officer\s*ECU/);

  await row.locator('summary').click();
  await row.locator('form[action$="/tokens"] input[name=label]').fill('Ecuador upload script');
  await Promise.all([page.waitForNavigation(), row.locator('form[action$="/tokens"] button').click()]);
  const token = (await page.locator('code.token').textContent()).trim();
  assert.ok(token.length >= 32, 'the token is shown once');
  const api = await page.request.get(`${base}/api/series?reporting=ECU&limit=1`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(api.status(), 200, 'the new token reads the API');
  await page.screenshot({ path: `${artifacts}admin-users.png`, fullPage: true });

  await page.goto(`${base}/admin/subscribers`);
  const sub = 'form[action="/admin/subscribers"]';
  await page.fill(`${sub} input[name=name]`, 'Panama SNM desk');
  await page.fill(`${sub} input[name=url]`, 'ftp://example.org/hook');
  await submit(page, sub);
  assert.match(await fieldError(page, sub, 'url'), /http/i);
  assert.equal(await page.inputValue(`${sub} input[name=name]`), 'Panama SNM desk');
  await page.fill(`${sub} input[name=url]`, 'https://snm.example.org/hemi-alerts');
  await submit(page, sub);
  assert.match(await page.textContent('main'), /Panama SNM desk/);
  assert.match(await page.textContent('main'), /[Dd]elivery/);
  await page.screenshot({ path: `${artifacts}admin-subscribers.png`, fullPage: true });
  await page.context().close();
});

test('account: a wrong current password is refused; a new one works at the next login', async () => {
  const page = await newPage();
  await logIn(page, 'e2e_account', 'account-password-1');
  await page.goto(`${base}/account`);
  assert.match(await page.textContent('h1'), /Your account/);
  const form = 'form[action="/account/password"]';
  await page.fill(`${form} input[name=current_password]`, 'not my password');
  await page.fill(`${form} input[name=new_password]`, 'account-password-2');
  await submit(page, form);
  assert.match(await fieldError(page, form, 'current_password'), /[Ww]rong|not/);
  await page.fill(`${form} input[name=current_password]`, 'account-password-1');
  await page.fill(`${form} input[name=new_password]`, 'account-password-2');
  await submit(page, form);
  assert.match(await page.textContent('[role=status]'), /password/i);
  await page.screenshot({ path: `${artifacts}account.png`, fullPage: true });
  await page.context().close();

  const again = await newPage();
  await again.goto(`${base}/login`);
  await again.fill('input[name=username]', 'e2e_account');
  await again.fill('input[name=password]', 'account-password-1');
  await submit(again, 'form[action="/login"]');
  assert.match(await again.textContent('[role=alert]'), /Wrong user name or password/);
  await logIn(again, 'e2e_account', 'account-password-2');
  await again.context().close();
});
