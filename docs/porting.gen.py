# Regenerates docs/porting.md from the patterns document's Python blocks, docs/porting/*.ts and
# the notes below. Run from the repository root: python3 docs/porting.gen.py <patterns file>
import re, sys

SECTIONS = [
  ('production-deployment', 'Enterprise Nexus Architecture › Production Deployment Pattern', [
    '`NexusAuthPlugin.enterprise({...})` takes the same five parts in camelCase (`rateLimit`, `tenantIsolation`, `jwksUrl`, `logLevel: \'INFO\'`).',
    '**No `secret` beside `jwksUrl`.** The original passes both with `RS256`; here one kind of key per plugin is enforced (`NEXUS_ERR_AUTH_KEY_CONFLICT`), because an HS secret next to an RS key set is how key-confusion attacks start. With SSO, the IdP\'s key set is the only key.',
    'Channels are explicit: `app.addChannel(createApiChannel())`, `createMcpChannel()`; the CLI is `createCli(app)` in a bin of your own (see `@nexus/channel-cli`). `apiPort`/`mcpPort` are their default ports.',
    'Ports come from `API_PORT`/`MCP_PORT` when set (8000/3001 otherwise), and `logStartup: true` prints where each channel listens: that is how the guide\'s test runs every section on free ports.',
    '`await app.start()` resolves once every channel listens (with their addresses); Python\'s `app.start()` blocks.',
  ]),
  ('sso', 'Enterprise Security Patterns › SSO Authentication Across Channels', [
    'Same options (`jwksCacheTtl` in seconds). The JWKS URL may come from `JWKS_URL` so the test can serve a key set.',
    'One bearer token works on every channel: HTTP `Authorization`, CLI `--token`/`NEXUS_TOKEN`, MCP client headers.',
  ]),
  ('rbac', 'Enterprise Security Patterns › Role-Based Access Control (RBAC)', [
    '`saasApp({ jwt, rbac })`: as in the original, only these two; `saasApp` turns tenant isolation on with its defaults (claim `tenant_id`), so tokens need that claim; pass `tenantIsolation: false` for a single-tenant app.',
    'The FastAPI dependencies `RequireRole` / `RequirePermission` become `@nexus/auth`\'s guards `requireRole` / `requirePermission`, run on routes of a router mounted with `api.addRouter(...)` by `guard(...)` from `@nexus/channel-api`; the original shows them as comments, this port runs them. `express` is yours to install (a peer of `@nexus/channel-api`).',
    'For operations, the same guards go in `guards: [requireRole(...)]`, or use the `permission` option (default `execute:<name>`): those hold on every channel, so one check written once decides operations and routes alike.',
  ]),
  ('abac-middleware', 'Enterprise Security Patterns › ABAC via Custom Middleware', [
    '**Deliberately not HTTP middleware.** Starlette middleware sees only HTTP, so the original\'s policy never applied to CLI or MCP calls. `app.authorize((ctx, operation) => ...)` runs for every channel; `app.use(phase, stage)` is the equivalent for non-authorization middleware such as request timing. `api.addMiddleware` exists as the HTTP-only escape hatch.',
    'The policy keys on the operation (`operation.name`, `operation.tags`), not on a URL prefix such as `/api/sensitive`, because only HTTP has URLs.',
    'Refusals are problem details with code `FORBIDDEN` and the message given, rendered natively per channel (HTTP 403, CLI exit 77, MCP tool error).',
  ]),
  ('tenant-isolation', 'Multi-Tenant Enterprise Patterns › Tenant Isolation Configuration', [
    'TenantConfig options as in the original (`tenantIdHeader`, `jwtClaim`, `allowAdminOverride`, `adminRole`, `excludePaths`).',
    '**`excludePaths` names native HTTP routes only** (matched against the real request path, never an operation; kept for the port, deprecated). `/health` and `/docs` are served without a credential, so they never need a tenant. An operation or mounted router that needs no tenant declares `tenantRequired: false`, which holds on every channel.',
    '**`route_limits={"/api/workflows/*": ...}` becomes `operationLimits: {"*": ...}`.** Operations are served at `/workflows/<name>/execute` over HTTP and have no path at all over CLI or MCP, so the original glob silently matched nothing. `operationLimits` is keyed by operation name and applies on every channel; a `routeLimits` key that matches no served path now refuses to start, listing the paths that exist.',
  ]),
  ('tenant-workflows', 'Multi-Tenant Enterprise Patterns › Tenant-Aware Workflows', [
    'The decorator becomes `app.handler(name, { description, input }, fn)` with a zod schema; defaults (`compliance_level = "standard"`) become `.default(...)`.',
    'With tenant isolation configured, a `tenant_id` input field is bound to the caller\'s tenant on every channel (absent: filled in; different: refused), so the literal port is safe. This section configures no auth, so the field is taken as sent.',
    '`PythonCodeNode` becomes `CodeNode` running trusted JavaScript: inputs are globals by name, `try/except NameError` becomes `typeof x === \'undefined\'`, and `result` is the output. A workflow\'s `tenant_id` comes from the resolved tenant only (never from the request), so without auth the code\'s default `unknown` applies.',
  ]),
  ('monitoring', 'Enterprise Monitoring & Observability › Monitoring with Nexus', [
    '`enableMonitoring: true` serves Prometheus text at `GET /metrics`.',
    '`app.healthCheck()` is asynchronous (checks may ask Redis or a JWKS endpoint): `await` it.',
  ]),
  ('audit-logging', 'Enterprise Monitoring & Observability › Audit Logging for Compliance', [
    '`enterprise({ jwt, rbac, audit })`: the rate limit the call leaves out defaults on (100/min + 20 burst); tenant isolation stays off unless given.',
    'Redaction lists add to the defaults (Authorization, Cookie, password, token, secret, ...): a shorter list never un-redacts a credential.',
    'Records go to stdout as JSON lines; in a CLI process (`createCli(app).main()`) they go to stderr so stdout keeps only the result.',
    '**`excludePaths` names native HTTP routes only** (the real request path; kept for the port, deprecated): `/health` is never audited anyway, and `/metrics` is skipped by the path. An operation or mounted router that must leave no record declares `audit: false` (or `\'metadata-only\'`: no bodies), and that holds on every channel, where a path would only ever have matched HTTP calls.',
  ]),
  ('load-balancing', 'High Availability Patterns › Load Balancing Configuration', [
    'Same options; with `backend: \'redis\'` the rate limit and the failed-authentication throttle share state across instances.',
    '`/health/ready` answers 503 while an instance drains, so a load balancer moves away before connections are refused.',
  ]),
  ('health-check', 'High Availability Patterns › Health Check Integration', [
    '`app.healthCheck()` returns `{ status, checks }` rather than a truthy value; the port maps `unhealthy` to `"unhealthy"` and reads each channel\'s own check (`channel:api`, `channel:mcp`) instead of hard-coding `running`.',
  ]),
  ('gdpr', 'Compliance & Governance › GDPR Compliance Pattern', [
    'The docstring\'s "Requires \'delete:*\' permission" becomes `permission: \'delete:user_data\'`, enforced on every channel (the `dpo` role\'s `delete:*` matches it; `user` is refused).',
    'The operations also appear as MCP tools and CLI commands with the same permissions.',
  ]),
  ('hipaa', 'Compliance & Governance › HIPAA Compliance Pattern', [
    'Same options; `verifyExp: true` is the default already (a token without `exp` is refused).',
    '"Use RequirePermission(\'read:phi\')" becomes the operation option `permission: \'read:phi\'` (or `guard(requirePermission(\'read:phi\'))` on custom HTTP routes).',
  ]),
  ('rate-limiting', 'Performance Optimization › Rate Limiting Strategy', [
    '**Operation limits instead of URL prefixes.** `/api/chat/*` and `/api/auth/login` name no path Nexus serves (and nothing at all over CLI or MCP); `operationLimits: { \'chat*\': ..., login: ... }` limits those operations on every channel. `/health` is a real HTTP path and stays a `routeLimits` key.',
    'Same bucket semantics on both backends: a fresh caller may make `requestsPerMinute + burstSize` calls at once, then refills at `requestsPerMinute`.',
  ]),
]

