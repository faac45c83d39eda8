import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultApp } from "../../../src/app/kfp-app.js";
import { Output } from "../../../src/cli/output.js";
import { upstreamFor } from "../../../src/cli/prepare-run.js";
import { fakeStreams } from "./fake-streams.js";

function deps(env: NodeJS.ProcessEnv) {
  return {
    env,
    output: new Output(fakeStreams({ env }), "text", false, false),
    signal: new AbortController().signal,
  };
}
const appWithSource = {
  ...defaultApp(),
  release: { variant: "default" as const, source: "https://app.example.com/kubeflow/pipelines" },
};

describe("upstreamFor", () => {
  it("defaults to GitHub and ~/.cache (XDG_CACHE_HOME when set)", () => {
    const upstream = upstreamFor({ quiet: false }, deps({ XDG_CACHE_HOME: "/xdg" }), defaultApp());
    expect(upstream).toMatchObject({
      source: "https://github.com/kubeflow/pipelines",
      api: "https://api.github.com",
      cacheRoot: path.join("/xdg", "kfp-upgrade", "releases"),
    });
    expect(upstream.token).toBeUndefined();
  });

  it("--release-source wins over KFP_UPGRADE_RELEASE_SOURCE, which wins over release.source", () => {
    const env = { KFP_UPGRADE_RELEASE_SOURCE: "http://env.example.com/p" };
    expect(
      upstreamFor({ quiet: false, releaseSource: "https://flag.example.com/p" }, deps(env), appWithSource)
        .source,
    ).toBe("https://flag.example.com/p");
    expect(upstreamFor({ quiet: false }, deps(env), appWithSource).source).toBe("http://env.example.com/p");
    expect(upstreamFor({ quiet: false }, deps({}), appWithSource).source).toBe(
      "https://app.example.com/kubeflow/pipelines",
    );
  });

  it("reads KFP_UPGRADE_GITHUB_API and GITHUB_TOKEN", () => {
    const upstream = upstreamFor(
      { quiet: true },
      deps({ KFP_UPGRADE_GITHUB_API: "http://127.0.0.1:1234", GITHUB_TOKEN: "t0ken" }),
      defaultApp(),
    );
    expect(upstream).toMatchObject({ api: "http://127.0.0.1:1234", token: "t0ken" });
    expect(upstream.progress).toBeUndefined();
  });

  it("refuses a KFP_UPGRADE_RELEASE_SOURCE that is not an http(s) URL", () => {
    expect(() =>
      upstreamFor(
        { quiet: false },
        deps({ KFP_UPGRADE_RELEASE_SOURCE: "github.com/kubeflow/pipelines" }),
        defaultApp(),
      ),
    ).toThrowError('KFP_UPGRADE_RELEASE_SOURCE="github.com/kubeflow/pipelines" is not an http(s) URL');
  });
});
