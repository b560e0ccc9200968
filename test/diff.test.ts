import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";

import { POLICY_NAMES } from "../policy/evaluate";
import { planInChild } from "../tools/diff";
import { DeploymentResource, urnName } from "../tools/lib/deployment";
import { Change, diffDeployments, judge, REPLACE_RULES } from "../tools/lib/diffPlans";
import { asPreviewDigest, changesFromPreview } from "../tools/lib/diffPreview";

const PROJECT_DIR = path.resolve(__dirname, "..");
const FIXTURE = path.join(__dirname, "fixtures", "preview-geo-backup-replace.json");
const DEV = (
  parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  }
).config;

let dir: string;

/** Pulumi.dev.yaml with some settings changed (undefined removes one), written to a temp file. */
function devConfig(name: string, changes: Record<string, unknown>): string {
  const config: Record<string, unknown> = { ...DEV };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) {
      delete config[`postgres-cmk:${key}`];
    } else {
      config[`postgres-cmk:${key}`] = value;
    }
  }
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, stringify({ config }));
  return file;
}

const SCENARIOS = {
  dev: {},
  renamed: { keyName: "postgres-cmk-2026", previousKeyNames: ["postgres-cmk"] },
  renamedResized: {
    keyName: "postgres-cmk-2026",
    previousKeyNames: ["postgres-cmk"],
    keySize: 4096,
  },
  renamedForgotten: { keyName: "postgres-cmk-2026" },
  unprotected: { protect: false },
  unprotectedRenamedForgotten: { protect: false, keyName: "postgres-cmk-2026" },
  noGeo: { geoRedundantBackup: false, geoBackupLocation: undefined },
  moved: { location: "francecentral", geoBackupLocation: "francesouth" },
  keySize: { keySize: 4096 },
  tags: { tags: { environment: "dev", owner: "data-platform" } },
  shrunk: { storageSizeGB: 64, postgresVersion: "16", administratorLogin: "dbadmin" },
  grown: { storageSizeGB: 256, postgresVersion: "18" },
} as const;

const plans: Record<string, DeploymentResource[]> = {};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "diff-test-"));
  const entries = Object.entries(SCENARIOS);
  const planned = await Promise.all(
    entries.map(([name, changes]) => planInChild("dev", devConfig(name, changes), name)),
  );
  entries.forEach(([name], i) => {
    plans[name] = planned[i].deployment.resources;
  });
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The changes as `name: action` for every resource that is not unchanged. */
function actions(changes: Change[]): Record<string, string> {
  return Object.fromEntries(
    changes
      .filter((c) => c.action !== "unchanged")
      .map((c) => [urnName(c.urn), `${c.action}${c.blocked ? " (blocked)" : ""}`]),
  );
}

function change(changes: Change[], name: string): Change {
  const found = changes.find((c) => urnName(c.urn) === name);
  if (!found) {
    throw new Error(`no change for ${name}: ${changes.map((c) => urnName(c.urn)).join(", ")}`);
  }
  return found;
}

function diff(baseName: string, proposedName: string) {
  const base = plans[baseName];
  const proposed = plans[proposedName];
  const changes = diffDeployments(base, proposed);
  return { changes, verdict: judge(changes, base, proposed, []) };
}

