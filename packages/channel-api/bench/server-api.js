// The API channel with no plugins: the whole pipeline (context, zod validation, deadline, metrics) per call.
// BENCH_NATIVE_MIDDLEWARE=1 adds a no-op native middleware, which routes execute calls through Express.
import { Nexus, silentLogger } from '@nexus/core';
import { z } from 'zod';
import { createApiChannel } from '../dist/index.js';

const app = new Nexus({ logger: silentLogger });
app.handler('echo', { description: 'Echo', input: z.object({ message: z.string() }) }, ({ message }) => ({ message }));
const api = createApiChannel({ port: 0 });
// With native middleware every request takes the Express route (and runs the middleware stage).
if (process.env.BENCH_NATIVE_MIDDLEWARE === '1') api.addMiddleware((_req, _res, next) => next());
app.addChannel(api);
await app.start();
process.stdout.write(`${api.address().port}\n`);
process.on('SIGTERM', () => app.stop().then(() => process.exit(0)));
