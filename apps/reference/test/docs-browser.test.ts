import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { createApiChannel } from '@nexus/channel-api';
import type { Nexus } from '@nexus/core';
import { silentLogger } from '@nexus/core';
import { createReferenceApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { mint, newSecret } from './support/tokens.js';

/** Debian's chromium, as .ci/run installs it; playwright-core brings no browser of its own. */
const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
// Under CI a missing browser is a failure, not a skip.
const describeWithChromium = available || process.env.CI ? describe : describe.skip;
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '__artifacts__');

describeWithChromium('GET /docs in headless Chromium', () => {
  const secret = newSecret();
  let app: Nexus;
  let base: string;
  let browser: Browser;
  let page: Page;
  const requests: { url: string; authorization: string | undefined }[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    expect(available).toBe(true);
    app = (await createReferenceApp(loadConfig({ NEXUS_JWT_SECRET: secret, NEXUS_API_PORT: '0', NEXUS_AUDIT_FILE: join(tmpdir(), `nexus-docs-audit-${process.pid}.log`) }), { logger: silentLogger })).app;
    const api = createApiChannel({ port: 0 });
    app.addChannel(api);
    await app.start();
    base = `http://127.0.0.1:${api.address()!.port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    page.on('request', (request) => requests.push({ url: request.url(), authorization: request.headers().authorization }));
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const paths = () => page.locator('.opblock-summary-path').allInnerTexts();

  it('shows the public surface before a token is entered', async () => {
    await page.goto(`${base}/docs`);
    await page.locator('.opblock-summary-path').first().waitFor();
    await expect(page.locator('#nexus-token-state').innerText()).resolves.toMatch(/No token/);
    const shown = (await paths()).map((path) => path.replace(/\u200b/g, ''));
    expect(shown).toContain('/health');
    // The reference app has no public operation: none is listed to an anonymous reader.
    expect(shown.filter((path) => path.endsWith('/execute'))).toEqual([]);
  }, 60_000);

  it('refetches with a token and lists what that caller may call', async () => {
    const token = mint(secret, 'docs-reader', ['developer'], 'acme');
    await page.locator('#nexus-token-value').fill(token);
    await page.locator('#nexus-token button[type=submit]').click();
    await page.locator('.opblock-summary-path[data-path="/workflows/echo/execute"]').waitFor();
    const shown = (await paths()).map((path) => path.replace(/\u200b/g, ''));
    expect(shown).toEqual(expect.arrayContaining(['/workflows/echo/execute', '/workflows/customer_upsert/execute', '/workflows/gdpr_export_user_data/execute']));
    // A developer may not delete personal data, so the reference does not offer it.
    expect(shown).not.toContain('/workflows/gdpr_delete_user_data/execute');
    const documentFetch = requests.filter((request) => request.url === `${base}/openapi.json`).at(-1);
    expect(documentFetch?.authorization).toBe(`Bearer ${token}`);
  }, 60_000);

  it('"Try it out" executes echo with the bearer token', async () => {
    const echo = page.locator('#operations-handlers-execute_echo');
    await echo.locator('.opblock-summary').click();
    await echo.locator('button.try-out__btn').click();
    await echo.locator('textarea.body-param__text').fill('{"inputs": {"message": "hello from chromium"}}');
    await echo.locator('button.execute').click();
    const body = echo.locator('.live-responses-table .response-col_description pre.microlight').first();
    await body.waitFor();
    await expect(body.innerText()).resolves.toContain('hello from chromium');
    await expect(echo.locator('.live-responses-table .response .response-col_status').first().innerText()).resolves.toContain('200');
    const call = requests.filter((request) => request.url === `${base}/workflows/echo/execute`).at(-1);
    expect(call?.authorization).toMatch(/^Bearer ey/);
    mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = join(ARTIFACTS, 'docs-try-it-echo.png');
    await echo.locator('.live-responses-table').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshot });
    process.stdout.write(`/docs screenshot: ${screenshot}\n`);
  }, 60_000);

  it('loads nothing from another origin and breaks no content-security rule', () => {
    expect(requests.filter((request) => !request.url.startsWith(base))).toEqual([]);
    expect(problems).toEqual([]);
  });
});
