import { describe, expect, it } from "vitest";

import { MOCK_CLIENT } from "../tools/lib/azureMocks";
import { isSecret } from "../tools/lib/deployment";
import { resource, resources, runIndex, secretValue, VALID } from "./support/program";

const SERVER = "azure-native:dbforpostgresql:Server";
const VAULT = "azure-native:keyvault:Vault";
const KEY = "azure-native:keyvault:Key";
const POLICY = "azure-native:keyvault:AccessPolicy";
const ROLE = "azure-native:authorization:RoleAssignment";
const IDENTITY = "azure-native:managedidentity:UserAssignedIdentity";

describe("the default stack (access policies, no geo backup)", () => {
  it("binds the server to the versionless key URI and the identity's resource ID", async () => {
    const run = await runIndex(VALID);
    expect(run.error).toBeUndefined();
    const server = resource(run, SERVER);
    const key = resource(run, KEY);
    const identity = resource(run, IDENTITY);
    const vault = resource(run, VAULT);

    const vaultName = vault.inputs!.vaultName as string;
    expect(key.outputs!.keyUri).toBe(`https://${vaultName}.vault.azure.net/keys/postgres-cmk`);
    expect(server.inputs!.dataEncryption).toEqual({
      type: "AzureKeyVault",
      primaryKeyURI: `https://${vaultName}.vault.azure.net/keys/postgres-cmk`,
      primaryUserAssignedIdentityId: identity.id,
    });
    expect(identity.id).toBe(
      `/subscriptions/${MOCK_CLIENT.subscriptionId}/resourceGroups/rg-postgres-cmk-test/providers/Microsoft.ManagedIdentity/userAssignedIdentities/test-identity`,
    );
    expect(server.inputs!.identity).toEqual({
      type: "UserAssigned",
      userAssignedIdentities: { [identity.id!]: {} },
    });
    expect(server.inputs!.backup).toEqual({
      backupRetentionDays: 7,
      geoRedundantBackup: "Disabled",
    });
    expect(server.inputs!.location).toBe("westeurope");
  });

  it("grants the identity exactly get, list, wrapKey and unwrapKey on keys, before the server", async () => {
    const run = await runIndex(VALID);
    const policy = resource(run, POLICY);
    const identity = resource(run, IDENTITY);
    const vault = resource(run, VAULT);
    expect(policy.inputs!.policy).toEqual({
      objectId: identity.outputs!.principalId,
      tenantId: MOCK_CLIENT.tenantId,
      permissions: { keys: ["get", "list", "wrapKey", "unwrapKey"] },
    });
    expect(policy.inputs!.vaultName).toBe(vault.inputs!.vaultName);
    expect(resources(run, ROLE)).toHaveLength(0);
    expect(resource(run, SERVER).dependencies).toContain(policy.urn);
  });

  it("makes a vault with soft delete, purge protection, a deny-by-default firewall and no inline policies", async () => {
    const run = await runIndex(VALID);
    const vault = resource(run, VAULT);
    const properties = vault.inputs!.properties as Record<string, unknown>;
    expect(vault.inputs!.location).toBe("westeurope");
    expect(properties).toMatchObject({
      tenantId: MOCK_CLIENT.tenantId,
      sku: { family: "A", name: "standard" },
      enableSoftDelete: true,
      softDeleteRetentionInDays: 90,
      enablePurgeProtection: true,
      enableRbacAuthorization: false,
      networkAcls: {
        defaultAction: "Deny",
        bypass: "AzureServices",
        ipRules: [],
        virtualNetworkRules: [],
      },
    });
    expect(Object.keys(properties)).not.toContain("accessPolicies");
    expect(vault.inputs!.vaultName).toMatch(/^kvp-test-[0-9a-f]{8}$/);
    expect(vault.protect).toBe(true);
  });

  it("makes a deterministic RSA key for wrapping, kept when removed from the program", async () => {
    const first = await runIndex(VALID);
    const second = await runIndex(VALID);
    const key = resource(first, KEY);
    expect(key.inputs).toEqual(resource(second, KEY).inputs);
    expect(key.inputs!.keyName).toBe("postgres-cmk");
    expect(key.inputs!.properties).toEqual({
      kty: "RSA",
      keySize: 3072,
      keyOps: ["wrapKey", "unwrapKey"],
      attributes: { enabled: true, exportable: false },
      rotationPolicy: {
        attributes: { expiryTime: "P455D" },
        lifetimeActions: [
          { trigger: { timeAfterCreate: "P365D" }, action: { type: "rotate" } },
          { trigger: { timeBeforeExpiry: "P30D" }, action: { type: "notify" } },
        ],
      },
    });
    expect(key.protect).toBe(true);
    expect(key.retainOnDelete).toBe(true);
    expect(key.urn).toMatch(/::test-key-postgres-cmk$/);
  });

  it("enforces TLS 1.2, keeps public access off and holds the password as a secret", async () => {
    const run = await runIndex(VALID);
    const server = resource(run, SERVER);
    const configurations = resources(run, "azure-native:dbforpostgresql:Configuration").map((c) => [
      c.inputs!.configurationName,
      c.inputs!.value,
    ]);
    expect(configurations).toEqual([
      ["require_secure_transport", "on"],
      ["ssl_min_protocol_version", "TLSv1.2"],
    ]);
    expect(server.inputs!.network).toEqual({ publicNetworkAccess: "Disabled" });
    expect(resources(run, "azure-native:dbforpostgresql:FirewallRule")).toHaveLength(0);
    // The SDK fills in an empty tenant when Entra ID authentication is off.
    expect(server.inputs!.authConfig).toEqual({
      passwordAuth: "Enabled",
      activeDirectoryAuth: "Disabled",
      tenantId: "",
    });
    expect(isSecret(server.inputs!.administratorLoginPassword)).toBe(true);
    const password = resource(run, "random:index/randomPassword:RandomPassword");
    expect(secretValue(server.inputs!.administratorLoginPassword)).toBe(
      secretValue(password.outputs!.result),
    );
  });

  it("protects the vault, key, identity, grant and server, and lets throwaway stacks opt out", async () => {
    const run = await runIndex(VALID);
    for (const type of [
      VAULT,
      KEY,
      IDENTITY,
      POLICY,
      SERVER,
      "azure-native:resources:ResourceGroup",
    ]) {
      expect([type, resource(run, type).protect]).toEqual([type, true]);
    }
    const loose = await runIndex({ ...VALID, protect: false });
    for (const type of [VAULT, KEY, IDENTITY, POLICY, SERVER]) {
      expect([type, resource(loose, type).protect ?? false]).toEqual([type, false]);
    }
    expect(resource(loose, KEY).retainOnDelete).toBe(true);
  });

  it("gives vaults and servers names that are stable per stack and differ between stacks", async () => {
    const a = await runIndex(VALID, { stack: "alpha" });
    const again = await runIndex(VALID, { stack: "alpha" });
    const b = await runIndex(VALID, { stack: "beta" });
    const name = (run: typeof a, type: string, field: string) => resource(run, type).inputs![field];
    expect(name(a, VAULT, "vaultName")).toBe(name(again, VAULT, "vaultName"));
    expect(name(a, VAULT, "vaultName")).not.toBe(name(b, VAULT, "vaultName"));
    expect(name(a, SERVER, "serverName")).toMatch(/^psql-cmk-alpha-[0-9a-f]{8}$/);
    expect((name(a, VAULT, "vaultName") as string).length).toBeLessThanOrEqual(24);
  });
});

