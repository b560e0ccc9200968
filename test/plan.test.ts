import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { POLICY_NAMES } from "../policy/evaluate";
import { StackExport } from "../tools/lib/deployment";
import { ROOT, runTool } from "./support/cli";

const dev = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");

function byType(plan: StackExport, type: string) {
  return plan.deployment.resources.filter((r) => r.type === type);
}

describe("npm run plan", () => {
  it("shows the dev stack's identity, vault, key, grant and server, with encryption bound to the key", () => {
    const { code, stdout, stderr } = runTool("plan.ts", []);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    for (const line of [
      "managedidentity:UserAssignedIdentity  dev-identity  (westeurope)  [protect]",
      "keyvault:Vault  dev-vault  (westeurope)  [protect]",
      "keyvault:Key  dev-key-postgres-cmk  [protect, retainOnDelete]",
      "keyvault:AccessPolicy  dev-grant  [protect, retainOnDelete]",
      "dbforpostgresql:Server  dev-server  (westeurope)  [protect]",
      "keyvault:Vault  dev-geo-vault  (northeurope)  [protect]",
    ]) {
      expect(stdout).toContain(line);
    }
    expect(stdout).toMatch(
      /primary key {7}https:\/\/kvp-dev-[0-9a-f]{8}\.vault\.azure\.net\/keys\/postgres-cmk\n/,
    );
    expect(stdout).toMatch(
      /geo key {11}https:\/\/kvg-dev-geo-[0-9a-f]{8}\.vault\.azure\.net\/keys\/postgres-cmk\n/,
    );
    expect(stdout).toContain("administratorPassword  [secret]");
    expect(stdout).not.toContain("Mock-");
    const order = stdout.slice(stdout.indexOf("Creation order"));
    expect(order.indexOf("dev-grant (keyvault:AccessPolicy)")).toBeLessThan(
      order.indexOf("dev-server (dbforpostgresql:Server)"),
    );
  });

  it("writes a stack export whose server points at the key's versionless URI, with no secret in it", () => {
    const { code, stdout } = runTool("plan.ts", ["--json"]);
    expect(code).toBe(0);
    const plan = JSON.parse(stdout) as StackExport;
    expect(plan.version).toBe(3);
    const [server] = byType(plan, "azure-native:dbforpostgresql:Server");
    const key = byType(plan, "azure-native:keyvault:Key").find((k) =>
      k.urn.endsWith("::dev-key-postgres-cmk"),
    )!;
    const encryption = server.inputs!.dataEncryption as Record<string, string>;
    expect(encryption.primaryKeyURI).toBe(key.outputs!.keyUri);
    expect(encryption.primaryKeyURI).not.toMatch(/\/[0-9a-f]{32}$/);
    expect(key.outputs!.keyUriWithVersion).toMatch(/\/keys\/postgres-cmk\/[0-9a-f]{32}$/);
    expect(server.parent).toMatch(/postgres-cmk:postgres:FlexibleServer::dev-server$/);
    expect(server.protect).toBe(true);
    expect(server.dependencies).toEqual(
      expect.arrayContaining(byType(plan, "azure-native:keyvault:AccessPolicy").map((p) => p.urn)),
    );
    expect(server.propertyDependencies!.dataEncryption).toEqual(expect.arrayContaining([key.urn]));
    expect(server.inputs!.administratorLoginPassword).toEqual({
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      ciphertext: "[secret]",
    });
    expect(stdout).not.toContain("Mock-");
  });

  it("plans a first preview with the key URI unknown", () => {
    const { code, stdout } = runTool("plan.ts", ["--preview"]);
    expect(code).toBe(0);
    expect(stdout).toContain('Offline first-preview plan for stack "dev"');
    expect(stdout).toContain("primary key       (known after create)");
    // Every policy reaches a verdict on a first preview, rather than "can't run during preview".
    expect(stdout).toMatch(/\nPolicies \(postgres-cmk\)\n {2}No policy violations\.\n$/);
  });

  it("exits 2 with the whole list of config problems", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
    const file = path.join(dir, "Pulumi.bad.yaml");
    fs.writeFileSync(
      file,
      dev
        .replace("postgres-cmk:keySize: 3072", "postgres-cmk:keySize: 1024")
        .replace(
          "postgres-cmk:geoBackupLocation: northeurope",
          "postgres-cmk:geoBackupLocation: eastus",
        ),
    );
    const { code, stdout, stderr } = runTool("plan.ts", ["--stack", "bad", "--config-file", file]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      [
        "plan: The stack configuration has 2 problems; nothing was created:",
        '  - postgres-cmk:geoBackupLocation: got "eastus"; accepted: "northeurope", the region Azure pairs with westeurope, or leave it unset',
        "  - postgres-cmk:keySize: got 1024; accepted: 2048, 3072 or 4096",
        "",
      ].join("\n"),
    );
  });

  it("reads a key with no value as empty, and refuses keys without a namespace", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
    const empty = path.join(dir, "Pulumi.empty.yaml");
    fs.writeFileSync(
      empty,
      "config:\n  postgres-cmk:location: westeurope\n  postgres-cmk:serverName:\n",
    );
    const blank = runTool("plan.ts", ["--stack", "empty", "--config-file", empty]);
    expect(blank.code).toBe(2);
    expect(blank.stderr).toContain(
      '  - postgres-cmk:serverName: got ""; accepted: 3-63 lowercase letters',
    );

    const bare = path.join(dir, "Pulumi.bare.yaml");
    fs.writeFileSync(bare, "config:\n  location: westeurope\n");
    const unnamespaced = runTool("plan.ts", ["--stack", "bare", "--config-file", bare]);
    expect(unnamespaced.code).toBe(2);
    expect(unnamespaced.stderr).toBe(
      `plan: ${bare}: config keys need a namespace, e.g. "postgres-cmk:location"; found location\n`,
    );
  });

  it("exits 2 on a missing stack file or an unknown option", () => {
    const missing = runTool("plan.ts", ["--stack", "nosuch"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `plan: cannot read stack config ${path.join(ROOT, "Pulumi.nosuch.yaml")}: ENOENT\n`,
    );
    const unknown = runTool("plan.ts", ["--bogus"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^plan: Unknown option '--bogus'/);
  });
});

