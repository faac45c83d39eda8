import type { KubeObject } from "../model/kube-object.js";

/**
 * Where the executor records progress. The CLI backs it with `.kfp-upgrade/journal/` (and the lock Lease); each
 * call returns only once the record is durable, so a crash never loses a completed step.
 */
export interface JournalSink {
  stepStarted(stepId: string): Promise<void>;
  stepCompleted(stepId: string): Promise<void>;
  /** The stateless objects a group of steps (a hop) will touch, as they were before it: what rollback restores (null: absent). */
  saveBefore(group: number, states: [string, KubeObject | null][]): Promise<void>;
  loadBefore(group: number): Promise<[string, KubeObject | null][] | undefined>;
}

/** For runs that keep no record (tests of pure flows, dry runs). */
export function memoryJournal(): JournalSink & { completed: string[] } {
  const before = new Map<number, [string, KubeObject | null][]>();
  const completed: string[] = [];
  return {
    completed,
    async stepStarted() {},
    async stepCompleted(stepId) {
      completed.push(stepId);
    },
    async saveBefore(hop, states) {
      before.set(hop, states);
    },
    async loadBefore(hop) {
      return before.get(hop);
    },
  };
}