describe("names from unusual stack names", () => {
  it("keeps every Azure name valid for a stack name with periods and capitals", async () => {
    const run = await runIndex(VALID, { stack: "team.Prod_1" });
    expect(run.error).toBeUndefined();
    expect(resource(run, IDENTITY).inputs!.resourceName).toBe("team-Prod_1-identity");
    expect(resource(run, VAULT).inputs!.vaultName).toMatch(/^kvp-team-prod-1-[0-9a-f]{8}$/);
    expect(resource(run, SERVER).inputs!.serverName).toMatch(/^psql-cmk-team-prod-1-[0-9a-f]{8}$/);
    expect(resource(run, "azure-native:resources:ResourceGroup").inputs!.resourceGroupName).toBe(
      "rg-postgres-cmk-team-prod-1",
    );
  });
});

describe("geo-redundant backup", () => {
  it("puts a second identity, vault, key and grant in the paired region and wires them in", async () => {
    const run = await runIndex({ ...VALID, geoRedundantBackup: true });
    expect(run.error).toBeUndefined();
    const server = resource(run, SERVER);
    const geoVault = resource(run, VAULT, "test-geo-vault");
    const geoKey = resource(run, KEY, "test-geo-key-postgres-cmk");
    const geoIdentity = resource(run, IDENTITY, "test-geo-identity");
    const identity = resource(run, IDENTITY, "test-identity");
    const geoPolicy = resource(run, POLICY, "test-geo-grant");

    expect(geoVault.inputs!.location).toBe("northeurope");
    expect(geoIdentity.inputs!.location).toBe("northeurope");
    expect(geoVault.inputs!.vaultName).toMatch(/^kvg-test-geo-[0-9a-f]{8}$/);
    const encryption = server.inputs!.dataEncryption as Record<string, unknown>;
    expect(encryption.geoBackupKeyURI).toBe(geoKey.outputs!.keyUri);
    expect(encryption.geoBackupKeyURI).toBe(
      `https://${geoVault.inputs!.vaultName}.vault.azure.net/keys/postgres-cmk`,
    );
    expect(encryption.geoBackupUserAssignedIdentityId).toBe(geoIdentity.id);
    expect(encryption.primaryUserAssignedIdentityId).toBe(identity.id);
    expect(geoIdentity.id).not.toBe(identity.id);
    expect(server.inputs!.identity).toEqual({
      type: "UserAssigned",
      userAssignedIdentities: { [identity.id!]: {}, [geoIdentity.id!]: {} },
    });
    expect(server.inputs!.backup).toEqual({
      backupRetentionDays: 7,
      geoRedundantBackup: "Enabled",
    });
    expect((geoPolicy.inputs!.policy as Record<string, unknown>).objectId).toBe(
      geoIdentity.outputs!.principalId,
    );
    expect(server.dependencies).toEqual(
      expect.arrayContaining([resource(run, POLICY, "test-grant").urn, geoPolicy.urn]),
    );
  });

  it("accepts geoBackupLocation when it names the pair, in any spelling", async () => {
    const run = await runIndex({
      location: "West US 3",
      geoRedundantBackup: true,
      geoBackupLocation: "East US",
    });
    expect(run.error).toBeUndefined();
    expect(resource(run, VAULT, "test-geo-vault").inputs!.location).toBe("eastus");
    expect(resource(run, SERVER).inputs!.location).toBe("westus3");
  });
});