def main(patterns):
  doc = open(patterns).read()
  python = re.findall(r"```python\n(.*?)```", doc, flags=re.S)
  assert len(python) == len(SECTIONS), (len(python), len(SECTIONS))
  out = ["# Porting the Enterprise Nexus patterns to TypeScript", "",
    "Each section of the Enterprise Nexus patterns document beside its TypeScript port, and what",
    "deliberately differs and why. The TypeScript files live in [`docs/porting/`](porting/): a test",
    "installs the packed packages into a fresh npm project, compiles every file with `strict`,",
    "`noUncheckedIndexedAccess` and `exactOptionalPropertyTypes`, starts each one on free ports and",
    "calls it over HTTP (`apps/reference/test/packed-install.test.ts`), so this guide cannot drift",
    "from the code. (This page is generated by `python3 docs/porting.gen.py <patterns file>`.)", "",
    "## Setup", "```sh",
    "npm install @nexus/core @nexus/auth @nexus/channel-api @nexus/channel-mcp @nexus/channel-cli @nexus/workflow zod express",
    "```",
    "`zod` (your schemas) and `express` (your routers) are peer dependencies: your app and Nexus share one copy.",
    "Every file reads `JWT_SECRET` (and `JWKS_URL`, `REDIS_URL`, `API_PORT`, `MCP_PORT` where used) from the environment.", "",
    "## What changes everywhere", "",
    "- snake_case options become camelCase (`rate_limit` → `rateLimit`, `jwks_url` → `jwksUrl`); config classes become plain objects typed `JWTConfig`, `TenantConfig`, `RateLimitConfig`, `AuditConfig`.",
    "- `app.add_plugin(auth)` → `app.addPlugin(auth)`; channels are added explicitly (`createApiChannel()`, `createMcpChannel()`; `createCli(app)` for a command line); `app.start()` is awaited and resolves with the listening addresses.",
    "- `@app.handler(name, description=...)` → `app.handler(name, { description, input: z.object({...}) }, fn)`: the zod schema is what every channel validates and publishes (OpenAPI, MCP `inputSchema`, CLI options).",
    "- Policy (RBAC, ABAC, tenants, limits, audit) runs in one pipeline for HTTP, CLI and MCP alike; nothing is HTTP-only unless you use an HTTP-only hook on purpose.", "",
    "| section | TypeScript | lines |", "|---|---|---|"]
  codes = {}
  for name, title, _ in SECTIONS:
    code = open(f'docs/porting/{name}.ts').read().rstrip('\n')
    codes[name] = code
    out.append(f"| {title} | [`porting/{name}.ts`](porting/{name}.ts) | {code.count(chr(10)) + 1} |")
  out.append("")
  for (name, title, notes), py in zip(SECTIONS, python):
    out += [f"## {title}", "", "<details><summary>The original (Python)</summary>", "", "```python", py.rstrip('\n'), "```", "", "</details>", "",
            "```ts", codes[name], "```", "", "What differs, and why:", ""]
    out += [f"- {note}" for note in notes]
    out.append("")
  open('docs/porting.md', 'w').write('\n'.join(out))

main(sys.argv[1])
