// Browser tests of the Hemisphere web app: login, series explorer, a failing upload,
// the public portal and the watch board. Screenshots go to e2e/artifacts/ for a human to look at.
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
  // Nothing may come from anywhere but the app itself.
  const foreign = [];
  page.on('request', (r) => { if (!r.url().startsWith(base)) foreign.push(r.url()); });
  page.foreign = foreign;
  return page;
}

async function logIn(page, user, password) {
  await page.goto(`${base}/login`);
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

test('login: a protected page sends you to log in, a wrong password is told, the right one lets you in', async () => {
  const page = await newPage();
  await page.goto(`${base}/explorer`);
  assert.match(page.url(), /\/login\?next=%2Fexplorer$/);
  await page.fill('input[name=username]', 'e2e_analyst');
  await page.fill('input[name=password]', 'not the password');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.match(await page.textContent('[role=alert]'), /Wrong user name or password/);
  await page.screenshot({ path: `${artifacts}login-error.png` });
  await page.fill('input[name=password]', 'analyst-password-1');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.equal(new URL(page.url()).pathname, '/explorer');
  assert.match(await page.textContent('header .who'), /e2e_analyst · Secretariat/);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'hemi_session');
  assert.ok(session.httpOnly, 'session cookie is HttpOnly');
  assert.equal(session.sameSite, 'Lax');
  assert.deepEqual(page.foreign, []);
  await page.context().close();
});

test('series explorer: Haitians through the Darién, chart and table', async () => {
  const page = await newPage();
  await logIn(page, 'e2e_analyst', 'analyst-password-1');
  await page.goto(`${base}/explorer`);
  await page.selectOption('select[name=reporting]', 'PAN');
  await page.selectOption('select[name=nationality]', 'HTI');
  await page.fill('input[name=from]', '2021-01');
  await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
  assert.match(await page.textContent('h2'), /Panama: Haiti nationals/);
  assert.equal(await page.locator('figure.chart svg polyline').count(), 1);
  assert.ok((await page.locator('figure.chart svg text').allTextContents()).includes('2022'), 'x axis labels years');
  const rows = await page.locator('table.data tbody tr').count();
  assert.ok(rows >= 30, `a row per month since 2021 (${rows})`);
  assert.ok((await page.locator('select[name=vintage] option').allTextContents()).includes('Vintage 1'));
  await page.screenshot({ path: `${artifacts}explorer.png`, fullPage: false });
  await page.screenshot({ path: `${artifacts}explorer-full.png`, fullPage: true });
  await page.context().close();
});

test('import: a file with errors is refused and every problem is shown', async () => {
  const page = await newPage();
  await logIn(page, 'e2e_officer', 'officer-password-1');
  await page.goto(`${base}/import`);
  assert.match(await page.textContent('main'), /Panama \(PAN\)/);
  const csv = 'period,nationality,count\n2024-01,HTI,120\n2024-01,VEN,many\n2024-13,CUB,4\n';
  await page.setInputFiles('input[type=file]', {
    name: 'panama_darien_transits_by_nationality.csv', mimeType: 'text/csv', buffer: Buffer.from(csv),
  });
  await Promise.all([page.waitForNavigation(), page.click('form[action="/import"] button[type=submit]')]);
  assert.match(await page.textContent('h1'), /problems found/);
  const problems = await page.locator('ul.problems li').allTextContents();
  assert.ok(problems.some((p) => p.startsWith('panama_darien_transits_by_nationality.csv:3: count:')), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('panama_darien_transits_by_nationality.csv:4: period:')), problems.join('\n'));
  assert.ok(problems.every((p) => p.includes(' — ')), 'every problem has a hint');
  assert.equal(await page.locator('form[action="/import/commit"]').count(), 0, 'nothing to commit');
  await page.screenshot({ path: `${artifacts}import-errors.png` });
  await page.context().close();
});

test('public portal: anonymous, monthly flows protected by the cell-key method', async () => {
  const page = await newPage();
  await page.goto(`${base}/`);
  await page.screenshot({ path: `${artifacts}home.png` });
  await Promise.all([page.waitForNavigation(), page.click('nav.main a[href="/portal"]')]);
  await page.selectOption('select[name=reporting]', 'HND');
  await page.selectOption('select[name=year]', '2023');
  await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
  assert.match(await page.textContent('h2'), /Honduras/);
  const header = await page.locator('table.data thead th').allTextContents();
  assert.deepEqual(header.slice(0, 4), ['Nationality', 'Jan', 'Feb', 'Mar']);
  // Cell-key perturbation: no suppression marks; counts 1 and 2 never appear; the rule is printed.
  assert.equal(await page.locator('td.suppressed').count(), 0);
  const cells = (await page.locator('table.data tbody td.num').allTextContents()).map((t) => Number(t.replace(/[^0-9]/g, '')));
  assert.ok(cells.length > 20 && cells.every((c) => c === 0 || c > 2), cells.join(' '));
  assert.match(await page.textContent('main'), /Counts are protected/);
  assert.match(await page.textContent('header .who'), /Log in/);
  assert.deepEqual(page.foreign, []);
  await page.screenshot({ path: `${artifacts}portal.png` });
  await page.context().close();
});