describe("diffDeployments and judge on offline plans", () => {
  it("renaming the key with the old name kept: new keys, the server updated in place, safe", () => {
    const { changes, verdict } = diff("dev", "renamed");

    expect(actions(changes)).toEqual({
      "dev-key-postgres-cmk-2026": "create",
      "dev-geo-key-postgres-cmk-2026": "create",
      "dev-server": "update",
    });
    expect(change(changes, "dev-server").paths).toEqual([
      "dataEncryption.geoBackupKeyURI",
      "dataEncryption.primaryKeyURI",
    ]);
    expect(change(changes, "dev-key-postgres-cmk").action).toBe("unchanged");
    // One access policy per vault covers the new key as well.
    expect(change(changes, "dev-grant").action).toBe("unchanged");
    expect(verdict).toEqual({ safe: true, reasons: [] });
  });

  it("renaming the key without previousKeyNames on an unprotected stack retains the old keys, safe", () => {
    const { changes, verdict } = diff("unprotected", "unprotectedRenamedForgotten");

    expect(actions(changes)).toEqual({
      "dev-key-postgres-cmk-2026": "create",
      "dev-geo-key-postgres-cmk-2026": "create",
      "dev-server": "update",
      "dev-key-postgres-cmk": "retain",
      "dev-geo-key-postgres-cmk": "retain",
    });
    expect(verdict).toEqual({ safe: true, reasons: [] });
  });

  it("renaming the key without previousKeyNames on a protected stack is blocked and unsafe", () => {
    const { changes, verdict } = diff("dev", "renamedForgotten");

    expect(actions(changes)).toEqual({
      "dev-key-postgres-cmk-2026": "create",
      "dev-geo-key-postgres-cmk-2026": "create",
      "dev-server": "update",
      "dev-key-postgres-cmk": "retain (blocked)",
      "dev-geo-key-postgres-cmk": "retain (blocked)",
    });
    expect(verdict).toEqual({
      safe: false,
      reasons: [
        'Key dev-key-postgres-cmk would leave the program while protected, so pulumi up would stop: add "postgres-cmk" to previousKeyNames to keep it declared.',
        'Key dev-geo-key-postgres-cmk would leave the program while protected, so pulumi up would stop: add "postgres-cmk" to previousKeyNames to keep it declared.',
      ],
    });
  });

  it("turning on geo-redundant backup on an existing server replaces the server, unsafe", () => {
    const { changes, verdict } = diff("noGeo", "dev");

    expect(actions(changes)).toEqual({
      "dev-geo-identity": "create",
      "dev-geo-vault": "create",
      "dev-geo-grant": "create",
      "dev-geo-key-postgres-cmk": "create",
      "dev-server": "replace (blocked)",
      // Their serverName comes from the replaced server.
      "dev-server-require-secure-transport": "replace",
      "dev-server-ssl-min-protocol-version": "replace",
      "dev-server-fw-office": "replace",
    });
    const server = change(changes, "dev-server");
    expect(server.paths).toContain("backup.geoRedundantBackup");
    expect(server.reason).toBe(
      "geo-redundant backup is chosen when the server is created and cannot be switched",
    );
    expect(verdict).toEqual({
      safe: false,
      reasons: [
        "Server dev-server would be replaced (backup.geoRedundantBackup: geo-redundant backup is chosen when the server is created and cannot be switched), and pulumi up would stop because it is protected: a new server starts without the data, so keep these settings as they are, or restore into a new server on purpose.",
      ],
    });
  });

  it("moving the region replaces the server, vaults and keys, unsafe", () => {
    const { changes, verdict } = diff("dev", "moved");

    expect(actions(changes)).toEqual({
      "dev-rg": "replace (blocked)",
      "dev-identity": "replace (blocked)",
      "dev-geo-identity": "replace (blocked)",
      "dev-vault": "replace (blocked)",
      "dev-geo-vault": "replace (blocked)",
      "dev-grant": "replace (blocked)",
      "dev-geo-grant": "replace (blocked)",
      "dev-key-postgres-cmk": "replace (blocked)",
      "dev-geo-key-postgres-cmk": "replace (blocked)",
      "dev-server": "replace (blocked)",
      "dev-server-require-secure-transport": "replace",
      "dev-server-ssl-min-protocol-version": "replace",
      "dev-server-fw-office": "replace",
    });
    expect(change(changes, "dev-server").paths).toEqual(["location"]);
    expect(change(changes, "dev-key-postgres-cmk").reason).toBe(
      "resourceGroupName comes from dev-rg, which is replaced",
    );
    expect(verdict.safe).toBe(false);
    expect(verdict.reasons.map((r) => r.split(" would ")[0])).toEqual([
      "Server dev-server",
      "Key vault dev-vault",
      "Key vault dev-geo-vault",
      "Key dev-key-postgres-cmk",
      "Key dev-geo-key-postgres-cmk",
      "Identity dev-identity, through which the server reaches its key,",
      "Identity dev-geo-identity, through which the server reaches its key,",
      "Grant dev-grant, which the server needs to reach its key,",
      "Grant dev-geo-grant, which the server needs to reach its key,",
      "dev-rg is protected and",
    ]);
  });

  it("changing the key size replaces the keys the server uses, unsafe", () => {
    const { changes, verdict } = diff("dev", "keySize");

    expect(actions(changes)).toEqual({
      "dev-key-postgres-cmk": "replace (blocked)",
      "dev-geo-key-postgres-cmk": "replace (blocked)",
    });
    expect(change(changes, "dev-key-postgres-cmk").paths).toEqual(["properties.keySize"]);
    expect(verdict).toEqual({
      safe: false,
      reasons: [
        'Key dev-key-postgres-cmk would be replaced (properties.keySize: ARM never updates a key: a changed key property means a new key) while the server encrypts with it, and pulumi up would stop because it is protected: switch to a new key by changing keyName and adding "postgres-cmk" to previousKeyNames instead.',
        'Key dev-geo-key-postgres-cmk would be replaced (properties.keySize: ARM never updates a key: a changed key property means a new key) while the server encrypts with it, and pulumi up would stop because it is protected: switch to a new key by changing keyName and adding "postgres-cmk" to previousKeyNames instead.',
      ],
    });
  });

  it("switching to a bigger key leaves the old key as it was created, safe", () => {
    const { changes, verdict } = diff("dev", "renamedResized");
    expect(actions(changes)).toEqual({
      "dev-key-postgres-cmk-2026": "create",
      "dev-geo-key-postgres-cmk-2026": "create",
      "dev-server": "update",
    });
    const created = plans.renamedResized.find(
      (r) =>
        r.type === "azure-native:keyvault:Key" && r.urn.endsWith("::dev-key-postgres-cmk-2026"),
    )!;
    expect((created.inputs!.properties as Record<string, unknown>).keySize).toBe(4096);
    const kept = plans.renamedResized.find(
      (r) => r.type === "azure-native:keyvault:Key" && r.urn.endsWith("::dev-key-postgres-cmk"),
    )!;
    expect(kept.ignoreChanges).toEqual(["properties"]);
    expect(verdict).toEqual({ safe: true, reasons: [] });
  });

  it("calls shrinking storage, downgrading and renaming the login unsafe: Azure refuses them", () => {
    const { changes, verdict } = diff("dev", "shrunk");
    expect(actions(changes)).toEqual({ "dev-server": "update" });
    expect(change(changes, "dev-server").paths).toEqual([
      "administratorLogin",
      "storage.storageSizeGB",
      "version",
    ]);
    expect(verdict).toEqual({
      safe: false,
      reasons: [
        "Server dev-server cannot take storage.storageSizeGB 128 -> 64: Azure can grow a server's storage but never shrink it; keep the current value.",
        'Server dev-server cannot take version "17" -> "16": Azure upgrades a server\'s major version in place but never downgrades it; keep the current value.',
        'Server dev-server cannot take administratorLogin "pgadmin" -> "dbadmin": the administrator login is fixed when the server is created; keep the current value.',
      ],
    });
  });

  it("calls growing storage and upgrading the version safe", () => {
    const { changes, verdict } = diff("dev", "grown");
    expect(change(changes, "dev-server").paths).toEqual(["storage.storageSizeGB", "version"]);
    expect(verdict).toEqual({ safe: true, reasons: [] });
  });

  it("changing only tags updates in place, safe", () => {
    const { changes, verdict } = diff("dev", "tags");

    const tagged = [
      "dev-rg",
      "dev-identity",
      "dev-geo-identity",
      "dev-vault",
      "dev-geo-vault",
      "dev-server",
    ];
    expect(actions(changes)).toEqual(Object.fromEntries(tagged.map((n) => [n, "update"])));
    for (const name of tagged) {
      expect(change(changes, name).paths).toEqual(["tags.owner"]);
    }
    expect(verdict).toEqual({ safe: true, reasons: [] });
  });

  it("compares redacted secrets as equal, since their content cannot be seen offline", () => {
    const server = plans.dev.find((r) => r.type === "azure-native:dbforpostgresql:Server")!;
    const { changes } = diff("dev", "dev");

    expect(server.inputs?.administratorLoginPassword).toEqual({
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      ciphertext: "[secret]",
    });
    expect(changes.every((c) => c.action === "unchanged")).toBe(true);
  });

  it("treats a removed grant the server still needs as unsafe, and a mandatory violation too", () => {
    const base = plans.dev;
    const proposed = base.filter((r) => urnName(r.urn) !== "dev-grant");
    const changes = diffDeployments(base, proposed);
    const violations = [
      {
        policy: "azure-keyvault-purge-protection",
        enforcementLevel: "mandatory",
        urn: base.find((r) => r.type === "azure-native:keyvault:Vault")!.urn,
        message: "Key vault must have purge protection on.",
      },
      { policy: "advice", enforcementLevel: "advisory", message: "Only advice." },
    ];

    expect(actions(changes)).toEqual({ "dev-grant": "retain (blocked)" });
    expect(judge(changes, base, proposed, violations).reasons).toEqual([
      "Grant dev-grant, which the server needs to reach its key, would leave the program, and pulumi up would stop because it is protected: keep it declared; for a key's grant, add the old key name to previousKeyNames.",
      "Mandatory policy azure-keyvault-purge-protection fails on dev-vault: Key vault must have purge protection on.",
    ]);
  });

  it("keeps one replace rule per reason, each for a known resource type", () => {
    for (const rule of REPLACE_RULES) {
      expect(rule.reason).toMatch(/^[a-zA-Z]/);
      expect(rule.paths.length).toBeGreaterThan(0);
    }
  });
});