describe("RBAC authorization", () => {
  it("assigns Key Vault Crypto Service Encryption User on the key and turns RBAC on in the vault", async () => {
    const run = await runIndex({ ...VALID, keyVaultAuthorization: "rbac" });
    const role = resource(run, ROLE);
    const key = resource(run, KEY);
    const identity = resource(run, IDENTITY);
    expect(role.inputs).toMatchObject({
      principalId: identity.outputs!.principalId,
      principalType: "ServicePrincipal",
      roleDefinitionId: `/subscriptions/${MOCK_CLIENT.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/e147488a-f6f5-4113-8e2d-b22465e65bf6`,
      scope: key.id,
    });
    expect(key.id).toMatch(
      /\/providers\/Microsoft\.KeyVault\/vaults\/kvp-test-[0-9a-f]{8}\/keys\/postgres-cmk$/,
    );
    expect(
      (resource(run, VAULT).inputs!.properties as Record<string, unknown>).enableRbacAuthorization,
    ).toBe(true);
    expect(resources(run, POLICY)).toHaveLength(0);
    expect(resource(run, SERVER).dependencies).toContain(role.urn);
  });
});

describe("switching to a new key", () => {
  it("creates the new key, keeps previous keys and their role grants, and points the server at the new one", async () => {
    const run = await runIndex({
      ...VALID,
      keyVaultAuthorization: "rbac",
      keyName: "postgres-cmk-2027",
      previousKeyNames: ["postgres-cmk"],
    });
    const keys = resources(run, KEY).map((k) => k.inputs!.keyName);
    expect(keys).toEqual(["postgres-cmk-2027", "postgres-cmk"]);
    const grants = resources(run, ROLE).map((r) => r.urn.split("::").at(-1));
    expect(grants).toEqual(["test-grant-postgres-cmk-2027", "test-grant-postgres-cmk"]);
    const encryption = resource(run, SERVER).inputs!.dataEncryption as Record<string, unknown>;
    expect(encryption.primaryKeyURI).toBe(
      resource(run, KEY, "test-key-postgres-cmk-2027").outputs!.keyUri,
    );
    const registered = (keyName: string) =>
      run.registrations.find((r) => r.type === KEY && r.name === `test-key-${keyName}`)!;
    expect(registered("postgres-cmk").ignoreChanges).toEqual(["properties"]);
    expect(registered("postgres-cmk-2027").ignoreChanges).toEqual([]);
  });
});

