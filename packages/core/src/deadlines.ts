/**
 * Per-call deadlines without a Node timer per call. Calls with the same timeout are queued in
 * the order they start, so their deadlines are already sorted: each queue keeps one timer, set
 * for its oldest entry, and a call that ends unlinks itself in O(1). A timer per call (and its
 * clearTimeout) cost more than the rest of a fast handler's bookkeeping.
 */
export abstract class Deadline {
  /** `performance.now()` at which `expire` runs. */
  deadlineAt = 0;
  deadlinePrev: Deadline | undefined = undefined;
  deadlineNext: Deadline | undefined = undefined;
  deadlineQueue: DeadlineQueue | undefined = undefined;

  /** Runs once the deadline passed, unless the entry was cancelled first. */
  abstract expire(): void;
}

class DeadlineQueue {
  private head: Deadline | undefined = undefined;
  private tail: Deadline | undefined = undefined;
  private timer: NodeJS.Timeout | undefined = undefined;
  // Only while entries wait does the timer keep the process alive, as a timer per call did.
  private referenced = false;

  constructor(private readonly ms: number) {}

  add(entry: Deadline, now: number): void {
    entry.deadlineAt = now + this.ms;
    entry.deadlineQueue = this;
    entry.deadlinePrev = this.tail;
    entry.deadlineNext = undefined;
    if (this.tail === undefined) this.head = entry;
    else this.tail.deadlineNext = entry;
    this.tail = entry;
    // An armed timer is never later than the head, and a new entry is never earlier than it.
    if (this.timer === undefined) this.arm(this.ms);
    else if (!this.referenced) {
      this.timer.ref();
      this.referenced = true;
    }
  }

  remove(entry: Deadline): void {
    const { deadlinePrev: prev, deadlineNext: next } = entry;
    if (prev === undefined) this.head = next;
    else prev.deadlineNext = next;
    if (next === undefined) this.tail = prev;
    else next.deadlinePrev = prev;
    entry.deadlinePrev = entry.deadlineNext = entry.deadlineQueue = undefined;
    if (this.head === undefined && this.referenced) {
      this.timer!.unref();
      this.referenced = false;
    }
  }

  private arm(delay: number): void {
    this.timer = setTimeout(() => this.fire(), Math.min(delay, LONGEST_TIMER_MS));
    this.referenced = true;
  }

  private fire(): void {
    this.timer = undefined;
    this.referenced = false;
    const now = performance.now();
    let entry = this.head;
    while (entry !== undefined && entry.deadlineAt <= now) {
      this.remove(entry);
      entry.expire();
      entry = this.head;
    }
    // Node's timers count whole milliseconds from the loop's clock, so one may fire a fraction early.
    if (this.head !== undefined) this.arm(Math.max(1, Math.ceil(this.head.deadlineAt - now)));
  }
}

// Node fires a longer timer at once (with a warning): a later deadline waits in steps of this.
const LONGEST_TIMER_MS = 2 ** 31 - 1;

const queues = new Map<number, DeadlineQueue>();

/** Runs `entry.expire()` once `ms` milliseconds passed, unless `cancelDeadline(entry)` came first. */
export function startDeadline(entry: Deadline, ms: number): void {
  let queue = queues.get(ms);
  if (queue === undefined) {
    queue = new DeadlineQueue(ms);
    queues.set(ms, queue);
  }
  queue.add(entry, performance.now());
}

export function cancelDeadline(entry: Deadline): void {
  entry.deadlineQueue?.remove(entry);
}
