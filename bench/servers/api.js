// The API channel with no plugins: what the channel itself costs over bare Express.
import { Nexus, silentLogger } from '@nexus/core';
import { createApiChannel } from '@nexus/channel-api';
import { z } from 'zod';

const app = new Nexus({ logger: silentLogger });
app.handler('echo', { description: 'Echo', input: z.object({ message: z.string() }) }, ({ message }) => ({ message }));
const api = createApiChannel({ port: 0 });
app.addChannel(api);
await app.start();
process.stdout.write(`${JSON.stringify({ port: api.address().port })}\n`);
process.on('SIGTERM', () => app.stop().then(() => process.exit(0)));
