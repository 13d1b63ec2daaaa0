import { runChannelConformance } from '@nexus/core/testing';
import { createConformanceAuth } from '@nexus/auth/testing';
import { remoteCliUnderTest } from './support/cli-driver.js';
import { startTestServer } from './support/http-server.js';

// The auth run covers every basic case too (with tokens), so one run keeps the spawned-process suite lean.
runChannelConformance(
  remoteCliUnderTest(async (app) => {
    await app.start();
    return startTestServer(app);
  }),
  { auth: createConformanceAuth() },
);
