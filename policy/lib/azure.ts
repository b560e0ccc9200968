/**
 * Azure facts the policies share: resource type tokens, key URIs, regions and the built-in role
 * that lets a server's identity wrap and unwrap its key.
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

/** Reduces a region name to the form ARM compares: `West Europe` and `westeurope` are one region. */
export function normalizeRegion(region: string): string {
  return region.replace(/\s+/g, "").toLowerCase();
}

/**
 * The region each Azure public-cloud region writes geo-redundant backups to, following Azure's
 * published cross-region pairs; some pairs are one-way (West US 3 backs up to East US). Regions
 * without a pair map to undefined.
 */
const GEO_BACKUP_REGION: Readonly<Record<string, string | undefined>> = {
  australiacentral: "australiacentral2",
  australiacentral2: "australiacentral",
  australiaeast: "australiasoutheast",
  australiasoutheast: "australiaeast",
  austriaeast: undefined,
  belgiumcentral: undefined,
  brazilsouth: "southcentralus",
  brazilsoutheast: "brazilsouth",
  canadacentral: "canadaeast",
  canadaeast: "canadacentral",
  centralindia: "southindia",
  centralus: "eastus2",
  chilecentral: undefined,
  denmarkeast: undefined,
  eastasia: "southeastasia",
  eastus: "westus",
  eastus2: "centralus",
  francecentral: "francesouth",
  francesouth: "francecentral",
  germanynorth: "germanywestcentral",
  germanywestcentral: "germanynorth",
  indonesiacentral: undefined,
  israelcentral: undefined,
  italynorth: undefined,
  japaneast: "japanwest",
  japanwest: "japaneast",
  jioindiacentral: "jioindiawest",
  jioindiawest: "jioindiacentral",
  koreacentral: "koreasouth",
  koreasouth: "koreacentral",
  malaysiawest: undefined,
  mexicocentral: undefined,
  newzealandnorth: undefined,
  northcentralus: "southcentralus",
  northeurope: "westeurope",
  norwayeast: "norwaywest",
  norwaywest: "norwayeast",
  polandcentral: undefined,
  qatarcentral: undefined,
  southafricanorth: "southafricawest",
  southafricawest: "southafricanorth",
  southcentralus: "northcentralus",
  southeastasia: "eastasia",
  southindia: "centralindia",
  spaincentral: undefined,
  swedencentral: "swedensouth",
  swedensouth: "swedencentral",
  switzerlandnorth: "switzerlandwest",
  switzerlandwest: "switzerlandnorth",
  uaecentral: "uaenorth",
  uaenorth: "uaecentral",
  uksouth: "ukwest",
  ukwest: "uksouth",
  westcentralus: "westus2",
  westeurope: "northeurope",
  westindia: "southindia",
  westus: "eastus",
  westus2: "westcentralus",
  westus3: "eastus",
};

/** Every region the table knows, normalized. */
export const KNOWN_REGIONS: readonly string[] = Object.keys(GEO_BACKUP_REGION);

/**
 * The paired region a server in `region` writes geo-redundant backups to; `null` for a known
 * region without a pair, undefined for a region the table does not know.
 */
export function geoBackupRegion(region: string): string | null | undefined {
  const normalized = normalizeRegion(region);
  if (!Object.prototype.hasOwnProperty.call(GEO_BACKUP_REGION, normalized)) {
    return undefined;
  }
  return GEO_BACKUP_REGION[normalized] ?? null;
}
