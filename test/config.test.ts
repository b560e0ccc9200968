import { describe, expect, it } from "vitest";

import { InvalidInputError } from "../components/errors";
import { FlexibleServer } from "../components/server";
import { sameArmId } from "../components/armId";
import { runComponents, runIndex, VALID } from "./support/program";

/** Runs the program on `values` and returns its error, asserting nothing but the stack was registered. */
async function configError(
  values: Record<string, unknown>,
  options: { secret?: string[] } = {},
): Promise<InvalidInputError> {
  const run = await runIndex(values, options);
  expect(run.registrations.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
  expect(InvalidInputError.isInstance(run.error)).toBe(true);
  return run.error as InvalidInputError;
}

async function problems(values: Record<string, unknown>) {
  return (await configError(values)).problems.map((p) => [p.property, p.value, p.accepted]);
}

describe("stack config errors", () => {
  it("lists every problem in one error, with the key, the value and what is accepted", async () => {
    const error = await configError({
      location: "mars",
      keySize: 1024,
      keyType: "EC",
      softDeleteRetentionDays: 120,
      storageSizeGB: "lots",
    });
    expect(error.message).toBe(
      [
        "The stack configuration has 5 problems; nothing was created:",
        '  - postgres-cmk:storageSizeGB: got "lots"; accepted: a number',
        '  - postgres-cmk:location: got "mars"; accepted: an Azure public-cloud region such as "westeurope" or "eastus2"',
        '  - postgres-cmk:keyType: got "EC"; accepted: "RSA" or "RSA-HSM"',
        "  - postgres-cmk:keySize: got 1024; accepted: 2048, 3072 or 4096",
        "  - postgres-cmk:softDeleteRetentionDays: got 120; accepted: a whole number of days from 7 to 90 (90 advised)",
      ].join("\n"),
    );
  });

  it("requires a location", async () => {
    expect(await problems({})).toEqual([
      ["location", undefined, 'an Azure region such as "westeurope" (required)'],
    ]);
  });

  it("refuses geo backup in a region without a pair", async () => {
    expect(await problems({ location: "polandcentral", geoRedundantBackup: true })).toEqual([
      [
        "geoRedundantBackup",
        true,
        "false: polandcentral has no Azure paired region to hold geo-redundant backups",
      ],
    ]);
  });

  it("refuses a geoBackupLocation other than the pair, and one without geo backup", async () => {
    expect(
      await problems({ ...VALID, geoRedundantBackup: true, geoBackupLocation: "eastus" }),
    ).toEqual([
      [
        "geoBackupLocation",
        "eastus",
        '"northeurope", the region Azure pairs with westeurope, or leave it unset',
      ],
    ]);
    expect(await problems({ ...VALID, geoBackupLocation: "northeurope" })).toEqual([
      ["geoBackupLocation", "northeurope", "unset while geoRedundantBackup is false"],
    ]);
  });

  it("refuses an HSM key in a standard vault", async () => {
    expect(await problems({ ...VALID, keyType: "RSA-HSM" })).toEqual([
      [
        "keyVaultSku",
        "standard",
        '"premium" for keyType "RSA-HSM" (HSM keys need a premium vault), or keyType "RSA"',
      ],
    ]);
    const run = await runIndex({ ...VALID, keyType: "RSA-HSM", keyVaultSku: "premium" });
    expect(run.error).toBeUndefined();
  });

  it("refuses names Azure would reject", async () => {
    const found = await problems({
      ...VALID,
      serverName: "Bad_Name",
      keyName: "my key",
      resourceGroupName: "rg.",
      administratorLogin: "azure_superuser",
      previousKeyNames: ["postgres-cmk"],
    });
    expect(found.map(([property, value]) => [property, value])).toEqual([
      ["resourceGroupName", "rg."],
      ["serverName", "Bad_Name"],
      ["keyName", "my key"],
      ["administratorLogin", "azure_superuser"],
    ]);
  });

  it("refuses a previous key name equal to the current one", async () => {
    expect(await problems({ ...VALID, keyName: "k2", previousKeyNames: ["k1", "k2"] })).toEqual([
      [
        "previousKeyNames[1]",
        "k2",
        "a key name other than keyName, listed once (Key Vault ignores case)",
      ],
    ]);
  });

  it("refuses retention days out of range", async () => {
    expect(
      await problems({ ...VALID, softDeleteRetentionDays: 5, backupRetentionDays: 40 }),
    ).toEqual([
      ["backupRetentionDays", 40, "a whole number of days from 7 to 35"],
      ["softDeleteRetentionDays", 5, "a whole number of days from 7 to 90 (90 advised)"],
    ]);
  });

  it("refuses values of the wrong type, naming the type", async () => {
    expect(
      await problems({
        ...VALID,
        keySize: "big",
        geoRedundantBackup: "yes",
        tags: "env=dev",
        firewallRules: "{}",
      }),
    ).toEqual([
      ["geoRedundantBackup", "yes", "true or false"],
      ["keySize", "big", "a number"],
      ["firewallRules", {}, "a list"],
      ["tags", "env=dev", "a map"],
    ]);
  });

  it("refuses firewall rules with bad addresses or a reversed range", async () => {
    const found = await problems({
      ...VALID,
      firewallRules: [
        { name: "a", startIpAddress: "10.0.0.300", endIpAddress: "10.0.0.1" },
        { name: "b", startIpAddress: "10.0.0.9", endIpAddress: "10.0.0.1" },
      ],
    });
    expect(found).toEqual([
      ["firewallRules[0].startIpAddress", "10.0.0.300", 'an IPv4 address such as "203.0.113.10"'],
      [
        "firewallRules[1].endIpAddress",
        "10.0.0.1",
        "an address at or after startIpAddress 10.0.0.9",
      ],
    ]);
  });

  it("reads numbers as the Pulumi CLI does: plain decimals only", async () => {
    expect(await problems({ ...VALID, keySize: "0x800", storageSizeGB: "1e2" })).toEqual([
      ["storageSizeGB", "1e2", "a number"],
      ["keySize", "0x800", "a number"],
    ]);
  });

  it("refuses vault firewall rules Key Vault would refuse", async () => {
    expect(
      await problems({
        ...VALID,
        keyVaultIpRules: [
          "10.0.0.0/8",
          "192.168.1.0/24",
          "203.0.113.5/24",
          "0.0.0.0/0",
          7,
          "198.51.100.7",
        ],
      }),
    ).toEqual([
      [
        "keyVaultIpRules[0]",
        "10.0.0.0/8",
        "a public address or range: Key Vault's firewall refuses private and reserved ones",
      ],
      [
        "keyVaultIpRules[1]",
        "192.168.1.0/24",
        "a public address or range: Key Vault's firewall refuses private and reserved ones",
      ],
      ["keyVaultIpRules[2]", "203.0.113.5/24", "the range's network address, 203.0.113.0/24"],
      [
        "keyVaultIpRules[3]",
        "0.0.0.0/0",
        "a public address or range: Key Vault's firewall refuses private and reserved ones",
      ],
      ["keyVaultIpRules[4]", 7, 'an IPv4 address or CIDR range such as "203.0.113.0/24"'],
    ]);
  });

  it("refuses a SKU from another tier's family", async () => {
    expect(
      await problems({ ...VALID, skuName: "Standard_D2ds_v5", skuTier: "MemoryOptimized" }),
    ).toEqual([
      [
        "skuName",
        "Standard_D2ds_v5",
        'a MemoryOptimized SKU (Standard_E...) for skuTier "MemoryOptimized", or skuTier "GeneralPurpose"',
      ],
    ]);
    const run = await runIndex({ ...VALID, skuName: "Standard_B1ms", skuTier: "Burstable" });
    expect(run.error).toBeUndefined();
  });

  it("compares names without case, as Azure does", async () => {
    expect(
      await problems({
        ...VALID,
        keyName: "Postgres-CMK",
        previousKeyNames: ["postgres-cmk"],
        firewallRules: [
          { name: "office", startIpAddress: "203.0.113.10", endIpAddress: "203.0.113.20" },
          { name: "Office", startIpAddress: "203.0.113.30", endIpAddress: "203.0.113.40" },
        ],
      }),
    ).toEqual([
      [
        "previousKeyNames[0]",
        "postgres-cmk",
        "a key name other than keyName, listed once (Key Vault ignores case)",
      ],
      [
        "firewallRules[1].name",
        "Office",
        "a name no other firewall rule uses (Azure ignores case)",
      ],
    ]);
  });

  it("reports every bad entry of a list or map, and fields it does not know", async () => {
    expect(
      await problems({
        ...VALID,
        tags: { n: 5, "a/b": "x", ok: "y" },
        entraAuth: true,
        entraAdmin: {
          objectId: "0b6f5e1a-6f0e-4a4e-9d55-2f4f0c3a9b11",
          principalName: "dba",
          principalType: "Group",
          role: "owner",
        },
        firewallRules: [
          { name: "a", startIpAddress: "203.0.113.1", endIpAddress: "203.0.113.1", note: "x" },
        ],
      }),
    ).toEqual([
      ["firewallRules[0].note", "x", "no such field; known: name, startIpAddress, endIpAddress"],
      ["entraAdmin.role", "owner", "no such field; known: objectId, principalName, principalType"],
      ["tags.n", 5, "a string of at most 256 characters"],
      ["tags.a/b", "a/b", "a tag name of 1-512 characters without < > % & \\ ? /"],
    ]);
  });

  it("refuses more tags than Azure allows", async () => {
    const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, "v"]));
    expect(await problems({ ...VALID, tags })).toEqual([
      ["tags", "51 tags", "at most 50 tags, Azure's limit per resource"],
    ]);
  });

  it("does not invent an expiry problem when the rotation period itself is wrong", async () => {
    expect(await problems({ ...VALID, keyRotationDays: 45.5 })).toEqual([
      [
        "keyRotationDays",
        45.5,
        "0 (no automatic rotation) or a whole number of days from 30 to 3650",
      ],
    ]);
  });

  it("refuses a rotation expiry that leaves no time to act", async () => {
    expect(await problems({ ...VALID, keyRotationDays: 90, keyExpiryDays: 100 })).toEqual([
      [
        "keyExpiryDays",
        100,
        "a whole number of days of at least keyRotationDays + 60 (150), or unset for 180",
      ],
    ]);
  });

  it("never prints the value of a secret setting", async () => {
    const error = await configError(
      { ...VALID, adminPassword: "hunter2-plaintext", keyName: "bad name!" },
      { secret: ["adminPassword", "keyName"] },
    );
    expect(error.message).not.toContain("hunter2");
    expect(error.message).not.toContain("bad name!");
    expect(error.problems.map((p) => [p.property, p.value])).toEqual([
      ["adminPassword", "[secret]"],
      ["keyName", "[secret]"],
    ]);
  });

  it("refuses a misspelt setting instead of ignoring it", async () => {
    const [found] = await problems({ ...VALID, keyVaultAuthorisation: "rbac" });
    expect(found[0]).toBe("keyVaultAuthorisation");
    expect(found[2]).toMatch(/^no such setting; known settings are location, /);
  });
});

