import { runChannelConformance } from '@nexus/core/testing';
import { createConformanceAuth } from '@nexus/auth/testing';
import { createApiChannel } from '@nexus/channel-api';
import { remoteCliUnderTest } from './support/cli-driver.js';

// The remote CLI against the real HTTP channel, as users run it. The auth run covers every basic
// case too (with tokens), so one run keeps the spawned-process suite lean.
runChannelConformance(
  remoteCliUnderTest(async (app) => {
    const api = createApiChannel({ port: 0 });
    app.addChannel(api);
    await app.start();
    // The app's stop (the suite's afterAll) closes the channel.
    return { url: `http://127.0.0.1:${api.address()!.port}`, close: async () => {} };
  }),
  { auth: createConformanceAuth() },
);
