// Browser tests of allocation: the public page of the demo's draw and its verification,
// and a placement coordinator overriding one household with a reason.
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

test('draws: the public page shows the commitment, the seed and how to verify; verification passes', async () => {
  const page = await newPage();
  await page.goto(`${base}/draws`);
  await page.screenshot({ path: `${artifacts}draws.png` });
  await Promise.all([page.waitForNavigation(), page.click('table.data tbody tr:first-child a')]);
  assert.match(new URL(page.url()).pathname, /^\/draws\/\d+$/);
  assert.match(await page.textContent('#commitment'), /^[0-9a-f]{64}$/);
  assert.match(await page.textContent('#seed'), /^[0-9a-f]{64}$/);
  assert.match(await page.textContent('main'), /hemi appointments verify \d+/);
  assert.ok(await page.locator('table.data tbody tr').count() > 3, 'results by band and nationality');
  await page.screenshot({ path: `${artifacts}draw.png`, fullPage: true });
  await Promise.all([page.waitForNavigation(), page.click('#verify-link')]);
  assert.match(await page.textContent('#outcome'), /^Verified: /);
  await page.screenshot({ path: `${artifacts}draw-verification.png` });
  await page.context().close();
});

test('placement: a coordinator explains a household and overrides it with a reason', async () => {
  const page = await newPage();
  await page.goto(`${base}/login`);
  await page.fill('input[name=username]', 'e2e_placement');
  await page.fill('input[name=password]', 'placement-password-1');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  await page.goto(`${base}/placement`);
  assert.match(await page.textContent('#plan-summary'), /upper bound/);
  // Find a household with an alternative that has room.
  let moved = null;
  for (let k = 0; k < 40 && !moved; k++) {
    const id = `H${String(k).padStart(6, '0')}`;
    await page.fill('input[name=household]', id);
    await Promise.all([page.waitForNavigation(), page.click('form:has(input[name=household]) button')]);
    const rows = await page.locator('#alternatives tbody tr').all();
    for (const row of rows) {
      const cells = await row.locator('td').allTextContents();
      if (cells[4].trim() === '0') { moved = { id, site: cells[0].trim() }; break; }
    }
  }
  assert.ok(moved, 'some household has an alternative with room');
  await page.screenshot({ path: `${artifacts}placement-explain.png`, fullPage: true });
  // Without a reason the form comes back with the site kept.
  await page.fill('#f-site_id', moved.site);
  await page.$eval('#f-reason', (e) => e.removeAttribute('required'));
  await Promise.all([page.waitForNavigation(), page.click('#override button')]);
  assert.match(await page.textContent('main'), /an override needs a reason/);
  assert.equal(await page.inputValue('#f-site_id'), moved.site);
  await page.screenshot({ path: `${artifacts}placement-override-error.png` });
  await page.fill('#f-reason', 'joins an uncle already there');
  await Promise.all([page.waitForNavigation(), page.click('#override button')]);
  assert.match(await page.textContent('[role=status]'), new RegExp(`household ${moved.id} moved .* to ${moved.site}`));
  assert.match(await page.textContent('#explanation'), new RegExp(`is at ${moved.site}`));
  assert.match(await page.textContent('#plan-summary'), /joins an uncle already there/);
  await page.screenshot({ path: `${artifacts}placement-override.png`, fullPage: true });
  await page.context().close();
});
