import { describe, expect, it } from "vitest";
import { memoryJournal } from "../../../src/execute/journal-sink.js";
import type { KubeObject } from "../../../src/model/kube-object.js";
import { configMap } from "./executor-fixtures.js";

describe("memoryJournal", () => {
  it("records completed steps in order, and only completed ones", async () => {
    const journal = memoryJournal();
    await journal.stepStarted("01-a");
    await journal.stepCompleted("01-a");
    await journal.stepStarted("02-b");
    await journal.stepStarted("03-c");
    await journal.stepCompleted("03-c");
    expect(journal.completed).toEqual(["01-a", "03-c"]);
  });

  it("starts empty", async () => {
    const journal = memoryJournal();
    expect(journal.completed).toEqual([]);
    await expect(journal.loadBefore(0)).resolves.toBeUndefined();
  });

  it("keeps the before-states of each group apart, absent objects as null", async () => {
    const journal = memoryJournal();
    const first: [string, KubeObject | null][] = [
      ["a", configMap("a")],
      ["b", null],
    ];
    const second: [string, KubeObject | null][] = [["c", configMap("c")]];
    await journal.saveBefore(1, first);
    await journal.saveBefore(2, second);
    await expect(journal.loadBefore(1)).resolves.toEqual(first);
    await expect(journal.loadBefore(2)).resolves.toEqual(second);
    await expect(journal.loadBefore(3)).resolves.toBeUndefined();
  });

  it("a second save of the same group replaces the first", async () => {
    const journal = memoryJournal();
    await journal.saveBefore(1, [["a", null]]);
    await journal.saveBefore(1, [["b", configMap("b")]]);
    await expect(journal.loadBefore(1)).resolves.toEqual([["b", configMap("b")]]);
  });

  it("journals are independent of each other", async () => {
    const one = memoryJournal();
    const two = memoryJournal();
    await one.stepCompleted("01-a");
    await one.saveBefore(1, [["a", null]]);
    expect(two.completed).toEqual([]);
    await expect(two.loadBefore(1)).resolves.toBeUndefined();
  });
});
