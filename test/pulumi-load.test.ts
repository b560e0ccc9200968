import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..");

describe("loading index.ts the way `pulumi up` does", () => {
  it("type-checks and runs with the project's own TypeScript and ts-node, not Pulumi's vendored ones", () => {
    const out = execFileSync(
      process.execPath,
      [path.join(ROOT, "test/support/load-like-pulumi.js")],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    );
    const summary = JSON.parse(out);
    expect(summary.typescript.require).toBe("typescript");
    expect(summary.typescript.version).toMatch(/^6\./);
    expect(summary.tsNode.require).toBe("ts-node");
    expect(summary.tsNode.version).toMatch(/^10\./);
    expect(summary.typeCheck).toBe(true);
    expect(summary.error).toBeNull();
    expect(summary.types).toEqual(
      expect.arrayContaining([
        "azure-native:managedidentity:UserAssignedIdentity",
        "azure-native:keyvault:Vault",
        "azure-native:keyvault:Key",
        "azure-native:keyvault:AccessPolicy",
        "azure-native:dbforpostgresql:Server",
      ]),
    );
    expect(summary.primaryKeyURI).toMatch(
      /^https:\/\/kvp-dev-[0-9a-f]{8}\.vault\.azure\.net\/keys\/postgres-cmk$/,
    );
  });
});
