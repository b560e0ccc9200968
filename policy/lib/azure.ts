/**
 * Azure facts the policies share: resource type tokens, key URIs and the built-in role that lets
 * a server's identity wrap and unwrap its key. Regions are in `regions.ts`.
 */

/** Built-in role "Key Vault Crypto Service Encryption User". */
export const CRYPTO_SERVICE_ENCRYPTION_USER_ROLE_ID = "e147488a-f6f5-4113-8e2d-b22465e65bf6";

/** The key permissions a Flexible Server needs for data encryption. */
export const SERVER_KEY_PERMISSIONS = ["get", "list", "wrapKey", "unwrapKey"] as const;

/** The resource kinds the policies look at, as `[module, resource]` of an azure-native token. */
export const KINDS = {
  server: ["dbforpostgresql", "Server"],
  configuration: ["dbforpostgresql", "Configuration"],
  vault: ["keyvault", "Vault"],
  key: ["keyvault", "Key"],
  accessPolicy: ["keyvault", "AccessPolicy"],
  roleAssignment: ["authorization", "RoleAssignment"],
  identity: ["managedidentity", "UserAssignedIdentity"],
} as const;

export type Kind = keyof typeof KINDS;

/**
 * True when `type` is the azure-native token of `kind`, from the default module or an
 * API-versioned one (`azure-native:keyvault/v20240401:Vault`), so that stacks written against
 * either are checked alike.
 */
export function isKind(type: string, kind: Kind): boolean {
  const [module, resource] = KINDS[kind];
  const [provider, typeModule, typeResource] = type.split(":");
  return (
    provider === "azure-native" &&
    typeResource === resource &&
    (typeModule === module || typeModule?.startsWith(`${module}/`) === true)
  );
}

/** The parts of a Key Vault or Managed HSM key URI. */
export interface KeyUri {
  /** The vault's name: the first label of the host. */
  readonly vaultName: string;
  readonly keyName: string;
  /** The key version, for a versioned URI. */
  readonly version?: string;
}

/** Parses `https://<vault>.vault.azure.net/keys/<name>[/<version>]`, or undefined. */
export function parseKeyUri(uri: string): KeyUri | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch (err) {
    if (err instanceof TypeError) {
      return undefined;
    }
    throw err;
  }
  const [collection, keyName, version, ...rest] = url.pathname
    .split("/")
    .filter((part) => part !== "");
  if (url.protocol !== "https:" || collection !== "keys" || !keyName || rest.length > 0) {
    return undefined;
  }
  const vaultName = url.hostname.split(".")[0];
  return version ? { vaultName, keyName, version } : { vaultName, keyName };
}
