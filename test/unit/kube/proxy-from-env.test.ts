import { describe, expect, it } from "vitest";
import { proxyForUrl } from "../../../src/kube/proxy-from-env.js";

const PROXY = { HTTPS_PROXY: "http://proxy.corp:3128", HTTP_PROXY: "proxy.corp:8080" };
const via = (url: string, env: Record<string, string | undefined>) => proxyForUrl(new URL(url), env);

describe("proxyForUrl (as kubectl reads the environment)", () => {
  it("HTTPS_PROXY for https servers, HTTP_PROXY (http:// assumed) for http ones, lower case too", () => {
    expect(via("https://k8s.example.com:6443", PROXY)).toBe("http://proxy.corp:3128");
    expect(via("http://k8s.example.com", PROXY)).toBe("http://proxy.corp:8080");
    expect(via("https://k8s.example.com", { https_proxy: "http://lower:1" })).toBe("http://lower:1");
    expect(via("https://k8s.example.com", {})).toBeUndefined();
  });

  it("never for localhost or a loopback address", () => {
    for (const url of [
      "https://localhost:6443",
      "https://127.0.0.1:6443",
      "https://127.9.9.9",
      "https://[::1]:6443",
    ])
      expect(via(url, PROXY), url).toBeUndefined();
  });

  it.each([
    ["*", "https://k8s.example.com", undefined],
    ["example.com", "https://k8s.example.com", undefined],
    ["example.com", "https://example.com", undefined],
    [".example.com", "https://example.com", "http://proxy.corp:3128"],
    [".example.com", "https://k8s.example.com", undefined],
    ["*.example.com", "https://k8s.example.com", undefined],
    ["other.com, k8s.example.com", "https://k8s.example.com:6443", undefined],
    ["k8s.example.com:443", "https://k8s.example.com:6443", "http://proxy.corp:3128"],
    ["k8s.example.com:6443", "https://k8s.example.com:6443", undefined],
    ["10.0.0.0/8", "https://10.1.2.3:6443", undefined],
    ["10.0.0.0/8", "https://11.1.2.3:6443", "http://proxy.corp:3128"],
    ["10.1.2.3", "https://10.1.2.3", undefined],
    ["notexample.com", "https://example.com", "http://proxy.corp:3128"],
  ])("NO_PROXY=%j for %s", (noProxy, url, expected) => {
    expect(via(url, { ...PROXY, NO_PROXY: noProxy })).toBe(expected);
  });
});
