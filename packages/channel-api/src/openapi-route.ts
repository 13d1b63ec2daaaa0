import type { Request, Response } from 'express';
import { acceptRequestId } from '@nexus/core';
import type { Nexus, OperationDefinition } from '@nexus/core';
import { buildOpenApi } from './openapi.js';
import type { OpenApiInfo, OpenApiSettings } from './openapi.js';
import { sendJson, sendProblem } from './render.js';
import { pathOf } from './request.js';
import { admitted, initOf } from './routes.js';
import type { RouteContext } from './routes.js';

/** `openapi` of the channel options: document info, and whether every caller sees every operation. */
export type OpenApiOptions = OpenApiInfo & { readonly public?: boolean };

const CACHE_LIMIT = 64;

/**
 * `GET /openapi.json`. Discovery matches execution: a caller's document lists what a `list` dispatch
 * lets it call, an anonymous caller's the public operations, unless `public: true` publishes
 * every operation on purpose. Documents are cached by the set of operations they show.
 */
export class OpenApiRoute {
  private readonly documents = new Map<string, string>();

  constructor(private readonly options: OpenApiOptions, private readonly settings: OpenApiSettings) {}

  /** Drops every cached document; call it when operations change. */
  clear(): void {
    this.documents.clear();
  }

  async serve(app: Nexus, rc: RouteContext, req: Request, res: Response): Promise<void> {
    const all = app.allOperations();
    if (this.options.public === true) return admitted(rc, req, res, () => sendJson(res, 200, this.document(all), {}), rc.policies.openapi);
    const init = initOf(rc, req, req.nexus?.requestId ?? acceptRequestId(req.headers['x-request-id']), pathOf(req.originalUrl));
    if (init.credential?.kind === 'none') {
      return admitted(rc, req, res, () => sendJson(res, 200, this.document(all.filter((operation) => operation.public)), {}), rc.policies.openapi);
    }
    const listed = await app.dispatch({ ...init, purpose: 'list' });
    if (res.headersSent) return;
    if (!listed.ok) return sendProblem(res, listed.error, listed.requestId, rc.render, listed.annotations);
    const visible = new Set(listed.value.map((operation) => operation.name));
    sendJson(res, 200, this.document(all.filter((operation) => visible.has(operation.name))), {});
  }

  private document(operations: readonly OperationDefinition[]): string {
    const key = operations.map((operation) => operation.name).join('\n');
    let document = this.documents.get(key);
    if (document === undefined) {
      // Bounded by the distinct permission sets callers hold; a burst of them just rebuilds.
      if (this.documents.size >= CACHE_LIMIT) this.documents.clear();
      document = JSON.stringify(buildOpenApi(operations, this.options, this.settings));
      this.documents.set(key, document);
    }
    return document;
  }
}
