// Browser tests of the pathways pages: the public catalogue, an application from intake
// to referral by a Safe Mobility Office officer, and a referral refused at the cap.
// run.sh serves a catalogue with the test program e2e-last-place (one place).
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
  return context.newPage();
}

async function logIn(page, user, password) {
  await page.goto(`${base}/login`);
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(`${selector} button[type=submit]`)]);
}

async function intake(page, given, dob) {
  await page.goto(`${base}/pathways/queue`);
  await page.fill('input[name=location]', 'COL');
  await page.fill('input[name=given_names_0]', given);
  await page.fill('input[name=family_names_0]', 'Testa');
  await page.fill('input[name=date_of_birth_0]', dob);
  await page.fill('input[name=sex_0]', 'female');
  await page.fill('input[name=nationality_0]', 'HTI');
  await submit(page, 'form[action="/pathways/applications"]');
  assert.match(new URL(page.url()).pathname, /^\/pathways\/applications\/SMO-COL-BOG-/);
  return decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
}

async function screen(page, facts) {
  await page.fill('#screening-form textarea[name=facts]', facts);
  await submit(page, '#screening-form');
  assert.match(await page.textContent('[role=status]'), /Interview of .* recorded/);
}

async function refer(page, program) {
  await page.selectOption('#referral-form select[name=program]', program);
  await submit(page, '#referral-form');
}

test('public catalogue: who can apply where and the places left', async () => {
  const page = await newPage();
  await page.goto(`${base}/pathways`);
  assert.match(await page.textContent('h1'), /Legal pathways/);
  const rows = await page.locator('table.data.pathways tbody tr').count();
  assert.ok(rows >= 20, `a row per program (${rows})`);
  assert.match(await page.textContent('#program-e2e-last-place'), /Colombia/);
  await page.screenshot({ path: `${artifacts}pathways-catalogue.png`, fullPage: false });
  await page.context().close();
});

test('an application from intake to referral, then a referral refused at the cap', async () => {
  const page = await newPage();
  await logIn(page, 'e2e_pathways', 'pathways-password-1');
  await page.goto(`${base}/pathways/queue`);
  assert.match(await page.textContent('.lead'), /SMO-COL-BOG/);
  await page.screenshot({ path: `${artifacts}pathways-queue.png`, fullPage: true });

  // A nationality that is not a code is refused beside its field; what was typed stays.
  await page.fill('input[name=location]', 'COL');
  await page.fill('input[name=given_names_0]', 'Rose');
  await page.fill('input[name=date_of_birth_0]', '1990-02-21');
  await page.fill('input[name=nationality_0]', 'Haiti');
  await submit(page, 'form[action="/pathways/applications"]');
  assert.match(await page.textContent('#f-nationality_0-error'), /ISO3/);
  assert.equal(await page.inputValue('input[name=given_names_0]'), 'Rose');
  await page.screenshot({ path: `${artifacts}pathways-intake-error.png`, fullPage: false });

  const first = await intake(page, 'Rose', '1990-02-21');
  // Before the interview the passport is unknown.
  assert.match(await page.textContent('tr[data-program=e2e-last-place]'), /needs information/);
  await screen(page, 'documents=passport');
  assert.match(await page.textContent('tr[data-program=e2e-last-place]'), /eligible/);
  await page.screenshot({ path: `${artifacts}pathways-application.png`, fullPage: true });
  await refer(page, 'e2e-last-place');
  assert.match(await page.textContent('[role=status]'), /place is reserved/);
  assert.match(await page.textContent('.referrals'), /pending/);
  await page.screenshot({ path: `${artifacts}pathways-referred.png`, fullPage: true });

  // A second person, eligible too, meets the cap: refused, nothing recorded.
  const second = await intake(page, 'Lise', '1993-05-06');
  assert.notEqual(first, second);
  await screen(page, 'documents=passport');
  await refer(page, 'e2e-last-place');
  assert.match(await page.textContent('#referral-form [role=alert]'), /0 places left|is full/);
  assert.match(await page.textContent('.referrals'), /No referral yet/);
  await page.screenshot({ path: `${artifacts}pathways-cap-refused.png`, fullPage: true });

  await page.goto(`${base}/pathways`);
  assert.match(await page.textContent('#program-e2e-last-place .remaining'), /^\s*0\s*$/);
  await page.context().close();
});