describe("changesFromPreview on a pulumi preview digest", () => {
  it("collapses the replacement steps into one replace and judges it unsafe", () => {
    const digest = asPreviewDigest(JSON.parse(fs.readFileSync(FIXTURE, "utf8")), FIXTURE);
    const { changes, base, proposed } = changesFromPreview(digest);

    expect(actions(changes)).toEqual({
      "staging-geo-identity": "create",
      "staging-geo-vault": "create",
      "staging-geo-grant": "create",
      "staging-geo-key-postgres-cmk": "create",
      "staging-server": "replace",
    });
    expect(changes.filter((c) => urnName(c.urn) === "staging-server")).toHaveLength(1);
    expect(change(changes, "staging-server").paths).toEqual([
      "backup.geoRedundantBackup",
      "dataEncryption.geoBackupKeyURI",
      "dataEncryption.geoBackupUserAssignedIdentityId",
      "identity.userAssignedIdentities",
    ]);
    expect(judge(changes, base, proposed, [])).toEqual({
      safe: false,
      reasons: [
        "Server staging-server would be replaced (backup.geoRedundantBackup: geo-redundant backup is chosen when the server is created and cannot be switched): a new server starts without the data, so keep these settings as they are, or restore into a new server on purpose.",
      ],
    });
  });

  it("judges an update of an input fixed at creation as a replacement", () => {
    const digest = asPreviewDigest(JSON.parse(fs.readFileSync(FIXTURE, "utf8")), FIXTURE);
    const steps = (digest.steps ?? [])
      .filter((s) => s.op !== "delete-replaced")
      .map((s) =>
        s.op === "replace" || s.op === "create-replacement" ? { ...s, op: "update" } : s,
      );
    const { changes } = changesFromPreview({ steps });

    expect(change(changes, "staging-server")).toMatchObject({
      action: "replace",
      reason: "geo-redundant backup is chosen when the server is created and cannot be switched",
    });
  });

  it("rejects a file that is not a digest, and an op it does not know", () => {
    expect(() => asPreviewDigest([], "x.json")).toThrow(
      'x.json is not a "pulumi preview --json" digest: it has no "steps" list',
    );
    expect(() => asPreviewDigest({ steps: [{ op: "teleport", urn: "u" }] }, "x.json")).toThrow(
      'x.json: step u has an op this tool does not know: "teleport"',
    );
  });
});

