/** A string that says something: ksonnet wrote unset params as null, `''` or the string `'null'`. */
export function presentString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" && value !== "null" ? value : undefined;
}
