/**
 * The `KEY=value` lines kfctl.sh wrote to `${KFAPP}/env.sh` (PLATFORM, PROJECT, ZONE, DEPLOYMENT_NAME,
 * K8S_NAMESPACE, ...). Quotes are removed; anything that needs a shell to evaluate (`$(...)`, `${X}`) is left out.
 */
export function parseEnvSh(source: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of source.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match?.[1]) continue;
    const raw = (match[2] ?? "").trim();
    const value = /^"(.*)"$/.exec(raw)?.[1] ?? /^'(.*)'$/.exec(raw)?.[1] ?? raw.replace(/\s+#.*$/, "");
    if (/[$`]/.test(value)) continue;
    values[match[1]] = value;
  }
  return values;
}