/** Runs `npm run diff` as CI would, with the Node that runs the tests. */
function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        path.join(PROJECT_DIR, "tools", "diff.ts"),
        ...args,
      ],
      { cwd: PROJECT_DIR },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
      },
    );
  });
}

describe("npm run diff", () => {
  it("prints the JSON shape and exits 0 for a safe change", async () => {
    const result = await runCli([
      "--stack",
      "dev",
      "--base",
      devConfig("cli-tags", SCENARIOS.tags),
      "--json",
    ]);

    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(Object.keys(doc)).toEqual(["changes", "safe", "reasons"]);
    expect(doc.safe).toBe(true);
    expect(doc.reasons).toEqual([]);
    expect(doc.changes.find((c: Change) => urnName(c.urn) === "dev-server")).toEqual({
      urn: "urn:pulumi:dev::postgres-cmk::postgres-cmk:postgres:FlexibleServer$azure-native:dbforpostgresql:Server::dev-server",
      type: "azure-native:dbforpostgresql:Server",
      action: "update",
      paths: ["tags.owner"],
    });
  });

  it("exits 1 and says why for a region move", async () => {
    // Pulumi.dev.yaml is the proposed config, so the base is the other region.
    const result = await runCli([
      "--stack",
      "dev",
      "--base",
      devConfig("cli-moved", SCENARIOS.moved),
    ]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain("Verdict: UNSAFE");
    expect(result.stdout).toContain("  - Server dev-server would be replaced (location: ");
  });

  it("exits 2 with one clear message for a missing file or a config error", async () => {
    const missing = await runCli(["--stack", "dev", "--base", path.join(dir, "nope.yaml")]);
    const invalid = await runCli([
      "--stack",
      "dev",
      "--base",
      devConfig("cli-bad", { keySize: 1000 }),
    ]);
    const usage = await runCli(["--stack", "dev"]);

    expect(missing).toMatchObject({ code: 2, stdout: "" });
    expect(missing.stderr).toBe(
      `diff: cannot read stack config ${path.join(dir, "nope.yaml")}: ENOENT\n`,
    );
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(
      /^diff: the base config .*cli-bad\.yaml cannot be planned: The stack configuration has 1 problem/,
    );
    expect(invalid.stderr).toContain(
      "  - postgres-cmk:keySize: got 1000; accepted: 2048, 3072 or 4096\n",
    );
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^diff: give both --stack and --base/);
  });

  it("exits 1 for the preview digest with a replace step", async () => {
    const result = await runCli(["--preview", FIXTURE, "--json"]);

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).safe).toBe(false);
  });

  it("runs the policy pack on the proposed resources, and exits 2 for bad policy config", async () => {
    const strict = path.join(dir, "strict.json");
    const wrong = path.join(dir, "wrong.json");
    fs.writeFileSync(strict, JSON.stringify({ "cmk-resources-protected": "mandatory" }));
    fs.writeFileSync(wrong, JSON.stringify({ "no-such-policy": "mandatory" }));

    const gated = await runCli(["--preview", FIXTURE, "--json", "--policy-config", strict]);
    const bad = await runCli(["--preview", FIXTURE, "--policy-config", wrong]);

    expect(gated.code).toBe(1);
    expect(JSON.parse(gated.stdout).reasons).toContain(
      'Mandatory policy cmk-resources-protected fails on staging-server: Server "staging-server" must be protected: set the resource option protect: true; it holds the data.',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      `diff: ${wrong}: no-such-policy: no such policy in postgres-cmk; known policies are all, ${POLICY_NAMES.join(", ")}\n`,
    );
  });
});

