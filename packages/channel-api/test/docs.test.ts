import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Nexus } from '@nexus/core';
import { createTestApp } from './fixtures.js';
import { startApi } from './http-driver.js';

let app: Nexus;
let base: string;

beforeAll(async () => {
  app = createTestApp({ auth: true });
  ({ base } = await startApi(app));
});
afterAll(() => app.stop());

describe('GET /docs', () => {
  it('serves the reference page under a strict content security policy, with no inline script', async () => {
    const response = await fetch(`${base}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
    const html = await response.text();
    expect(html).not.toMatch(/<script>|<script [^>]*>[^<]+<\/script>/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('docs/assets/swagger-ui-bundle.js');
  });

  it.each([
    ['swagger-ui-bundle.js', /^text\/javascript/],
    ['swagger-ui.css', /^text\/css/],
    ['nexus-docs.js', /^text\/javascript/],
    ['favicon-32x32.png', /^image\/png/],
  ])('serves its asset %s from this process', async (name, type) => {
    const response = await fetch(`${base}/docs/assets/${name}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(type);
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(100);
  });

  it('answers 404 for anything else under /docs/assets and 405 for other methods', async () => {
    expect((await fetch(`${base}/docs/assets/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${base}/docs/assets/index.html`)).status).toBe(404);
    const post = await fetch(`${base}/docs`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('can be turned off', async () => {
    const local = createTestApp();
    const { base: url } = await startApi(local, { docs: false });
    try {
      expect((await fetch(`${url}/docs`)).status).toBe(404);
    } finally {
      await local.stop();
    }
  });
});
