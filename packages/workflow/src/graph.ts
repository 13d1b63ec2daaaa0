import { setupError } from './errors.js';

/**
 * Checks that the connections form a DAG. On a cycle the error lists the nodes on it, found by
 * walking back from a node Kahn's algorithm could not order: each such node has an unordered
 * predecessor, so the walk must revisit a node.
 */
export function assertAcyclic(ids: readonly string[], edges: readonly { readonly from: number; readonly to: number }[]): void {
  const indegree = new Array<number>(ids.length).fill(0);
  const successors = ids.map(() => [] as number[]);
  const predecessors = ids.map(() => [] as number[]);
  for (const edge of edges) {
    indegree[edge.to]!++;
    successors[edge.from]!.push(edge.to);
    predecessors[edge.to]!.push(edge.from);
  }
  const queue = ids.map((_, index) => index).filter((index) => indegree[index] === 0);
  let ordered = 0;
  while (queue.length > 0) {
    const index = queue.pop()!;
    ordered++;
    for (const next of successors[index]!) if (--indegree[next]! === 0) queue.push(next);
  }
  if (ordered === ids.length) return;

  const remaining = (index: number) => indegree[index]! > 0;
  let current = indegree.findIndex((degree) => degree > 0);
  const seenAt = new Map<number, number>();
  const walk: number[] = [];
  while (!seenAt.has(current)) {
    seenAt.set(current, walk.length);
    walk.push(current);
    current = predecessors[current]!.find(remaining)!;
  }
  const found = walk.slice(seenAt.get(current)).reverse();
  // Start at the earliest-added node so the message does not depend on where the walk began.
  const first = found.indexOf(Math.min(...found));
  const cycle = [...found.slice(first), ...found.slice(0, first)];
  const names = [...cycle, cycle[0]!].map((index) => `"${ids[index]}"`).join(' -> ');
  throw setupError('NEXUS_ERR_WORKFLOW_CYCLE', `node "${ids[cycle[0]!]}" is on a cycle: ${names}`);
}
