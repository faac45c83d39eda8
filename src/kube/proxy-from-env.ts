import { isIP } from "node:net";

/**
 * The proxy kubectl would use for `url`, read from the environment as Go's net/http does
 * (golang.org/x/net/http/httpproxy): HTTPS_PROXY/https_proxy for https, HTTP_PROXY/http_proxy for http, a proxy
 * without a scheme taken as http://; never for `localhost` or a loopback address; not for a host NO_PROXY/no_proxy
 * names: `*` (everything), an IP or CIDR, or a domain (which matches itself and its subdomains; with a leading `.`,
 * only its subdomains), each optionally with `:port`.
 */
export function proxyForUrl(url: URL, env: Record<string, string | undefined>): string | undefined {
  const https = url.protocol === "https:";
  const proxy = (https ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy))?.trim();
  if (!proxy) return undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (host === "localhost" || isLoopback(host)) return undefined;
  const port = url.port || (https ? "443" : "80");
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? "").split(",").map((entry) => entry.trim().toLowerCase());
  if (noProxy.some((entry) => entry !== "" && excludes(entry, host, port))) return undefined;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}

function excludes(entry: string, host: string, port: string): boolean {
  if (entry === "*") return true;
  if (entry.includes("/")) return inCidr(host, entry);
  const { name, entryPort } = splitPort(entry);
  if (entryPort !== undefined && entryPort !== port) return false;
  if (isIP(name)) return name === host;
  if (name.startsWith("*.")) return host.endsWith(name.slice(1));
  if (name.startsWith(".")) return host.endsWith(name);
  return host === name || host.endsWith(`.${name}`);
}

function splitPort(entry: string): { name: string; entryPort: string | undefined } {
  const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { name: bracketed[1] ?? "", entryPort: bracketed[2] };
  const colons = entry.split(":").length - 1;
  if (colons === 1) {
    const [name = "", entryPort] = entry.split(":");
    return { name, entryPort };
  }
  return { name: entry, entryPort: undefined };
}

function isLoopback(host: string): boolean {
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

function inCidr(host: string, cidr: string): boolean {
  const [network = "", bits = ""] = cidr.split("/");
  if (isIP(host) !== 4 || isIP(network) !== 4) return false;
  const prefix = Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) return false;
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return (ipv4(host) & mask) >>> 0 === (ipv4(network) & mask) >>> 0;
}

function ipv4(address: string): number {
  return address.split(".").reduce((value, octet) => ((value << 8) | Number(octet)) >>> 0, 0);
}
