import type { Request, Response } from 'express';
import { NexusError } from '@nexus/core';
import { requestIdFrom } from '@nexus/core/protocol';
import { sendProblem } from './render.js';
import type { RenderOptions } from './render.js';

/** One route the channel itself serves: a path pattern and the methods it answers. */
export interface KnownRoute {
  readonly pattern: RegExp;
  readonly allow: string;
}

const GET = 'GET, HEAD';

/** The channel's own routes; native routers added with `addRouter` answer for themselves. */
export function knownRoutes(options: { metrics: boolean; docs: boolean }): KnownRoute[] {
  return [
    { pattern: /^\/workflows\/[^/]+\/execute\/?$/, allow: 'POST' },
    { pattern: /^\/workflows\/?$/, allow: GET },
    { pattern: /^\/workflows\/[^/]+\/?$/, allow: GET },
    { pattern: /^\/health(?:\/live|\/ready)?\/?$/, allow: GET },
    { pattern: /^\/openapi\.json$/, allow: GET },
    ...(options.metrics ? [{ pattern: /^\/metrics\/?$/, allow: GET }] : []),
    ...(options.docs ? [{ pattern: /^\/docs(?:\/.*)?$/, allow: GET }] : []),
  ];
}

/**
 * Reached only when no route answered: a path the channel knows, asked with a method it does
 * not serve, is 405 with `Allow` (OPTIONS: 204 with `Allow`), not a misleading 404.
 */
export function methodNotAllowed(routes: readonly KnownRoute[], render: RenderOptions) {
  return (req: Request, res: Response, next: () => void): void => {
    const route = routes.find((candidate) => candidate.pattern.test(req.path));
    // A served method that still reached here found nothing (an unknown asset): that is 404.
    if (route === undefined || route.allow.split(', ').includes(req.method)) return next();
    res.setHeader('allow', route.allow);
    if (req.method === 'OPTIONS') return void res.status(204).end();
    const error = new NexusError('INVALID_INPUT', `${req.method} is not allowed on ${req.path}; use ${route.allow.split(', ').join(' or ')}.`);
    sendProblem(res, error, req.nexus?.requestId ?? requestIdFrom(req.headers), render, undefined, 405);
  };
}
