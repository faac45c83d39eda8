import { PreflightRefusal } from "../errors.js";
import type { Plan } from "./plan.js";

/**
 * Runs a plan's refusal rules in order. A run (`collect` false) stops at the first rule that throws, as it always
 * did. `check` (`collect` true) runs every rule and gets all their problems back as one plan refusal, so its report
 * names them all. The rules stay where they are: this only catches what they throw.
 */
export function gatherRefusals(
  rules: readonly (() => void)[],
  options: { collect: boolean; what: string },
): Plan["refusal"] {
  if (!options.collect) {
    for (const rule of rules) rule();
    return undefined;
  }
  const refused: PreflightRefusal[] = [];
  for (const rule of rules) {
    try {
      rule();
    } catch (error) {
      if (!(error instanceof PreflightRefusal)) throw error;
      refused.push(error);
    }
  }
  const [first] = refused;
  if (first === undefined) return undefined;
  const prefix = `${options.what}: `;
  const problems = [
    ...new Set(
      refused.flatMap((error) =>
        error.details.length > 0
          ? error.details
          : [error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message],
      ),
    ),
  ];
  return {
    code: refused.length === 1 ? first.code : "PREFLIGHT",
    message:
      problems.length === 1
        ? `${options.what}: ${problems[0]}`
        : `${options.what}: ${problems.length} problems`,
    problems,
    hint: [...new Set(refused.map((error) => error.hint).filter((hint) => hint !== undefined))].join(" "),
  };
}
