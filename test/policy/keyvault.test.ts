import { describe, expect, it } from "vitest";

import { URNS, change, goodStack, violationsOf } from "./stack";

describe("keyvault-soft-delete-enabled", () => {
  const policy = "keyvault-soft-delete-enabled";

  it("passes a vault with soft delete on for 90 days", () => {
    expect(violationsOf(policy, goodStack())).toEqual([]);
  });

  it("passes a vault that leaves the retention at Azure's default of 90 days", () => {
    const stack = change(
      goodStack(),
      URNS.primaryVault,
      (r) => delete r.inputs.properties.softDeleteRetentionInDays,
    );
    expect(violationsOf(policy, stack)).toEqual([]);
  });

  it("fails a vault that does not set enableSoftDelete", () => {
    const stack = change(
      goodStack(),
      URNS.primaryVault,
      (r) => delete r.inputs.properties.enableSoftDelete,
    );
    expect(violationsOf(policy, stack)).toEqual([
      {
        policy,
        enforcementLevel: "mandatory",
        urn: URNS.primaryVault,
        message:
          'Key vault "db-vault" must set properties.enableSoftDelete to true (got nothing): Azure refuses customer-managed keys from a vault without soft delete.',
      },
    ]);
  });

  it("fails a vault that keeps deleted vaults for fewer than 90 days", () => {
    const stack = change(
      goodStack(),
      URNS.geoVault,
      (r) => (r.inputs.properties.softDeleteRetentionInDays = 7),
    );
    expect(violationsOf(policy, stack)).toEqual([
      {
        policy,
        enforcementLevel: "mandatory",
        urn: URNS.geoVault,
        message:
          'Key vault "db-geo-vault" must set properties.softDeleteRetentionInDays to at least 90 (got 7); retention is fixed when the vault is created, so a new vault is needed.',
      },
    ]);
  });

  it("takes the minimum from policy config", () => {
    const stack = change(
      goodStack(),
      URNS.geoVault,
      (r) => (r.inputs.properties.softDeleteRetentionInDays = 30),
    );
    expect(violationsOf(policy, stack, { [policy]: { minimumRetentionDays: 30 } })).toEqual([]);
    expect(
      violationsOf(policy, stack, { [policy]: { minimumRetentionDays: 60 } })[0].message,
    ).toContain("must set properties.softDeleteRetentionInDays to at least 60 (got 30)");
  });
});

describe("keyvault-purge-protection-enabled", () => {
  const policy = "keyvault-purge-protection-enabled";

  it("passes a vault with purge protection", () => {
    expect(violationsOf(policy, goodStack())).toEqual([]);
  });

  it("fails a vault with purge protection off", () => {
    const stack = change(
      goodStack(),
      URNS.primaryVault,
      (r) => (r.inputs.properties.enablePurgeProtection = false),
    );
    expect(violationsOf(policy, stack)).toEqual([
      {
        policy,
        enforcementLevel: "mandatory",
        urn: URNS.primaryVault,
        message:
          'Key vault "db-vault" must set properties.enablePurgeProtection to true (got false); once on, it can never be turned off.',
      },
    ]);
  });
});

describe("keyvault-trusted-services-bypass", () => {
  const policy = "keyvault-trusted-services-bypass";

  it("passes a vault that denies by default and lets Azure services through", () => {
    expect(violationsOf(policy, goodStack())).toEqual([]);
  });

  it("passes a vault that allows by default", () => {
    const stack = change(goodStack(), URNS.primaryVault, (r) => {
      r.inputs.properties.networkAcls = { defaultAction: "Allow", bypass: "None" };
    });
    expect(violationsOf(policy, stack)).toEqual([]);
  });

  it("fails a vault that denies by default without the bypass", () => {
    const stack = change(
      goodStack(),
      URNS.primaryVault,
      (r) => (r.inputs.properties.networkAcls.bypass = "None"),
    );
    expect(violationsOf(policy, stack)).toEqual([
      {
        policy,
        enforcementLevel: "mandatory",
        urn: URNS.primaryVault,
        message:
          'Key vault "db-vault" denies network access by default and must set properties.networkAcls.bypass to "AzureServices" (got "None"); otherwise the database service cannot reach the key.',
      },
    ]);
  });
});

describe("keyvault-no-mixed-access-policies", () => {
  const policy = "keyvault-no-mixed-access-policies";
  const inlineEntry = {
    objectId: "00000000-0000-4000-8000-0000000000c1",
    tenantId: "00000000-0000-4000-8000-0000000000aa",
    permissions: { secrets: ["get"] },
  };

  it("passes a vault whose own list only mirrors its standalone policies", () => {
    const stack = change(goodStack(), URNS.primaryVault, (r) => {
      r.outputs.properties.accessPolicies = [
        { objectId: "00000000-0000-4000-8000-0000000000b1", permissions: { keys: ["get"] } },
      ];
    });
    expect(violationsOf(policy, stack)).toEqual([]);
  });

  it("fails a vault with an inline policy beside a standalone one", () => {
    const stack = change(
      goodStack(),
      URNS.primaryVault,
      (r) => (r.outputs.properties.accessPolicies = [inlineEntry]),
    );
    expect(violationsOf(policy, stack)).toEqual([
      {
        policy,
        enforcementLevel: "advisory",
        urn: URNS.primaryVault,
        message:
          'Key vault "db-vault" must not combine inline properties.accessPolicies (1 entries) with standalone AccessPolicy resources ("db-grant"): each update of the vault rewrites the list and removes the standalone policies. Move the inline entries to AccessPolicy resources.',
      },
    ]);
  });
});

describe("keyvault-access-policy-least-privilege", () => {
  const policy = "keyvault-access-policy-least-privilege";

  it("passes grants of exactly the four key permissions", () => {
    expect(violationsOf(policy, goodStack())).toEqual([]);
  });

  it("fails a server identity's grant with more key permissions", () => {
    const stack = change(goodStack(), URNS.primaryGrant, (r) =>
      r.outputs.policy.permissions.keys.push("delete"),
    );
    expect(violationsOf(policy, stack)).toEqual([
      {
        policy,
        enforcementLevel: "advisory",
        urn: URNS.primaryGrant,
        message:
          'The access policy "db-grant" for server identity "db-identity" must grant only key permissions get, list, wrapKey, unwrapKey; remove keys: delete.',
      },
    ]);
  });

  it("fails a server identity's grant of secret permissions", () => {
    const stack = change(
      goodStack(),
      URNS.geoGrant,
      (r) => (r.outputs.policy.permissions.secrets = ["get"]),
    );
    expect(violationsOf(policy, stack).map((v) => v.message)).toEqual([
      'The access policy "db-geo-grant" for server identity "db-geo-identity" must grant only key permissions get, list, wrapKey, unwrapKey; remove secrets: get.',
    ]);
  });

  it("fails any access policy that grants purge, inline ones too", () => {
    const stack = change(goodStack(), URNS.geoVault, (r) => {
      r.outputs.properties.accessPolicies = [
        {
          objectId: "00000000-0000-4000-8000-0000000000c1",
          tenantId: "t",
          permissions: { keys: ["Purge"] },
        },
      ];
    });
    expect(violationsOf(policy, stack).map((v) => [v.urn, v.message])).toEqual([
      [
        URNS.geoVault,
        'The inline access policy 0 of key vault "db-geo-vault" must not grant purge or all (keys: Purge): list the operations needed instead.',
      ],
    ]);
  });
});
