/**
 * A valid customer-managed-key stack in `pulumi stack export` shape, as another program might
 * write it: outputs the way ARM returns them (no path inputs, key settings flat), a primary and a
 * geo-backup key with their own vaults and identities, and access-policy vaults. Tests change one
 * thing at a time with `change`.
 */
import { DeploymentResource, UNKNOWN } from "../../tools/lib/deployment";
import { Violation, evaluatePolicies, PolicyPackConfig } from "../../policy/evaluate";

const SUB = "/subscriptions/00000000-0000-4000-8000-000000000001";
const RG = `${SUB}/resourceGroups/rg-db`;
const TENANT = "00000000-0000-4000-8000-0000000000aa";
const PROJECT = "urn:pulumi:prod::other";

export const urn = (type: string, name: string) => `${PROJECT}::${type}::${name}`;

export const URNS = {
  primaryIdentity: urn("azure-native:managedidentity:UserAssignedIdentity", "db-identity"),
  geoIdentity: urn("azure-native:managedidentity:UserAssignedIdentity", "db-geo-identity"),
  primaryVault: urn("azure-native:keyvault:Vault", "db-vault"),
  geoVault: urn("azure-native:keyvault:Vault", "db-geo-vault"),
  primaryKey: urn("azure-native:keyvault:Key", "db-key"),
  geoKey: urn("azure-native:keyvault:Key", "db-geo-key"),
  primaryGrant: urn("azure-native:keyvault:AccessPolicy", "db-grant"),
  geoGrant: urn("azure-native:keyvault:AccessPolicy", "db-geo-grant"),
  server: urn("azure-native:dbforpostgresql:Server", "db"),
  tls: urn("azure-native:dbforpostgresql:Configuration", "db-tls"),
};

export const IDS = {
  primaryIdentity: `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/db-identity`,
  geoIdentity: `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/db-geo-identity`,
  primaryPrincipal: "00000000-0000-4000-8000-0000000000b1",
  geoPrincipal: "00000000-0000-4000-8000-0000000000b2",
  primaryKeyUri: "https://kv-db-primary.vault.azure.net/keys/db-key",
  geoKeyUri: "https://kv-db-geo.vault.azure.net/keys/db-key",
};

function identity(key: "primary" | "geo", location: string): DeploymentResource {
  const name = key === "primary" ? "db-identity" : "db-geo-identity";
  const principalId = key === "primary" ? IDS.primaryPrincipal : IDS.geoPrincipal;
  return {
    urn: key === "primary" ? URNS.primaryIdentity : URNS.geoIdentity,
    custom: true,
    id: key === "primary" ? IDS.primaryIdentity : IDS.geoIdentity,
    type: "azure-native:managedidentity:UserAssignedIdentity",
    inputs: { resourceName: name, resourceGroupName: "rg-db", location },
    outputs: { name, location, principalId, clientId: principalId, tenantId: TENANT },
    protect: true,
    dependencies: [],
    propertyDependencies: {},
  };
}

function vault(key: "primary" | "geo", name: string, location: string): DeploymentResource {
  const properties = {
    tenantId: TENANT,
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
  };
  return {
    urn: key === "primary" ? URNS.primaryVault : URNS.geoVault,
    custom: true,
    id: `${RG}/providers/Microsoft.KeyVault/vaults/${name}`,
    type: "azure-native:keyvault:Vault",
    inputs: { vaultName: name, resourceGroupName: "rg-db", location, properties },
    outputs: {
      name,
      location,
      properties: {
        ...properties,
        accessPolicies: [],
        vaultUri: `https://${name}.vault.azure.net/`,
      },
    },
    protect: true,
    dependencies: [],
    propertyDependencies: {},
  };
}

function key(role: "primary" | "geo", vaultName: string, vaultUrn: string): DeploymentResource {
  const settings = {
    kty: "RSA",
    keySize: 3072,
    keyOps: ["wrapKey", "unwrapKey"],
    attributes: { enabled: true },
  };
  const keyUri = `https://${vaultName}.vault.azure.net/keys/db-key`;
  return {
    urn: role === "primary" ? URNS.primaryKey : URNS.geoKey,
    custom: true,
    id: `${RG}/providers/Microsoft.KeyVault/vaults/${vaultName}/keys/db-key`,
    type: "azure-native:keyvault:Key",
    inputs: { keyName: "db-key", vaultName, resourceGroupName: "rg-db", properties: settings },
    outputs: {
      name: "db-key",
      keyUri,
      keyUriWithVersion: `${keyUri}/0123456789abcdef0123456789abcdef`,
      ...settings,
    },
    protect: true,
    dependencies: [vaultUrn],
    propertyDependencies: { vaultName: [vaultUrn] },
  };
}

