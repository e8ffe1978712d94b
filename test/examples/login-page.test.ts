/**
 * The demo's login page in headless Chromium over real HTTP on 127.0.0.1:
 * cookie mode and CSRF protection as a browser enforces them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import express from 'express';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD, DEMO_USERNAME, SESSION_PATH, createDemoApp, type DemoApp } from '../../examples/app';
import { Clock } from '../helpers/fixtures';
import { listen, type TestServer } from '../helpers/server';
import { chromiumMissing, launchBrowser, screenshotPath, type TestBrowser } from '../helpers/browser';

const ACCESS_LIFETIME_SECONDS = 60;

/** A page of another origin (another port of 127.0.0.1: same site, so the browser sends the Lax cookies) that posts a form to the demo. */
function attackerApp(target: string): express.Express {
  const app = express();
  app.get('/:name', (req, res) => {
    const action = { 'logout-all': '/api/logout-all/', 'family-blacklist': `${SESSION_PATH}family/blacklist/` }[req.params.name] ?? '/';
    res
      .type('html')
      .send(
        `<!doctype html><form id="f" method="POST" action="${target}${action}"><input name="x" value="1"></form>` +
          '<script>document.getElementById("f").submit()</script>',
      );
  });
  return app;
}

describe('login page in a real browser (headless Chromium)', function () {
  // Starting Chromium on a busy machine takes seconds.
  this.timeout(60_000);

  let dir: string;
  let demo: DemoApp;
  let clock: Clock;
  let site: TestServer | undefined;
  let attacker: TestServer | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;

  before(async function () {
    const missing = chromiumMissing();
    if (missing) {
      console.log(`    (skipped: ${missing})`);
      this.skip();
    }
    dir = mkdtempSync(path.join(tmpdir(), 'sjwt-browser-'));
    clock = new Clock(Date.now());
    demo = await createDemoApp({
      storage: path.join(dir, 'demo.sqlite3'),
      signingKey: 'browser-test-secret-0123456789abcdef',
      now: clock.now,
      accessTokenLifetime: ACCESS_LIFETIME_SECONDS,
    });
    site = await listen(demo.app);
    attacker = await listen(attackerApp(site.url));
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });

  after(async () => {
    await browser?.close();
    await attacker?.close();
    await site?.close();
    await demo?.sequelize.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function cookies(): Promise<Record<string, string>> {
    // Every cookie of the jar (the refresh cookie's Path is the token path, not /).
    const all = await browser!.context.cookies();
    return Object.fromEntries(all.map((c) => [c.name, c.value]));
  }

  async function logIn(): Promise<void> {
    await page.goto(`${site!.url}/`);
    await page.fill('#username', DEMO_USERNAME);
    await page.fill('#password', DEMO_PASSWORD);
    await page.click('#login-button');
    await page.waitForSelector('#session:not([hidden])');
  }

  /** Clicks "Call GET /api/me/" and waits until the page is done with it (the button is disabled meanwhile). */
  async function callMe(): Promise<void> {
    await page.click('#call-me');
    await page.waitForSelector('#call-me:enabled', { state: 'attached' });
  }

  it('logs in through the form; GET /api/me/ succeeds; document.cookie holds no token', async () => {
    await logIn();
    expect(JSON.parse((await page.textContent('#me'))!)).to.include({ username: DEMO_USERNAME });
    expect(await page.textContent('#status')).to.equal(`Signed in as ${DEMO_USERNAME}.`);

    const jar = await cookies();
    expect(jar).to.have.keys('access', 'refresh', 'csrftoken');
    const visible = await page.evaluate(() => document.cookie);
    expect(visible).to.match(/^csrftoken=[\w-]+$/);
    expect(visible).to.not.include(jar.access);
    expect(visible).to.not.include(jar.refresh);
    // Nor did the login response hand the script a token.
    expect(await page.evaluate(() => document.body.innerHTML)).to.not.include(jar.access);
    await page.screenshot({ path: screenshotPath('1-logged-in') });
  });

  it('an expired access token is refreshed without a visible failure', async () => {
    const before = await cookies();
    clock.advance(ACCESS_LIFETIME_SECONDS + 1);
    await callMe();
    expect(await page.textContent('#status')).to.equal(`Signed in as ${DEMO_USERNAME}.`);
    expect(await page.textContent('#refreshes')).to.equal('1');
    expect(await page.textContent('#error')).to.equal('');
    const after = await cookies();
    expect(after.access).to.not.equal(before.access);
    // Rotation replaced the refresh cookie too.
    expect(after.refresh).to.not.equal(before.refresh);
    await page.screenshot({ path: screenshotPath('2-refreshed') });
  });

  it('a cross-site form post from another origin is refused with 403 and changes nothing', async () => {
    const before = await cookies();
    for (const target of ['logout-all', 'family-blacklist']) {
      const answer = page.waitForResponse((res) => res.request().method() === 'POST' && res.url().startsWith(site!.url));
      await page.goto(`${attacker!.url}/${target}`);
      const res = await answer;
      expect(res.status(), target).to.equal(403);
      expect(await res.json()).to.deep.equal({
        detail: `CSRF Failed: Origin checking failed - ${attacker!.url} does not match any trusted origins.`,
        code: 'csrf_failed',
      });
      // The browser did send the session cookies (same site): only the CSRF check stood in the way.
      expect(await res.request().headerValue('cookie')).to.include('access=');
    }
    await page.screenshot({ path: screenshotPath('3-cross-site-refused') });

    // Nothing changed: same cookies, the session still works, the family still refreshes.
    expect(await cookies()).to.deep.equal(before);
    await page.goto(`${site!.url}/`);
    await page.waitForSelector('#session:not([hidden])');
    clock.advance(ACCESS_LIFETIME_SECONDS + 1);
    await callMe();
    expect(await page.textContent('#status')).to.equal(`Signed in as ${DEMO_USERNAME}.`);
  });

  it('logout clears the cookies', async () => {
    await page.click('#logout');
    await page.waitForSelector('#login:not([hidden])');
    expect(await cookies()).to.deep.equal({});
    expect(await page.evaluate(() => document.cookie)).to.equal('');
    const me = await page.evaluate(async () => (await fetch('/api/me/')).status);
    expect(me).to.equal(401);
    await page.screenshot({ path: screenshotPath('4-logged-out') });
  });

  it('a reused refresh cookie kills the family', async () => {
    await logIn();
    const stolen = (await cookies()).refresh;
    clock.advance(ACCESS_LIFETIME_SECONDS + 1);
    await callMe(); // rotates: `stolen` is now blacklisted
    const current = (await cookies()).refresh;
    expect(current).to.not.equal(stolen);

    // Someone replays the old refresh token.
    await browser!.context.addCookies([{ name: 'refresh', value: stolen, url: `${site!.url}${SESSION_PATH}`, httpOnly: true, sameSite: 'Lax' }]);
    clock.advance(ACCESS_LIFETIME_SECONDS + 1);
    await callMe();
    expect(await page.textContent('#status')).to.equal('Signed out: the session has ended');
    expect(await page.textContent('#log')).to.include('refresh refused: 401 Token is blacklisted');

    // The legitimate latest refresh token died with its family.
    await browser!.context.addCookies([{ name: 'refresh', value: current, url: `${site!.url}${SESSION_PATH}`, httpOnly: true, sameSite: 'Lax' }]);
    const status = await page.evaluate(async (path) => {
      const csrf = /csrftoken=([^;]*)/.exec(document.cookie)?.[1] ?? '';
      const res = await fetch(`${path}refresh/`, { method: 'POST', headers: { 'X-CSRFToken': csrf } });
      return { status: res.status, body: await res.json() };
    }, SESSION_PATH);
    expect(status).to.deep.equal({ status: 401, body: { detail: 'Token family is blacklisted', code: 'token_not_valid' } });
    await page.screenshot({ path: screenshotPath('5-family-killed') });
  });
});
