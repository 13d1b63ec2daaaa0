// Runtime overhead per node: a 50-node diamond (1 source, 48 parallel no-op nodes, 1 sink).
// Run with `pnpm --filter @nexus/workflow bench` (builds first). Not a test: it prints figures.
import { performance } from 'node:perf_hooks';
import { Nexus, silentLogger } from '@nexus/core';
import { WorkflowBuilder } from '@nexus/workflow';

const WIDTH = 48;
const NODES = WIDTH + 2;
const WARMUP = 300;
const RUNS = Number(process.env.BENCH_RUNS ?? 3000);

const builder = new WorkflowBuilder().addNode('FunctionNode', 'source', { fn: () => ({ out: 1 }) });
const sink = builder.addNode('FunctionNode', 'sink', { fn: () => ({ done: true }) });
for (let index = 0; index < WIDTH; index++) {
  sink.addNode('FunctionNode', `mid${index}`, { fn: ({ v }) => ({ out: v }) })
    .addConnection('source', 'out', `mid${index}`, 'v')
    .addConnection(`mid${index}`, 'out', 'sink', `in${index}`);
}
const workflow = builder.build();

const ctx = {
  requestId: 'bench', channel: 'bench', purpose: 'invoke', operation: 'diamond', definition: undefined, input: {},
  credential: { kind: 'none' }, transport: {}, signal: new AbortController().signal, logger: silentLogger,
  startedAt: 0, extensions: {}, annotations: {}, progress: () => {},
};

async function measure(label, once) {
  for (let index = 0; index < WARMUP; index++) await once();
  const started = performance.now();
  for (let index = 0; index < RUNS; index++) await once();
  const perRunUs = ((performance.now() - started) * 1000) / RUNS;
  console.log(`${label.padEnd(34)} ${perRunUs.toFixed(1).padStart(8)} µs/run  ${(perRunUs / NODES).toFixed(2).padStart(6)} µs/node`);
  return perRunUs;
}

// Baseline: the same 50 no-op functions awaited by hand, in the same shape.
async function byHand() {
  const fns = Array.from({ length: WIDTH }, () => async ({ v }) => ({ out: v }));
  const source = await (async () => ({ out: 1 }))();
  const mids = await Promise.all(fns.map((fn) => fn({ v: source.out })));
  return { mids, sink: await (async () => ({ done: true }))() };
}

const app = new Nexus({ logger: silentLogger });
app.register('diamond', workflow);
await app.ready();

const check = await workflow.run({}, ctx);
if (Object.keys(check).length !== NODES) throw new Error(`expected ${NODES} node results, got ${Object.keys(check).length}`);

console.log(`50-node diamond (1 -> ${WIDTH} -> 1), ${RUNS} runs after ${WARMUP} warm-up, node ${process.version}`);
const baseline = await measure('hand-written awaits (baseline)', byHand);
const runtime = await measure('workflow.run()', () => workflow.run({}, ctx));
await measure('app.invoke() (whole pipeline)', () => app.invoke({ channel: 'bench', operation: 'diamond', input: {} }));
console.log(`runtime overhead over the baseline: ${((runtime - baseline) / NODES).toFixed(2)} µs/node`);
