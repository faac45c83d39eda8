#!/usr/bin/env node
import module from "node:module";

// Node 22.1+ keeps V8's compiled code of the bundle between runs (in its default directory, or NODE_COMPILE_CACHE;
// NODE_DISABLE_COMPILE_CACHE=1 turns it off), so a start does not compile the same megabytes again. Node 20 has no
// such API and compiles every time. It must run before the bundle is imported, hence the dynamic import.
module.enableCompileCache?.();
const { main } = await import("../dist/bundle/main.js");

process.exitCode = await main(process.argv.slice(2));
