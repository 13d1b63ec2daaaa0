import { createConformanceAuth } from '@nexus/auth/testing';
import { runChannelConformance } from '@nexus/core/testing';
import { httpChannelUnderTest } from './http-driver.js';

runChannelConformance(httpChannelUnderTest);
runChannelConformance(httpChannelUnderTest, { auth: createConformanceAuth() });
