// Browser tests of the registry: a registration officer registers a person and, later,
// a doubtful second record of the same man; a caseworker resolves the pair in the review
// queue; the officer moves a permit along its lifecycle and an out-of-order move is
// refused. Screenshots go to e2e/artifacts/.
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

async function register(page, fields) {
  await page.goto(`${base}/registry`);
  for (const [name, value] of Object.entries(fields)) await page.fill(`#register input[name=${name}]`, value);
  await Promise.all([page.waitForNavigation(), page.click('#register button[type=submit]')]);
}

const yolanda = {
  given_name: 'Yolanda', second_given_name: 'Beatriz', first_surname: 'Quispe', second_surname: 'Mamani',
  sex: 'F', date_of_birth: '1979-03-08', nationality: 'VEN', document_type: 'passport',
  document_number: '184402917', phone: '+57 310 444 1212', municipality: 'Cúcuta',
};

test('registry: register, a doubtful duplicate goes to review, the caseworker merges it, a permit moves', async () => {
  const page = await newPage();
  await logIn(page, 'e2e_registrar', 'registrar-password-1');

  // Bad input keeps what was typed and names the field.
  await register(page, { ...yolanda, date_of_birth: '1979-02-30', nationality: 'VXN' });
  assert.match(await page.textContent('#register'), /not an ISO 3166-1 alpha-3 code/);
  assert.equal(await page.inputValue('#register input[name=first_surname]'), 'Quispe');
  assert.equal(await page.getAttribute('#f-nationality', 'aria-invalid'), 'true');
  await page.screenshot({ path: `${artifacts}registry-register-error.png`, fullPage: true });

  await register(page, yolanda);
  assert.match(page.url(), /\/registry\/persons\/P-[0-9a-f]+/);
  assert.match(await page.textContent('[role=status]'), /a new person/);
  const first = new URL(page.url()).pathname.split('/').pop();

  // A permit: pre-register, then an allowed move.
  await Promise.all([page.waitForNavigation(), page.click('#permits form:last-of-type button[type=submit]')]);
  assert.match(await page.textContent('[role=status]'), /pre-registered/);
  assert.match(await page.textContent('#permits article h3'), /pre registered/);
  await page.selectOption('#permits article select[name=to]', 'biometrics_taken');
  await Promise.all([page.waitForNavigation(), page.click('#permits article button[type=submit]')]);
  assert.match(await page.textContent('#permits article h3'), /biometrics taken/);
  await page.screenshot({ path: `${artifacts}registry-person.png`, fullPage: true });

  // Denying without a reason is refused, the permit stays where it was.
  await page.selectOption('#permits article select[name=to]', 'denied');
  await Promise.all([page.waitForNavigation(), page.click('#permits article button[type=submit]')]);
  assert.match(await page.textContent('#permits article'), /reason/);
  assert.match(await page.textContent('#permits article h3'), /biometrics taken/);

  // Another record with her surnames and date of birth, another given name, no document
  // or phone: her twin, or her under another name? A caseworker decides.
  await register(page, { ...yolanda, given_name: 'Marisol', second_given_name: '', document_type: '', document_number: '', phone: '' });
  const second = new URL(page.url()).pathname.split('/').pop();
  const outcome = await page.textContent('[role=status]');
  assert.match(outcome, /review queue/, outcome);

  // Fuzzy search finds both records.
  await page.goto(`${base}/registry?query=${encodeURIComponent('Yolanda Kispe')}`);
  const found = await page.locator('#search table tbody tr').allTextContents();
  assert.ok(found.some((r) => r.includes(first)), found.join('\n'));
  await page.screenshot({ path: `${artifacts}registry-search.png`, fullPage: true });
  await page.context().close();

  {
    const caseworker = await newPage();
    await logIn(caseworker, 'e2e_caseworker', 'caseworker-password-1');
    await caseworker.goto(`${base}/registry/review`);
    const item = caseworker.locator('section.review', { hasText: second });
    assert.equal(await item.count(), 1);
    assert.ok(await item.locator('table.explanation tbody tr').count() >= 4, 'field-by-field weights');
    await caseworker.screenshot({ path: `${artifacts}registry-review.png`, fullPage: true });
    await item.locator('input[name=reason]').fill('same passport photo');
    await Promise.all([caseworker.waitForNavigation(), item.locator('button[value=same_person]').click()]);
    assert.match(await caseworker.textContent('[role=status]'), /same person/);
    assert.equal(await caseworker.locator('section.review', { hasText: second }).count(), 0);
    // A caseworker reads the merged record.
    await caseworker.goto(`${base}/registry/persons/${second}`);
    assert.match(await caseworker.textContent('main'), new RegExp(`person ${first}`));
    await caseworker.context().close();
  }
});

test('registry: other roles are kept out', async () => {
  const page = await newPage();
  await logIn(page, 'e2e_watch', 'watch-password-1');
  const response = await page.goto(`${base}/registry`);
  assert.equal(response.status(), 403);
  assert.equal(await page.locator('nav a[href="/registry"]').count(), 0);
  await page.context().close();
});
