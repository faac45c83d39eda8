import { loadApp, UNSAVED_IMPORT_NOTE } from "../../app/load-app.js";
import {
  getParam,
  listParams,
  type ParamValue,
  resolveParamName,
  setParam,
  unsetParam,
} from "../../app/params.js";
import { saveApp } from "../../app/save-app.js";
import { storagePrecedenceNotes } from "../../app/storage-precedence-notes.js";
import { UsageError } from "../../errors.js";
import type { CommandResult } from "../command-result.js";

export interface ParamsOptions {
  action: "set" | "get" | "list" | "unset";
  name?: string;
  value?: string;
  appDir: string;
}

/**
 * `kfp-upgrade params set|get|list|unset`: the `ks param set pipeline …` of kfp-app.yaml. `set` and `unset` write
 * kfp-app.yaml, importing a legacy ksonnet KFAPP first when that is what the directory holds.
 */
export async function params(options: ParamsOptions): Promise<CommandResult> {
  const loaded = await loadApp(options.appDir);
  switch (options.action) {
    case "list": {
      const values = listParams(loaded.app);
      const source =
        loaded.source === "kfp-app.yaml"
          ? `Params in ${loaded.path}:`
          : loaded.source === "legacy-ksonnet"
            ? `Params imported from the ksonnet app (${loaded.path}), not saved yet:`
            : `No kfp-app.yaml in ${options.appDir}; these are the defaults:`;
      return { data: values, text: [source, "", table(values), ...notes(loaded.notes)].join("\n") };
    }
    case "get": {
      const name = resolveParamName(required(options.name, "name", "get"));
      const value = getParam(loaded.app, name) ?? null;
      return { data: { name, value }, text: value ?? "" };
    }
    case "set":
    case "unset": {
      const name = resolveParamName(required(options.name, "name", options.action));
      const app =
        options.action === "set"
          ? setParam(loaded.app, name, required(options.value, "value", "set"))
          : unsetParam(loaded.app, name);
      const file = await saveApp(options.appDir, app);
      const value = getParam(app, name) ?? null;
      const imported = loaded.source === "legacy-ksonnet";
      const importNotes = imported ? loaded.notes.filter((note) => note !== UNSAVED_IMPORT_NOTE) : [];
      const lines = [
        options.action === "set"
          ? `Set ${name} = ${value} in ${file}`
          : `Unset ${name} in ${file}${value ? ` (now ${value}, the default)` : ""}`,
        ...(imported
          ? [`${file} was created from the ksonnet app:`, ...importNotes.map((note) => `  - ${note}`)]
          : []),
        ...notes(storagePrecedenceNotes(app).filter((note) => !importNotes.includes(note))),
      ];
      return {
        data: { name, value, file, importedFrom: imported ? loaded.path : null },
        text: lines.join("\n"),
      };
    }
    default:
      return options.action satisfies never;
  }
}

function required(value: string | undefined, what: string, action: string): string {
  if (value !== undefined) return value;
  throw new UsageError("PARAM_USAGE", `params ${action} needs a ${what}`, {
    hint:
      action === "set"
        ? "Usage: `kfp-upgrade params set NAME VALUE`"
        : `Usage: \`kfp-upgrade params ${action} NAME\``,
  });
}

function table(values: ParamValue[]): string {
  const rows = [
    ["NAME", "VALUE", "PATH"],
    ...values.map((param) => [param.name, param.value ?? "-", param.path]),
  ];
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function notes(lines: string[]): string[] {
  return lines.length === 0 ? [] : ["", "Notes:", ...lines.map((line) => `  - ${line}`)];
}
