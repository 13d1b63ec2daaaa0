import { memoryChannelUnderTest, runChannelConformance } from '@nexus/core/testing';
import { createConformanceAuth } from '../src/testing/index.js';

runChannelConformance(memoryChannelUnderTest, { auth: createConformanceAuth() });
