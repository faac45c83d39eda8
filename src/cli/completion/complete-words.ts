import type { Command, Option } from "commander";

/** Where the values of some flags come from: the release catalogue, the kubeconfig. */
export interface CompletionSources {
  tags(): string[];
  contexts(): string[];
}

/** Flags whose value is a path: the shell completes files itself. */
const PATH_FLAGS = new Set(["--app-dir", "--kubeconfig", "--manifests", "--out", "--dir"]);

/**
 * The candidates for the last of `words` (what follows `kfp-upgrade` on the command line, the word being typed last,
 * possibly empty): subcommands, their flags and the program's, and the values of `--tag`, `--context` and flags with
 * fixed choices. Nothing for a path flag's value (the shell completes files).
 */
export function completeWords(
  program: Command,
  words: readonly string[],
  sources: CompletionSources,
): string[] {
  const current = words.at(-1) ?? "";
  const before = words.slice(0, -1);
  const visible = program.commands;
  let command: Command | undefined;
  for (let i = 0; i < before.length; i++) {
    const word = before[i] ?? "";
    if (word.startsWith("-")) {
      if (!word.includes("=") && takesValue(findOption([program, ...(command ? [command] : [])], word)))
        i += 1;
      continue;
    }
    command ??= visible.find((candidate) => candidate.name() === word);
  }
  const scopes = [program, ...(command ? [command] : [])];
  const previous = before.at(-1);
  const flagBefore = previous?.startsWith("-") ? findOption(scopes, previous) : undefined;
  if (flagBefore && takesValue(flagBefore)) return valuesFor(flagBefore, current, sources);
  if (current.startsWith("-")) {
    const flags = scopes.flatMap((scope) =>
      scope.options.filter((option) => !option.hidden).flatMap((option) => [option.long, option.short]),
    );
    return matching(
      flags.filter((flag): flag is string => flag !== undefined),
      current,
    );
  }
  if (!command)
    return matching(
      visible.map((c) => c.name()),
      current,
    );
  return [];
}

function valuesFor(option: Option, current: string, sources: CompletionSources): string[] {
  if (option.long && PATH_FLAGS.has(option.long)) return [];
  if (option.long === "--tag") return matching(["latest", ...sources.tags()], current);
  if (option.long === "--context") return matching(sources.contexts(), current);
  return matching(option.argChoices ?? [], current);
}

function findOption(scopes: readonly Command[], word: string): Option | undefined {
  const flag = word.split("=")[0];
  for (const scope of scopes) {
    const found = scope.options.find((option) => option.long === flag || option.short === flag);
    if (found) return found;
  }
  return undefined;
}

function takesValue(option: Option | undefined): boolean {
  return option !== undefined && (option.required || option.optional);
}

function matching(candidates: readonly string[], prefix: string): string[] {
  return [...new Set(candidates.filter((candidate) => candidate.startsWith(prefix)))];
}
