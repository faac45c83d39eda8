import { GcpError } from "../errors.js";

/** What one failed gcloud run said, reduced to what may be shown: its ERROR lines, credentials removed. */
export interface GcloudFailure {
  /** `gcloud compute disks describe d --zone z --project p --format=json`: arguments only. */
  command: string;
  project: string;
  stderr: string;
}

const CREDENTIAL_PATTERNS: readonly RegExp[] = [
  /ya29\.[\w.-]+/g,
  /(bearer\s+)[\w.~+/-]+=*/gi,
  /((?:access_token|refresh_token|id_token|client_secret|token)["']?\s*[:=]\s*["']?)[^\s"',&]+/gi,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/**
 * The lines of gcloud's stderr worth showing: `ERROR: (gcloud.x.y) …` and the ` - …` lines under it, at most a few
 * hundred characters, with anything that looks like a token or key replaced. Warnings, progress and tracebacks
 * are dropped.
 */
export function filterGcloudStderr(stderr: string): string {
  const lines = stderr.split(/\r?\n/);
  const start = lines.findIndex((line) => line.startsWith("ERROR:"));
  const end = lines.findIndex((line, index) => index > start && line.trim() === "");
  const kept = start === -1 ? [] : lines.slice(start, end === -1 ? undefined : end);
  let text = kept
    .map((line) => line.replace(/^ERROR:\s*(\(gcloud[\w.-]*\)\s*)?/, "").trim())
    .join(" ")
    .replace(
      /\s*This command is unauthenticated because the \[auth\/disable_credentials\] property is True\.?/g,
      "",
    )
    .replace(/\s+/g, " ")
    .trim();
  for (const pattern of CREDENTIAL_PATTERNS) {
    text = text.replace(pattern, (_match, prefix?: unknown) =>
      typeof prefix === "string" ? `${prefix}<redacted>` : "<redacted>",
    );
  }
  return text.length > 400 ? `${text.slice(0, 397)}...` : text;
}

/**
 * The most specific typed error for a failed gcloud run (a ladder: API disabled before permission denied, since
 * Google answers both with 403). gcloud prints the API's error message, not its JSON, so the ladder reads the text
 * gcloud prints for each (see test/unit/gcp/gcloud-failure.test.ts for the real gcloud's output).
 */
export function describeGcloudFailure(failure: GcloudFailure): GcpError {
  const said = filterGcloudStderr(failure.stderr);
  const details = said ? [`gcloud says: ${said}`] : [];
  const base = { command: failure.command, details };
  const { project } = failure;
  if (
    /SERVICE_DISABLED|accessNotConfigured|has not been used in project|API has not been enabled/i.test(said)
  ) {
    const service = /([a-z]+\.googleapis\.com)/.exec(said)?.[1] ?? "compute.googleapis.com";
    return new GcpError(
      "GCP_API_DISABLED",
      `the ${service} API is disabled in project ${project}; nothing was changed`,
      {
        ...base,
        hint: `Enable it with \`gcloud services enable ${service} --project ${project}\`, wait a minute, and run the command again.`,
      },
    );
  }
  if (/quota|rateLimitExceeded|RESOURCE_EXHAUSTED|code=429|rate limit/i.test(said)) {
    return new GcpError(
      "GCP_QUOTA",
      `a GCP quota or rate limit of project ${project} was exceeded; nothing was changed`,
      {
        ...base,
        hint: `Wait a minute and run the command again; \`gcloud compute project-info describe --project ${project}\` shows the quotas.`,
      },
    );
  }
  if (/required property \[project\]|project.*is not currently set/i.test(said)) {
    return new GcpError("GCP_PROJECT_MISSING", "gcloud has no project to ask; nothing was changed", {
      ...base,
      hint: "Set it with `kfp-upgrade params set platform gcp/PROJECT/ZONE` (kfp-upgrade passes it to gcloud as --project).",
    });
  }
  if (
    new RegExp(
      `resource 'projects/${escapeRegExp(project)}' was not found|project ${escapeRegExp(project)} (was )?not found|Unknown project|Invalid value for project|invalid project`,
      "i",
    ).test(said)
  ) {
    return new GcpError(
      "GCP_PROJECT_NOT_FOUND",
      `GCP project "${project}" does not exist or is not visible to this account; nothing was changed`,
      {
        ...base,
        hint: `Check the project ID with \`gcloud projects describe ${project}\` (or \`gcloud projects list\`), then \`kfp-upgrade params set platform gcp/PROJECT/ZONE\`.`,
      },
    );
  }
  if (/was not found|code=404|notFound|NOT_FOUND/i.test(said)) {
    return new GcpError("GCP_NOT_FOUND", `gcloud found no such resource in project ${project}`, {
      ...base,
      hint: `Run \`${failure.command.replace(/ --format=json$/, "")}\` to see it.`,
    });
  }
  if (/permission|forbidden|PERMISSION_DENIED|code=403|not authorized|does not have/i.test(said)) {
    return new GcpError(
      "GCP_PERMISSION_DENIED",
      `the gcloud account may not read this in project ${project}; nothing was changed`,
      {
        ...base,
        hint: `\`gcloud auth list\` shows the account; it needs read access to Compute Engine (e.g. roles/compute.viewer): see \`gcloud projects get-iam-policy ${project}\`.`,
      },
    );
  }
  if (
    /not logged in|You do not currently have an active account|Reauthentication|gcloud auth login/i.test(said)
  ) {
    return notLoggedIn(failure.command);
  }
  return new GcpError("GCLOUD_FAILED", `\`${failure.command}\` failed; nothing was changed`, {
    ...base,
    hint: `Run \`${failure.command}\` yourself to see gcloud's full answer.`,
  });
}

export function notLoggedIn(command: string): GcpError {
  return new GcpError(
    "GCLOUD_NOT_LOGGED_IN",
    "gcloud has no active account (`gcloud auth list` is empty); nothing was changed",
    {
      command,
      hint: "Log in with `gcloud auth login` (or `gcloud auth activate-service-account --key-file KEY.json`), check with `gcloud auth list`, and run the command again.",
    },
  );
}

export function gcloudMissing(command: string, binary: string): GcpError {
  return new GcpError(
    "GCLOUD_MISSING",
    `gcloud was not found (tried "${binary}" on PATH); nothing was changed`,
    {
      command,
      hint: "Install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install), check with `gcloud version`, and run the command again.",
    },
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