describe("ARM IDs", () => {
  const id =
    "/subscriptions/6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b/resourceGroups/RG-Db/providers/Microsoft.ManagedIdentity/userAssignedIdentities/db-identity";

  it("compare without case, as Azure returns resourcegroups in lower case", () => {
    expect(sameArmId(id, id.replace("resourceGroups/RG-Db", "resourcegroups/rg-db"))).toBe(true);
    expect(sameArmId(id, `${id}/`)).toBe(true);
    expect(sameArmId(id, id.replace("db-identity", "db-geo-identity"))).toBe(false);
  });

  it("keep a server from using one identity for both keys, whatever the case", async () => {
    const run = await runComponents(
      () =>
        new FlexibleServer("db", {
          resourceGroupName: "rg-db",
          location: "westeurope",
          serverName: "psql-db",
          version: "17",
          skuName: "Standard_D2ds_v5",
          skuTier: "GeneralPurpose",
          storageSizeGB: 128,
          backupRetentionDays: 7,
          primaryKey: { keyUri: "https://kv.vault.azure.net/keys/k", identityId: id },
          geoBackupKey: {
            keyUri: "https://kvg.vault.azure.net/keys/k",
            identityId: id.replace("resourceGroups/RG-Db", "resourcegroups/rg-db"),
          },
          grants: [],
          administratorLogin: "pgadmin",
          administratorPassword: "not-used-here",
          tenantId: "t",
        }),
    );
    expect(InvalidInputError.isInstance(run.error)).toBe(true);
    expect((run.error as Error).message).toContain(
      'geoBackupKey.identityId: got "/subscriptions/6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b/resourcegroups/rg-db/',
    );
    expect(run.registrations.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
  });
});
