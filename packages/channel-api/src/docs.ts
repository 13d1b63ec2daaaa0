import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { Express } from 'express';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { admitted } from './routes.js';
import type { RouteContext } from './routes.js';

/**
 * `GET /docs`: Swagger UI over this channel's own `/openapi.json`. Every asset is served from
 * this process (swagger-ui-dist and two small files of ours), and the page has no inline script,
 * so it works offline and under the strict policy below.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // Swagger UI sets style attributes on elements it renders.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API reference</title>
<link rel="icon" type="image/png" href="docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="docs/assets/swagger-ui.css">
<link rel="stylesheet" href="docs/assets/nexus-docs.css">
</head>
<body>
<form id="nexus-token" class="nexus-token">
<label for="nexus-token-value">Bearer token</label>
<input id="nexus-token-value" type="password" autocomplete="off" spellcheck="false" placeholder="paste a token to see what it may call">
<button type="submit">Use token</button>
<button type="button" id="nexus-token-forget" hidden>Forget token</button>
<output id="nexus-token-state"></output>
</form>
<div id="swagger-ui"></div>
<script src="docs/assets/swagger-ui-bundle.js"></script>
<script src="docs/assets/nexus-docs.js"></script>
</body>
</html>
`;

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png' };

function assetFiles(): Map<string, string> {
  const require = createRequire(import.meta.url);
  const swagger = dirname(require.resolve('swagger-ui-dist/package.json'));
  const own = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets');
  return new Map([
    ['swagger-ui-bundle.js', join(swagger, 'swagger-ui-bundle.js')],
    ['swagger-ui.css', join(swagger, 'swagger-ui.css')],
    ['favicon-32x32.png', join(swagger, 'favicon-32x32.png')],
    ['nexus-docs.js', join(own, 'nexus-docs.js')],
    ['nexus-docs.css', join(own, 'nexus-docs.css')],
  ]);
}

/** Serves the page and its assets; files are read once, on first request. */
export function createDocs(): { page(res: ServerResponse): void; asset(name: string, res: ServerResponse): boolean } {
  const files = assetFiles();
  const cache = new Map<string, Buffer>();
  const headers = { 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
  return {
    page(res) {
      res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' }).end(PAGE);
    },
    asset(name, res) {
      const path = files.get(name);
      if (path === undefined) return false;
      let body = cache.get(name);
      if (body === undefined) cache.set(name, (body = readFileSync(path)));
      const type = TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';
      res.writeHead(200, { ...headers, 'content-type': type, 'content-length': body.length, 'cache-control': 'public, max-age=3600' }).end(body);
      return true;
    },
  };
}

/** Mounts `GET /docs` and its assets, admitted by the pipeline like `/openapi.json`. */
export function mountDocs(server: Express, rc: RouteContext): void {
  const docs = createDocs();
  server.get('/docs', (req, res) => admitted(rc, req, res, () => docs.page(res), rc.policies.docs));
  server.get('/docs/assets/:file', (req, res, next) => admitted(rc, req, res, () => (docs.asset(req.params.file as string, res) ? undefined : next()), rc.policies.docs));
}
