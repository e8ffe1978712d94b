/**
 * "Your sessions" on the demo's page, in two headless Chromium browsers (two
 * devices of one user) over real HTTP on 127.0.0.1, in cookie mode: log in on
 * both, see two sessions, log the other out, its next refresh fails, this one
 * keeps working.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { QueryTypes } from 'sequelize';
import { DEMO_PASSWORD, DEMO_USERNAME, SESSION_PATH, createDemoApp, type DemoApp } from '../../examples/app';
import { Clock } from '../helpers/fixtures';
import { listen, type TestServer } from '../helpers/server';
import { chromiumMissing, launchBrowser, screenshotPath, type TestBrowser } from '../helpers/browser';

const ACCESS_LIFETIME_SECONDS = 60;

describe('"your sessions" on the login page, two devices (headless Chromium)', function () {
  // Two Chromium processes on a busy machine take seconds to start.
  this.timeout(90_000);

  let dir: string;
  let demo: DemoApp;
  let clock: Clock;
  let site: TestServer | undefined;
  const browsers: TestBrowser[] = [];
  let here: Page;
  let other: Page;

  before(async function () {
    const missing = chromiumMissing();
    if (missing) {
      console.log(`    (skipped: ${missing})`);
      this.skip();
    }
    dir = mkdtempSync(path.join(tmpdir(), 'sjwt-sessions-'));
    clock = new Clock(Date.now());
    demo = await createDemoApp({
      storage: path.join(dir, 'demo.sqlite3'),
      signingKey: 'sessions-test-secret-0123456789abcdef',
      now: clock.now,
      accessTokenLifetime: ACCESS_LIFETIME_SECONDS,
    });
    site = await listen(demo.app);
    for (let i = 0; i < 2; i++) browsers.push(await launchBrowser());
    here = await browsers[0].context.newPage();
    other = await browsers[1].context.newPage();
  });

  after(async () => {
    for (const browser of browsers) await browser.close();
    await site?.close();
    await demo?.sequelize.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function logIn(page: Page): Promise<void> {
    await page.goto(`${site!.url}/`);
    await page.fill('#username', DEMO_USERNAME);
    await page.fill('#password', DEMO_PASSWORD);
    await page.click('#login-button');
    await page.waitForSelector('#sessions-box:not([hidden])');
  }

  /** Reloads the page's list and waits for it. */
  async function reloadList(page: Page): Promise<void> {
    const before = await page.getAttribute('#sessions-box', 'data-loaded');
    await page.click('#load-sessions');
    await page.waitForFunction((stamp) => document.getElementById('sessions-box')!.dataset.loaded !== stamp, before);
  }

  /** A refresh in cookie mode from the page (the refresh cookie, the CSRF header): its status and body. */
  function refreshFrom(page: Page): Promise<{ status: number; body: unknown }> {
    return page.evaluate(async (sessionPath) => {
      const csrf = /csrftoken=([^;]*)/.exec(document.cookie)?.[1] ?? '';
      const res = await fetch(`${sessionPath}refresh/`, { method: 'POST', headers: { 'X-CSRFToken': decodeURIComponent(csrf) } });
      return { status: res.status, body: await res.json() };
    }, SESSION_PATH);
  }

  it('logs in on both devices: each page lists two sessions, its own marked "this device"', async () => {
    await logIn(other);
    await logIn(here);
    expect(await here.locator('#sessions li').count()).to.equal(2);
    expect(await here.locator('#sessions li .current').count()).to.equal(1);
    expect(await here.locator('#sessions li .logout-session').count()).to.equal(1);
    await reloadList(other);
    expect(await other.locator('#sessions li').count()).to.equal(2);
    const ownOnOther = await other.locator('#sessions li:has(.current)').getAttribute('data-id');
    const ownHere = await here.locator('#sessions li:has(.current)').getAttribute('data-id');
    expect(ownOnOther).to.be.a('string').and.not.equal(ownHere);
    // The demo keeps only hashes of refresh tokens (outstandingTokenStorage: 'hash').
    const rows = await demo.sequelize.query<{ token: string }>('SELECT token FROM token_blacklist_outstandingtoken', { type: QueryTypes.SELECT });
    expect(rows.length).to.equal(2);
    for (const row of rows) expect(row.token).to.match(/^sha256:[0-9a-f]{64}$/);
    await here.screenshot({ path: screenshotPath('sessions-1-two-devices') });
  });

  it('logs the other device out: its next refresh fails, this one keeps working', async () => {
    const otherId = await here.locator('#sessions li:not(:has(.current))').getAttribute('data-id');
    const deleted = here.waitForResponse((res) => res.request().method() === 'DELETE');
    await here.click('#sessions li .logout-session');
    expect((await deleted).status()).to.equal(204);
    await here.waitForFunction(() => document.querySelectorAll('#sessions li').length === 1);
    expect(await here.locator('#sessions li .current').count()).to.equal(1);
    expect(await here.locator(`#sessions li[data-id="${otherId}"]`).count()).to.equal(0);
    await here.screenshot({ path: screenshotPath('sessions-2-other-logged-out') });

    // The other device: its refresh token's family is blacklisted.
    expect(await refreshFrom(other)).to.deep.equal({ status: 401, body: { detail: 'Token family is blacklisted', code: 'token_not_valid' } });
    clock.advance(ACCESS_LIFETIME_SECONDS + 1);
    await other.click('#call-me');
    await other.waitForSelector('#login:not([hidden])');
    expect(await other.textContent('#status')).to.equal('Signed out: the session has ended');

    // This device: refreshes and keeps its session.
    await here.click('#call-me');
    await here.waitForSelector('#call-me:enabled', { state: 'attached' });
    expect(await here.textContent('#status')).to.equal(`Signed in as ${DEMO_USERNAME}.`);
    expect(await here.textContent('#log')).to.include('access token expired: refreshed it');
    expect((await refreshFrom(here)).status).to.equal(200);
  });

  it('a DELETE without the CSRF header is refused with 403 and logs nobody out', async () => {
    await logIn(other);
    await reloadList(here);
    const otherId = await here.locator('#sessions li:not(:has(.current))').getAttribute('data-id');
    const status = await here.evaluate(async (url) => (await fetch(url, { method: 'DELETE' })).status, `/api/sessions/${otherId}/`);
    expect(status).to.equal(403);
    expect((await refreshFrom(other)).status).to.equal(200);
  });
});