describe("npm run plan with the policy pack", () => {
  const shortRetention = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
    const file = path.join(dir, "Pulumi.short.yaml");
    fs.writeFileSync(
      file,
      dev.replace(
        "postgres-cmk:softDeleteRetentionDays: 90",
        "postgres-cmk:softDeleteRetentionDays: 30",
      ),
    );
    return { dir, file };
  };

  it("reports the dev stack clean", () => {
    const { code, stdout } = runTool("plan.ts", []);
    expect(code).toBe(0);
    expect(stdout).toMatch(/\nPolicies \(postgres-cmk\)\n {2}No policy violations\.\n$/);
  });

  it("exits 1 and names the policy when the plan breaks a mandatory one", () => {
    const { file } = shortRetention();
    const { code, stdout } = runTool("plan.ts", ["--config-file", file]);
    expect(code).toBe(1);
    expect(stdout).toContain(
      "  [mandatory] keyvault-soft-delete-enabled: dev-vault (azure-native:keyvault:Vault)\n" +
        '      Key vault "dev-vault" must set properties.softDeleteRetentionInDays to at least 90 (got 30)',
    );
    expect(stdout).toContain("  2 violations: 2 mandatory, 0 advisory.");
  });

  it("takes the pack's config, as --policy-pack-config does, and refuses a bad one", () => {
    const { dir, file } = shortRetention();
    const config = path.join(dir, "policy-config.json");
    fs.writeFileSync(
      config,
      JSON.stringify({ "keyvault-soft-delete-enabled": { minimumRetentionDays: 30 } }),
    );
    expect(runTool("plan.ts", ["--config-file", file, "--policy-config", config]).code).toBe(0);

    fs.writeFileSync(config, JSON.stringify({ "no-such-policy": "mandatory" }));
    const bad = runTool("plan.ts", ["--policy-config", config]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      `plan: ${config}: no-such-policy: no such policy in postgres-cmk; known policies are all, ${POLICY_NAMES.join(", ")}\n`,
    );
  });

  it("sends violations to stderr with --json, keeping stdout a stack export", () => {
    const { file } = shortRetention();
    const { code, stdout, stderr } = runTool("plan.ts", ["--config-file", file, "--json"]);
    expect(code).toBe(1);
    expect(JSON.parse(stdout).version).toBe(3);
    expect(stderr).toContain("[mandatory] keyvault-soft-delete-enabled: dev-geo-vault");
  });
});