test('watch board: the Haitian event of 2021, its page, and a confirmation with a reason', async () => {
  const page = await newPage();
  await logIn(page, 'e2e_watch', 'watch-password-1');
  await page.goto(`${base}/`);
  await Promise.all([page.waitForNavigation(), page.click('nav.main a[href="/watch"]')]);
  await page.fill('input[name=as_of]', '2021-09');
  await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
  const link = page.locator('table.board a[href^="/events/HTI-2021-01"]');
  assert.equal(await link.count(), 1, 'HTI-2021-01 is on the board');
  assert.ok(await page.locator('table.board svg.sparkline').count() >= 1, 'rows have sparklines');
  await page.screenshot({ path: `${artifacts}watch-board.png`, fullPage: true });
  await Promise.all([page.waitForNavigation(), link.click()]);
  assert.match(await page.textContent('h1'), /Event HTI-2021-01: Haiti nationals/);
  assert.match(await page.textContent('table.roles'), /Brazil \(BRA\)\s*sending/);
  assert.ok(await page.locator('figure.chart svg polyline').count() >= 2, 'upstream and downstream lines');
  await page.check('input[name=status][value=confirmed]');
  await page.fill('textarea[name=reason]', 'Darién and US figures rise together; confirmed in the weekly call');
  await Promise.all([page.waitForNavigation(), page.click('form.decide button[type=submit]')]);
  assert.match(new URL(page.url()).pathname, /^\/events\/HTI-2021-01$/);
  assert.match(await page.textContent('p.lead'), /confirmed/);
  assert.match(await page.textContent('main'), /detected → confirmed\s*e2e_watch\s*Darién and US figures rise together/);
  // Confirming created the Haitian-2021 playbook's tasks, listed on the event page.
  assert.ok(await page.locator('table.tasks tbody tr').count() >= 3, 'response tasks listed');
  assert.deepEqual(page.foreign, []);
  await page.screenshot({ path: `${artifacts}event.png`, fullPage: true });
  await page.context().close();
});

test('burden sharing: anonymous, Venezuelans hosted per 1,000 inhabitants, chart, table, map and sources', async () => {
  const page = await newPage();
  await page.goto(`${base}/`);
  await Promise.all([page.waitForNavigation(), page.click('nav.main a[href="/indicators"]')]);
  assert.match(await page.textContent('h1'), /Burden sharing/);
  await page.fill('input[name=origin]', 'VEN');
  await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
  assert.match(await page.textContent('main h2'), /People born in Bolivarian Republic of Venezuela per 1,000 inhabitants, 2024/);
  assert.ok(await page.locator('figure.chart svg rect').count() >= 10, 'a bar per ranked country');
  const colombia = page.locator('table.data tbody tr', { hasText: 'Colombia (COL)' });
  // UN DESA counts 2,904,873 Venezuelan-born people in Colombia; the public sees that one
  // cell with cell-key noise of at most 5 people.
  const hosted = Number((await colombia.locator('td.num').nth(1).textContent()).replace(/,/g, ''));
  assert.ok(Math.abs(hosted - 2904873) <= 5, `Colombia hosts ${hosted}`);
  assert.match(await page.textContent('main'), /Counts are protected/);
  assert.equal(await page.locator('figure.map svg path[data-iso3=COL]').count(), 1);
  assert.match(await page.textContent('main'), /World Bank/);
  assert.match(await page.textContent('main'), /UN DESA International Migrant Stock/);
  assert.match(await page.textContent('header .who'), /Log in/);
  assert.deepEqual(page.foreign, []);
  await page.screenshot({ path: `${artifacts}indicators.png`, fullPage: true });
  await page.selectOption('select[name=measure]', 'unhcr');
  await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
  assert.match(await page.textContent('main'), /other people in need of international protection/);
  await page.screenshot({ path: `${artifacts}indicators-unhcr.png`, fullPage: true });
  await page.context().close();
});

test('L.A. Process: anonymous, the declaration as signed and commitments; staff read the quarterly report', async () => {
  const page = await newPage();
  await page.goto(`${base}/`);
  await Promise.all([page.waitForNavigation(), page.click('nav.main a[href="/governance"]')]);
  assert.match(await page.textContent('h1'), /L\.A\. Process/);
  assert.equal(await page.locator('section.pillar').count(), 4, 'four pillars as signed');
  assert.match(await page.textContent('main'), /Signatories \(20\)/);
  assert.match(await page.textContent('main'), /Regularisation permits to Venezuelan migrants and refugees/);
  await page.screenshot({ path: `${artifacts}governance.png`, fullPage: true });
  // The quarterly report is for staff: anonymous visitors are sent to log in.
  await page.goto(`${base}/reports/2021Q3`);
  assert.match(new URL(page.url()).pathname, /^\/login/);
  await logIn(page, 'e2e_watch', 'watch-password-1');
  await page.goto(`${base}/reports/2021Q3`);
  assert.match(await page.textContent('h1'), /Quarterly report 2021Q3/);
  assert.match(await page.textContent('body'), /Haiti \(HTI\): event HTI-2021-/);
  assert.ok(await page.locator('figure.chart svg polyline').count() >= 2, 'corridor charts drawn');
  assert.deepEqual(page.foreign, []);
  await page.screenshot({ path: `${artifacts}report-2021Q3.png`, fullPage: true });
  await page.context().close();
});
