/** FAKE clock for tests: time moves only when `advance` is called. */
import type { Clock } from "./clock.ts";

interface Timer {
  at: number;
  fn: () => void;
  id: number;
}

export class FakeClock implements Clock {
  #now: number;
  #timers: Timer[] = [];
  #nextId = 0;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const id = this.#nextId++;
    this.#timers.push({ at: this.#now + Math.max(0, ms), fn, id });
    return () => {
      this.#timers = this.#timers.filter((t) => t.id !== id);
    };
  }

  /** Moves time forward, firing due timers in order; awaits microtasks between them. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await flush();
    while (true) {
      this.#timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.#timers[0];
      if (!next || next.at > target) break;
      this.#timers.shift();
      this.#now = next.at;
      next.fn();
      await flush();
    }
    this.#now = target;
    await flush();
  }

  pendingTimers(): number {
    return this.#timers.length;
  }
}

/** Lets pending promise chains and stream pipes run (a few real macrotask turns). */
async function flush(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 0));
}