describe("npm run diff and the policy pack", () => {
  it("plans both sides whatever their violations, and judges the proposed one with the caller's config", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "diff-policy-"));
    const text = fs
      .readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8")
      .replace(
        "postgres-cmk:softDeleteRetentionDays: 90",
        "postgres-cmk:softDeleteRetentionDays: 30",
      );
    const stack = "diffpolicy";
    const proposed = path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`);
    const base = path.join(dir, "base.yaml");
    const config = path.join(dir, "policy-config.json");
    fs.writeFileSync(base, text);
    fs.writeFileSync(proposed, text);
    fs.writeFileSync(
      config,
      JSON.stringify({ "keyvault-soft-delete-enabled": { minimumRetentionDays: 7 } }),
    );
    try {
      const lenient = await runCli([
        "--stack",
        stack,
        "--base",
        base,
        "--json",
        "--policy-config",
        config,
      ]);
      expect(lenient.code).toBe(0);
      expect(JSON.parse(lenient.stdout)).toMatchObject({ safe: true, reasons: [] });

      const strict = await runCli(["--stack", stack, "--base", base, "--json"]);
      expect(strict.code).toBe(1);
      expect(JSON.parse(strict.stdout).reasons).toContain(
        'Mandatory policy keyvault-soft-delete-enabled fails on diffpolicy-vault: Key vault "diffpolicy-vault" must set properties.softDeleteRetentionInDays to at least 90 (got 30); retention is fixed when the vault is created, so a new vault is needed.',
      );
    } finally {
      fs.rmSync(proposed);
    }
  });
});
