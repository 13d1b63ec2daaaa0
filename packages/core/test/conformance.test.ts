import { memoryChannelUnderTest, runChannelConformance } from '../src/testing/index.js';

runChannelConformance(memoryChannelUnderTest);