describe("a first preview", () => {
  it("registers the same resources with Azure's computed values unknown", async () => {
    const run = await runIndex(VALID, { preview: true });
    const server = resource(run, SERVER);
    expect(server.id).toBeUndefined();
    expect((server.inputs!.dataEncryption as Record<string, unknown>).primaryKeyURI).toBe(
      "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    );
    expect(server.inputs!.location).toBe("westeurope");
    expect(resource(run, VAULT).inputs!.location).toBe("westeurope");
  });
});

describe("network and authentication options", () => {
  it("opens public access only for configured firewall ranges", async () => {
    const run = await runIndex({
      ...VALID,
      firewallRules: [
        { name: "office", startIpAddress: "203.0.113.10", endIpAddress: "203.0.113.20" },
      ],
    });
    expect(resource(run, SERVER).inputs!.network).toEqual({ publicNetworkAccess: "Enabled" });
    expect(resource(run, "azure-native:dbforpostgresql:FirewallRule").inputs).toMatchObject({
      firewallRuleName: "office",
      serverName: resource(run, SERVER).inputs!.serverName,
      startIpAddress: "203.0.113.10",
      endIpAddress: "203.0.113.20",
    });
  });

  it("lets operators through the vault firewall by address, still with trusted services", async () => {
    const run = await runIndex({ ...VALID, keyVaultIpRules: ["198.51.100.7", "203.0.113.0/24"] });
    const properties = resource(run, VAULT).inputs!.properties as Record<string, unknown>;
    expect(properties.networkAcls).toEqual({
      defaultAction: "Deny",
      bypass: "AzureServices",
      ipRules: [{ value: "198.51.100.7" }, { value: "203.0.113.0/24" }],
      virtualNetworkRules: [],
    });
  });

  it("turns on Entra ID authentication with the tenant and makes the configured administrator", async () => {
    const run = await runIndex({
      ...VALID,
      entraAuth: true,
      entraAdmin: {
        objectId: "0b6f5e1a-6f0e-4a4e-9d55-2f4f0c3a9b11",
        principalName: "dba-group",
        principalType: "Group",
      },
    });
    expect(resource(run, SERVER).inputs!.authConfig).toEqual({
      passwordAuth: "Enabled",
      activeDirectoryAuth: "Enabled",
      tenantId: MOCK_CLIENT.tenantId,
    });
    expect(
      resource(run, "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra").inputs,
    ).toMatchObject({
      objectId: "0b6f5e1a-6f0e-4a4e-9d55-2f4f0c3a9b11",
      principalName: "dba-group",
      principalType: "group",
      tenantId: MOCK_CLIENT.tenantId,
    });
  });

  it("turns automatic rotation off with keyRotationDays 0", async () => {
    const run = await runIndex({ ...VALID, keyRotationDays: 0 });
    expect(Object.keys(resource(run, KEY).inputs!.properties as object)).not.toContain(
      "rotationPolicy",
    );
  });
});

describe("tags", () => {
  it("tags every resource that ARM can update, and not the keys, which ARM never updates", async () => {
    const tags = { environment: "dev", owner: "platform" };
    const run = await runIndex({ ...VALID, tags });
    for (const type of [VAULT, IDENTITY, SERVER, "azure-native:resources:ResourceGroup"]) {
      expect([type, resource(run, type).inputs!.tags]).toEqual([type, tags]);
    }
    expect(Object.keys(resource(run, KEY).inputs!)).not.toContain("tags");
  });
});
