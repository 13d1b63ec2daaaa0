import { afterAll, beforeAll } from '@jest/globals';
import { createApiChannel } from '@nexus/channel-api';
import type { Nexus } from '@nexus/core';

/**
 * Serves `app` on the real HTTP channel, on a free port, to the tests of the calling file: the
 * app starts before them and stops after them. `url` is where, once started.
 */
export function serveApi(app: Nexus): { readonly url: string } {
  const api = createApiChannel({ port: 0 });
  app.addChannel(api);
  let url: string | undefined;
  beforeAll(async () => {
    await app.start();
    url = `http://127.0.0.1:${api.address()!.port}`;
  });
  afterAll(() => app.stop());
  return {
    get url() {
      if (url === undefined) throw new Error('the server starts in beforeAll: read url inside a test');
      return url;
    },
  };
}
