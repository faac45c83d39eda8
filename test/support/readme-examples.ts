import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const README = fileURLToPath(new URL("../../README.md", import.meta.url));

/** The first fenced block of `language` after the paragraph starting with `marker` (e.g. "**CI**") in README.md. */
export function readmeExample(marker: string, language: string): string {
  const text = readFileSync(README, "utf8");
  const at = text.indexOf(`\n${marker}`);
  if (at < 0) throw new Error(`README.md has no paragraph starting with ${marker}`);
  const fence = text.indexOf(`\n\`\`\`${language}\n`, at);
  if (fence < 0) throw new Error(`README.md has no \`\`\`${language} block after ${marker}`);
  const start = fence + `\n\`\`\`${language}\n`.length;
  return text.slice(start, text.indexOf("\n```", start));
}
