import { afterEach, beforeEach } from "vitest";

// Any Node warning (deprecation, experimental, unhandled-rejection) fails the test that emitted it.
let warnings: string[] = [];
const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);

beforeEach(() => {
  warnings = [];
  process.on("warning", onWarning);
});

afterEach(() => {
  process.off("warning", onWarning);
  if (warnings.length > 0) throw new Error(`test emitted Node warnings:\n${warnings.join("\n")}`);
});
