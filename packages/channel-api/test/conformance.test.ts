import { runChannelConformance } from '@nexus/core/testing';
import { httpChannelUnderTest } from './http-driver.js';

runChannelConformance(httpChannelUnderTest);
