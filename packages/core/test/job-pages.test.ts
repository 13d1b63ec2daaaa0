import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { createMemoryJobPort } from '../src/index.js';
import { runJobPagesConformance } from '../src/testing/index.js';

runJobPagesConformance('the in-process port', () => createMemoryJobPort(), { test: { describe, it, beforeAll, afterAll } });
