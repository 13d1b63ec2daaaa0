#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { createRemoteCli } from '../remote-cli.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

await createRemoteCli({ version, description: 'Runs operations on a Nexus server (NEXUS_URL, NEXUS_TOKEN, NEXUS_TENANT, NEXUS_TIMEOUT).' }).main();
