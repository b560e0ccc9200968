import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import { KNOWN_REGIONS, geoBackupRegion } from "../../policy/lib/regions";
import { PACK_NAME, policies } from "../../policy/policies";
import { POLICY_NAMES } from "../../policy/evaluate";

const POLICY_DIR = path.resolve(__dirname, "../../policy");

describe("the policy pack", () => {
  it("has exactly the documented policies, each at its level", () => {
    expect(policies.map((p) => [p.name, p.enforcementLevel])).toEqual([
      ["keyvault-soft-delete-enabled", "mandatory"],
      ["keyvault-purge-protection-enabled", "mandatory"],
      ["cmk-key-vault-same-region", "mandatory"],
      ["cmk-key-type-and-size", "mandatory"],
      ["cmk-identity-can-use-key", "mandatory"],
      ["postgres-flexible-server-cmk", "mandatory"],
      ["postgres-geo-backup-cmk", "mandatory"],
      ["keyvault-trusted-services-bypass", "mandatory"],
      ["keyvault-no-mixed-access-policies", "advisory"],
      ["keyvault-access-policy-least-privilege", "advisory"],
      ["cmk-resources-protected", "advisory"],
      ["postgres-secure-transport", "advisory"],
    ]);
    expect(POLICY_NAMES).toEqual(policies.map((p) => p.name));
    expect(new Set(POLICY_NAMES).size).toBe(12);
  });

  it('names policies in kebab-case and describes them in sentences starting "Checks that"', () => {
    for (const policy of policies) {
      expect(policy.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)+$/);
      expect(policy.name).not.toBe("all");
      expect(policy.description).toMatch(/^Checks that .+\.$/);
    }
  });

  it("gives every config knob a default and never a property named enforcementLevel", () => {
    const knobs = policies.flatMap((p) =>
      Object.entries(p.configSchema?.properties ?? {}).map(([name, s]) => [
        p.name,
        name,
        s.default,
      ]),
    );
    expect(knobs).toEqual([
      ["keyvault-soft-delete-enabled", "minimumRetentionDays", 90],
      ["cmk-key-type-and-size", "minimumKeySize", 2048],
      ["cmk-key-type-and-size", "expiryWindowDays", 30],
    ]);
  });

  it("is a Pulumi policy pack folder: PulumiPolicy.yaml, a versioned package.json and an entry file", () => {
    expect(
      parse(fs.readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8")),
    ).toMatchObject({ runtime: "nodejs" });
    const pkg = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8"));
    expect([pkg.name, pkg.version, pkg.main]).toEqual(["postgres-cmk-policy", "0.1.0", "index.ts"]);
    const entry = fs.readFileSync(path.join(POLICY_DIR, "index.ts"), "utf8");
    expect(entry).toContain("new PolicyPack(PACK_NAME, {");
    expect(PACK_NAME).toBe("postgres-cmk");
  });

  it("pairs regions as Azure publishes them, one-way pairs included", () => {
    expect(geoBackupRegion("West Europe")).toBe("northeurope");
    expect(geoBackupRegion("westus3")).toBe("eastus");
    expect(geoBackupRegion("eastus")).toBe("westus");
    expect(geoBackupRegion("brazilsouth")).toBe("southcentralus");
    expect(geoBackupRegion("polandcentral")).toBeNull();
    expect(geoBackupRegion("mars")).toBeUndefined();
    for (const region of KNOWN_REGIONS) {
      const pair = geoBackupRegion(region);
      expect([region, pair === null || KNOWN_REGIONS.includes(pair!)]).toEqual([region, true]);
    }
  });
});
