import { describe, expect, it } from "vitest";
import { REDACTED, redactSecrets } from "../../src/redact.js";

describe("redactSecrets", () => {
  const cases: { name: string; value: unknown; redacted: unknown }[] = [
    {
      name: "a Secret's data",
      value: {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "s" },
        data: { password: "aHVudGVyMg==" },
      },
      redacted: { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { password: REDACTED } },
    },
    {
      name: "a Secret's stringData",
      value: {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "s" },
        stringData: { accesskey: "minio", secretkey: "minio123" },
      },
      redacted: {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "s" },
        stringData: { accesskey: REDACTED, secretkey: REDACTED },
      },
    },
    {
      name: "Secrets nested anywhere (plans, events, lists)",
      value: {
        type: "plan",
        plan: {
          steps: [
            { objects: [{ apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { k: "v" } }] },
          ],
        },
      },
      redacted: {
        type: "plan",
        plan: {
          steps: [
            {
              objects: [{ apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { k: REDACTED } }],
            },
          ],
        },
      },
    },
    {
      name: "not a ConfigMap's data",
      value: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { appVersion: "2.5.0" } },
      redacted: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "c" },
        data: { appVersion: "2.5.0" },
      },
    },
    {
      name: "not a field merely called kind: Secret without an apiVersion (a step ref, a table row)",
      value: { kind: "Secret", name: "mysql-secret", data: { note: "kept" } },
      redacted: { kind: "Secret", name: "mysql-secret", data: { note: "kept" } },
    },
    { name: "plain values", value: ["a", 1, null, true], redacted: ["a", 1, null, true] },
    { name: "a string", value: "password=hunter2", redacted: "password=hunter2" },
  ];
  it.each(cases)("$name", ({ value, redacted }) => {
    expect(redactSecrets(value)).toEqual(redacted);
  });

  it("does not change what it was given", () => {
    const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { k: "v" } };
    redactSecrets(secret);
    expect(secret.data).toEqual({ k: "v" });
  });

  it("keeps the keys, so a reader sees what a Secret holds", () => {
    const redacted = redactSecrets({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s" },
      data: { username: "x", password: "y" },
    });
    expect(Object.keys(redacted.data)).toEqual(["username", "password"]);
  });
});
