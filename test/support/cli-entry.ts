// The CLI from source, for tests that must run it as a process without a build (node --import tsx cli-entry.ts …).
import { main } from "../../src/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