function grant(
  role: "primary" | "geo",
  vaultName: string,
  vaultUrn: string,
  identityUrn: string,
  principal: string,
): DeploymentResource {
  const policy = {
    objectId: principal,
    tenantId: TENANT,
    permissions: { keys: ["get", "list", "wrapKey", "unwrapKey"] },
  };
  return {
    urn: role === "primary" ? URNS.primaryGrant : URNS.geoGrant,
    custom: true,
    type: "azure-native:keyvault:AccessPolicy",
    inputs: { vaultName, resourceGroupName: "rg-db", policy },
    outputs: { vaultName, resourceGroupName: "rg-db", policy },
    protect: true,
    dependencies: [vaultUrn, identityUrn],
    propertyDependencies: { vaultName: [vaultUrn], policy: [identityUrn] },
  };
}

/** The valid stack; every call returns a fresh copy. */
export function goodStack(): DeploymentResource[] {
  const dataEncryption = {
    type: "AzureKeyVault",
    primaryKeyURI: IDS.primaryKeyUri,
    primaryUserAssignedIdentityId: IDS.primaryIdentity,
    geoBackupKeyURI: IDS.geoKeyUri,
    geoBackupUserAssignedIdentityId: IDS.geoIdentity,
  };
  const serverIdentity = {
    type: "UserAssigned",
    userAssignedIdentities: { [IDS.primaryIdentity]: {}, [IDS.geoIdentity]: {} },
  };
  const backup = { backupRetentionDays: 14, geoRedundantBackup: "Enabled" };
  const server: DeploymentResource = {
    urn: URNS.server,
    custom: true,
    type: "azure-native:dbforpostgresql:Server",
    inputs: {
      serverName: "psql-db",
      resourceGroupName: "rg-db",
      location: "West Europe",
      dataEncryption,
      identity: serverIdentity,
      backup,
    },
    outputs: {
      name: "psql-db",
      location: "westeurope",
      dataEncryption: { ...dataEncryption, primaryEncryptionKeyStatus: "Valid" },
      identity: serverIdentity,
      backup,
    },
    protect: true,
    dependencies: [
      URNS.primaryKey,
      URNS.geoKey,
      URNS.primaryIdentity,
      URNS.geoIdentity,
      URNS.primaryGrant,
      URNS.geoGrant,
    ],
    propertyDependencies: {
      dataEncryption: [URNS.primaryKey, URNS.primaryIdentity, URNS.geoKey, URNS.geoIdentity],
      identity: [URNS.primaryIdentity, URNS.geoIdentity],
    },
  };
  const tls: DeploymentResource = {
    urn: URNS.tls,
    custom: true,
    type: "azure-native:dbforpostgresql:Configuration",
    inputs: {
      configurationName: "ssl_min_protocol_version",
      serverName: "psql-db",
      resourceGroupName: "rg-db",
      value: "TLSv1.2",
      source: "user-override",
    },
    outputs: { name: "ssl_min_protocol_version", value: "TLSv1.2", source: "user-override" },
    dependencies: [URNS.server],
    propertyDependencies: { serverName: [URNS.server] },
  };
  return [
    identity("primary", "westeurope"),
    identity("geo", "northeurope"),
    vault("primary", "kv-db-primary", "westeurope"),
    vault("geo", "kv-db-geo", "northeurope"),
    key("primary", "kv-db-primary", URNS.primaryVault),
    key("geo", "kv-db-geo", URNS.geoVault),
    grant(
      "primary",
      "kv-db-primary",
      URNS.primaryVault,
      URNS.primaryIdentity,
      IDS.primaryPrincipal,
    ),
    grant("geo", "kv-db-geo", URNS.geoVault, URNS.geoIdentity, IDS.geoPrincipal),
    server,
    tls,
  ];
}

/** The stack with `edit` applied to the resource at `urn`. */
export function change(
  stack: DeploymentResource[],
  target: string,
  edit: (
    resource: DeploymentResource & { inputs: Record<string, any>; outputs: Record<string, any> },
  ) => void,
): DeploymentResource[] {
  const resource = stack.find((r) => r.urn === target);
  if (!resource) {
    throw new Error(`the test stack has no ${target}`);
  }
  edit(
    resource as DeploymentResource & { inputs: Record<string, any>; outputs: Record<string, any> },
  );
  return stack;
}

/** The stack with `urn` removed, and every reference to it. */
export function without(stack: DeploymentResource[], target: string): DeploymentResource[] {
  return stack
    .filter((r) => r.urn !== target)
    .map((r) => ({
      ...r,
      dependencies: (r.dependencies ?? []).filter((d) => d !== target),
      propertyDependencies: Object.fromEntries(
        Object.entries(r.propertyDependencies ?? {}).map(([k, v]) => [
          k,
          v.filter((d) => d !== target),
        ]),
      ),
    }));
}

/** Violations of one policy. */
export function violationsOf(
  policy: string,
  stack: DeploymentResource[],
  config?: PolicyPackConfig,
): Violation[] {
  return evaluatePolicies(stack, config).filter((v) => v.policy === policy);
}

export { UNKNOWN };
