import { Problem } from "./errors";
import { geoBackupRegion, isKnownRegion, normalizeRegion } from "./regions";

export const KEY_TYPES = ["RSA", "RSA-HSM"] as const;
export const KEY_SIZES = [2048, 3072, 4096] as const;
export const KEY_VAULT_SKUS = ["standard", "premium"] as const;
export const KEY_VAULT_AUTHORIZATIONS = ["accessPolicies", "rbac"] as const;
export const POSTGRES_VERSIONS = ["13", "14", "15", "16", "17", "18"] as const;
export const SKU_TIERS = ["Burstable", "GeneralPurpose", "MemoryOptimized"] as const;
export const STORAGE_SIZES_GB = [
  32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767,
] as const;
export const ENTRA_PRINCIPAL_TYPES = ["User", "Group", "ServicePrincipal"] as const;

export type KeyType = (typeof KEY_TYPES)[number];
export type KeyVaultSku = (typeof KEY_VAULT_SKUS)[number];
export type KeyVaultAuthorization = (typeof KEY_VAULT_AUTHORIZATIONS)[number];

/** A range of client addresses allowed through the server's firewall. */
export interface FirewallRule {
  readonly name: string;
  readonly startIpAddress: string;
  readonly endIpAddress: string;
}

/** The Entra ID principal made administrator of the server. */
export interface EntraAdmin {
  readonly objectId: string;
  readonly principalName: string;
  readonly principalType: (typeof ENTRA_PRINCIPAL_TYPES)[number];
}

/**
 * Everything that shapes the stack. The values are plain, not `pulumi.Input`, because each one
 * is checked before any resource is registered.
 */
export interface PostgresCmkSettings {
  /** Azure region of the server, its identity and its key vault. Required. */
  readonly location: string;
  /** Resource group created to hold everything. Defaults to `rg-postgres-cmk-<name>`. */
  readonly resourceGroupName?: string;
  /** Server name, unique across Azure. Defaults to `psql-cmk-<name>-<stack-unique suffix>`. */
  readonly serverName?: string;
  /** PostgreSQL major version. Defaults to "17". */
  readonly postgresVersion?: string;
  /** Compute SKU. Defaults to "Standard_D2ds_v5". */
  readonly skuName?: string;
  /** Compute tier matching the SKU. Defaults to "GeneralPurpose". */
  readonly skuTier?: string;
  /** Storage size in GiB. Defaults to 128. */
  readonly storageSizeGB?: number;
  /** Days of point-in-time restore, 7-35. Defaults to 7. */
  readonly backupRetentionDays?: number;
  /** Write backups to the paired region too, with a second key and identity there. Defaults to false. */
  readonly geoRedundantBackup?: boolean;
  /** The paired region, stated for review; must equal Azure's pair. Defaults to the pair. */
  readonly geoBackupLocation?: string;
  /** Name of the key encryption key in each vault. Defaults to "postgres-cmk". */
  readonly keyName?: string;
  /**
   * Keys the server used before `keyName`, kept in each vault with their grants so that backups
   * taken under them stay readable. Defaults to none.
   */
  readonly previousKeyNames?: readonly string[];
  /** "RSA" or "RSA-HSM" (HSM needs a premium vault). Defaults to "RSA". */
  readonly keyType?: string;
  /** Key size in bits: 2048, 3072 or 4096. Defaults to 3072. */
  readonly keySize?: number;
  /** Rotate the key automatically every this many days (30 or more); 0 turns it off. Defaults to 365. */
  readonly keyRotationDays?: number;
  /**
   * Days after its creation that a rotated key version expires, at least keyRotationDays + 60, so
   * that the notice Key Vault sends 30 days before expiry leaves a month to act if a rotation
   * failed. Defaults to keyRotationDays + 90.
   */
  readonly keyExpiryDays?: number;
  /** Key vault SKU, "standard" or "premium". Defaults to "standard". */
  readonly keyVaultSku?: string;
  /** How the identity is granted the key: "accessPolicies" or "rbac". Defaults to "accessPolicies". */
  readonly keyVaultAuthorization?: string;
  /** Soft-delete retention of the vaults, 7-90 days; fixed once a vault exists. Defaults to 90. */
  readonly softDeleteRetentionDays?: number;
  /** Public IPv4 addresses or CIDR networks let through the vault firewall, for operators. Defaults to none. */
  readonly keyVaultIpRules?: readonly string[];
  /** Client ranges allowed to reach the server; none keeps public access off. Defaults to none. */
  readonly firewallRules?: readonly FirewallRule[];
  /** Password administrator login name. Defaults to "pgadmin". */
  readonly administratorLogin?: string;
  /** Turn on Entra ID authentication next to password authentication. Defaults to false. */
  readonly entraAuth?: boolean;
  /** Entra ID administrator of the server; needs `entraAuth`. Defaults to none. */
  readonly entraAdmin?: EntraAdmin;
  /** At most 50 tags, put on every resource that takes tags except keys. Defaults to none. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Protect vaults, keys, identities, grants and the server from deletion. Defaults to true. */
  readonly protect?: boolean;
}

/** Settings with every default filled in and every value checked. */
export interface ResolvedSettings {
  readonly location: string;
  readonly resourceGroupName: string;
  /** The configured server name, or undefined to derive one unique to the stack. */
  readonly serverName: string | undefined;
  readonly postgresVersion: string;
  readonly skuName: string;
  readonly skuTier: string;
  readonly storageSizeGB: number;
  readonly backupRetentionDays: number;
  readonly geoRedundantBackup: boolean;
  /** The paired region, set only when geo-redundant backup is on. */
  readonly geoBackupLocation: string | undefined;
  readonly keyName: string;
  readonly previousKeyNames: readonly string[];
  readonly keyType: KeyType;
  readonly keySize: number;
  readonly keyRotationDays: number;
  /** Expiry of rotated versions in days, or undefined when rotation is off. */
  readonly keyExpiryDays: number | undefined;
  readonly keyVaultSku: KeyVaultSku;
  readonly keyVaultAuthorization: KeyVaultAuthorization;
  readonly softDeleteRetentionDays: number;
  readonly keyVaultIpRules: readonly string[];
  readonly firewallRules: readonly FirewallRule[];
  readonly administratorLogin: string;
  readonly entraAuth: boolean;
  readonly entraAdmin: EntraAdmin | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly protect: boolean;
}

/** Names the defaults are derived from. */
export interface NamingContext {
  /** The component's name. */
  readonly name: string;
}

const RESERVED_LOGINS = [
  "admin",
  "administrator",
  "azure_pg_admin",
  "azure_superuser",
  "guest",
  "public",
  "root",
  "superuser",
];

/** The compute family of each tier's SKU names. */
const SKU_FAMILY: Readonly<Record<(typeof SKU_TIERS)[number], string>> = {
  Burstable: "Standard_B",
  GeneralPurpose: "Standard_D",
  MemoryOptimized: "Standard_E",
};

/** Ranges Key Vault's firewall refuses: only public addresses can be let through. */
const NON_PUBLIC_RANGES: ReadonlyArray<readonly [string, number]> = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["224.0.0.0", 3],
];

/** Azure's limit on tags per resource. */
const MAX_TAGS = 50;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function oneOf(values: readonly (string | number)[]): string {
  const shown = values.map((v) => (typeof v === "string" ? JSON.stringify(v) : String(v)));
  return shown.length <= 2
    ? shown.join(" or ")
    : `${shown.slice(0, -1).join(", ")} or ${shown.at(-1)}`;
}

function ipv4ToNumber(ip: string): number {
  return ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function numberToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** True when the ranges a/aBits and b/bBits share an address. */
function overlaps(a: number, aBits: number, b: number, bBits: number): boolean {
  const bits = Math.min(aBits, bBits);
  const size = 2 ** (32 - bits);
  return Math.floor(a / size) === Math.floor(b / size);
}

function isWholeNumberIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** A name Azure derives for us, cut to the lowercase letters, digits and single hyphens it allows. */
export function slug(value: string, maxLength: number): string {
  const cleaned = value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  return cleaned.slice(0, maxLength).replace(/-$/, "");
}

/**
 * Fills in defaults and checks every setting, returning all problems at once.
 *
 * A setting that is wrong does not stop the others from being checked, so the operator sees the
 * whole list in one run.
 */
export function resolveSettings(
  input: PostgresCmkSettings,
  naming: NamingContext,
): { settings: ResolvedSettings; problems: Problem[] } {
  const problems: Problem[] = [];
  const problem = (property: string, value: unknown, accepted: string) =>
    problems.push({ property, value, accepted });
  const unknownFields = (at: string, value: object, known: readonly string[]) => {
    for (const field of Object.keys(value).filter((f) => !known.includes(f))) {
      problem(
        `${at}.${field}`,
        (value as Record<string, unknown>)[field],
        `no such field; known: ${known.join(", ")}`,
      );
    }
  };

  const location = input.location ?? "";
  if (!input.location) {
    problem("location", input.location, 'an Azure region such as "westeurope" (required)');
  } else if (!isKnownRegion(location)) {
    problem(
      "location",
      input.location,
      'an Azure public-cloud region such as "westeurope" or "eastus2"',
    );
  }

  const resourceGroupName = input.resourceGroupName ?? `rg-postgres-cmk-${slug(naming.name, 73)}`;
  if (!/^[-\w.()]{1,90}$/.test(resourceGroupName) || resourceGroupName.endsWith(".")) {
    problem(
      "resourceGroupName",
      input.resourceGroupName,
      "1-90 letters, digits, underscores, hyphens, periods or parentheses, not ending in a period",
    );
  }

  // Without a name, the server gets one derived from the subscription at deployment.
  const serverName = input.serverName;
  if (serverName !== undefined && !/^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/.test(serverName)) {
    problem(
      "serverName",
      serverName,
      "3-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit",
    );
  }

  const postgresVersion = input.postgresVersion ?? "17";
  if (!(POSTGRES_VERSIONS as readonly string[]).includes(postgresVersion)) {
    problem("postgresVersion", input.postgresVersion, oneOf(POSTGRES_VERSIONS));
  }

  const skuTier = input.skuTier ?? "GeneralPurpose";
  if (!(SKU_TIERS as readonly string[]).includes(skuTier)) {
    problem("skuTier", input.skuTier, oneOf(SKU_TIERS));
  }
  const skuName = input.skuName ?? "Standard_D2ds_v5";
  if (!/^Standard_[A-Za-z0-9_]+$/.test(skuName)) {
    problem("skuName", input.skuName, 'an Azure compute SKU name such as "Standard_D2ds_v5"');
  } else if ((SKU_TIERS as readonly string[]).includes(skuTier)) {
    const family = SKU_FAMILY[skuTier as (typeof SKU_TIERS)[number]];
    if (!skuName.startsWith(family)) {
      const tierOfName = SKU_TIERS.find((tier) => skuName.startsWith(SKU_FAMILY[tier]));
      problem(
        "skuName",
        skuName,
        `a ${skuTier} SKU (${family}...) for skuTier "${skuTier}"` +
          (tierOfName ? `, or skuTier "${tierOfName}"` : ""),
      );
    }
  }

  const storageSizeGB = input.storageSizeGB ?? 128;
  if (!(STORAGE_SIZES_GB as readonly number[]).includes(storageSizeGB)) {
    problem("storageSizeGB", input.storageSizeGB, oneOf(STORAGE_SIZES_GB));
  }

  const backupRetentionDays = input.backupRetentionDays ?? 7;
  if (!isWholeNumberIn(backupRetentionDays, 7, 35)) {
    problem(
      "backupRetentionDays",
      input.backupRetentionDays,
      "a whole number of days from 7 to 35",
    );
  }

  const geoRedundantBackup = input.geoRedundantBackup ?? false;
  let geoBackupLocation: string | undefined;
  if (geoRedundantBackup && isKnownRegion(location)) {
    const pair = geoBackupRegion(location);
    if (!pair) {
      problem(
        "geoRedundantBackup",
        true,
        `false: ${normalizeRegion(location)} has no Azure paired region to hold geo-redundant backups`,
      );
    } else if (
      input.geoBackupLocation !== undefined &&
      normalizeRegion(input.geoBackupLocation) !== pair
    ) {
      problem(
        "geoBackupLocation",
        input.geoBackupLocation,
        `"${pair}", the region Azure pairs with ${normalizeRegion(location)}, or leave it unset`,
      );
    } else {
      geoBackupLocation = pair;
    }
  } else if (!geoRedundantBackup && input.geoBackupLocation !== undefined) {
    problem(
      "geoBackupLocation",
      input.geoBackupLocation,
      "unset while geoRedundantBackup is false",
    );
  }

  const keyName = input.keyName ?? "postgres-cmk";
  if (!/^[a-zA-Z0-9-]{1,127}$/.test(keyName)) {
    problem("keyName", input.keyName, "1-127 letters, digits and hyphens");
  }

  const previousKeyNames = input.previousKeyNames ?? [];
  previousKeyNames.forEach((previous, i) => {
    if (typeof previous !== "string" || !/^[a-zA-Z0-9-]{1,127}$/.test(previous)) {
      problem(`previousKeyNames[${i}]`, previous, "1-127 letters, digits and hyphens");
    } else if (
      previous.toLowerCase() === keyName.toLowerCase() ||
      previousKeyNames.findIndex((p) => p.toLowerCase() === previous.toLowerCase()) !== i
    ) {
      problem(
        `previousKeyNames[${i}]`,
        previous,
        "a key name other than keyName, listed once (Key Vault ignores case)",
      );
    }
  });

  const keyType = (input.keyType ?? "RSA") as KeyType;
  if (!(KEY_TYPES as readonly string[]).includes(keyType)) {
    problem("keyType", input.keyType, oneOf(KEY_TYPES));
  }

  const keySize = input.keySize ?? 3072;
  if (!(KEY_SIZES as readonly number[]).includes(keySize)) {
    problem("keySize", input.keySize, oneOf(KEY_SIZES));
  }

  const keyRotationDays = input.keyRotationDays ?? 365;
  if (!(keyRotationDays === 0 || isWholeNumberIn(keyRotationDays, 30, 3650))) {
    problem(
      "keyRotationDays",
      input.keyRotationDays,
      "0 (no automatic rotation) or a whole number of days from 30 to 3650",
    );
  }

  let keyExpiryDays: number | undefined;
  if (keyRotationDays === 0) {
    if (input.keyExpiryDays !== undefined) {
      problem("keyExpiryDays", input.keyExpiryDays, "unset while keyRotationDays is 0");
    }
  } else if (isWholeNumberIn(keyRotationDays, 30, 3650)) {
    keyExpiryDays = input.keyExpiryDays ?? keyRotationDays + 90;
    if (!isWholeNumberIn(keyExpiryDays, keyRotationDays + 60, 36500)) {
      problem(
        "keyExpiryDays",
        input.keyExpiryDays,
        `a whole number of days of at least keyRotationDays + 60 (${keyRotationDays + 60}), or unset for ${keyRotationDays + 90}`,
      );
    }
  }

  const keyVaultSku = (input.keyVaultSku ?? "standard") as KeyVaultSku;
  if (!(KEY_VAULT_SKUS as readonly string[]).includes(keyVaultSku)) {
    problem("keyVaultSku", input.keyVaultSku, oneOf(KEY_VAULT_SKUS));
  } else if (keyType === "RSA-HSM" && keyVaultSku !== "premium") {
    problem(
      "keyVaultSku",
      keyVaultSku,
      '"premium" for keyType "RSA-HSM" (HSM keys need a premium vault), or keyType "RSA"',
    );
  }

  const keyVaultAuthorization = (input.keyVaultAuthorization ??
    "accessPolicies") as KeyVaultAuthorization;
  if (!(KEY_VAULT_AUTHORIZATIONS as readonly string[]).includes(keyVaultAuthorization)) {
    problem("keyVaultAuthorization", input.keyVaultAuthorization, oneOf(KEY_VAULT_AUTHORIZATIONS));
  }

  const softDeleteRetentionDays = input.softDeleteRetentionDays ?? 90;
  if (!isWholeNumberIn(softDeleteRetentionDays, 7, 90)) {
    problem(
      "softDeleteRetentionDays",
      input.softDeleteRetentionDays,
      "a whole number of days from 7 to 90 (90 advised)",
    );
  }

  const keyVaultIpRules = input.keyVaultIpRules ?? [];
  keyVaultIpRules.forEach((rule, i) => {
    const at = `keyVaultIpRules[${i}]`;
    const [address, bits, ...rest] = typeof rule === "string" ? rule.split("/") : [];
    const prefix = bits === undefined ? 32 : /^\d{1,2}$/.test(bits) ? Number(bits) : NaN;
    if (typeof rule !== "string" || !IPV4.test(address) || !(prefix <= 32) || rest.length > 0) {
      problem(at, rule, 'an IPv4 address or CIDR range such as "203.0.113.0/24"');
      return;
    }
    const start = ipv4ToNumber(address);
    const network = prefix === 0 ? 0 : start - (start % 2 ** (32 - prefix));
    if (network !== start) {
      problem(at, rule, `the range's network address, ${numberToIpv4(network)}/${prefix}`);
    } else if (
      NON_PUBLIC_RANGES.some(([base, bits]) => overlaps(start, prefix, ipv4ToNumber(base), bits))
    ) {
      problem(
        at,
        rule,
        "a public address or range: Key Vault's firewall refuses private and reserved ones",
      );
    }
  });

  const firewallRules = input.firewallRules ?? [];
  const ruleNames = new Set<string>();
  firewallRules.forEach((rule, i) => {
    const at = `firewallRules[${i}]`;
    if (typeof rule !== "object" || rule === null) {
      problem(at, rule, "an object with name, startIpAddress and endIpAddress");
      return;
    }
    if (typeof rule.name !== "string" || !/^[-\w]{1,128}$/.test(rule.name)) {
      problem(`${at}.name`, rule.name, "1-128 letters, digits, hyphens and underscores");
    } else if (ruleNames.has(rule.name.toLowerCase())) {
      problem(`${at}.name`, rule.name, "a name no other firewall rule uses (Azure ignores case)");
    } else {
      ruleNames.add(rule.name.toLowerCase());
    }
    unknownFields(at, rule, ["name", "startIpAddress", "endIpAddress"]);
    const startValid = typeof rule.startIpAddress === "string" && IPV4.test(rule.startIpAddress);
    const endValid = typeof rule.endIpAddress === "string" && IPV4.test(rule.endIpAddress);
    if (!startValid) {
      problem(
        `${at}.startIpAddress`,
        rule.startIpAddress,
        'an IPv4 address such as "203.0.113.10"',
      );
    }
    if (!endValid) {
      problem(`${at}.endIpAddress`, rule.endIpAddress, 'an IPv4 address such as "203.0.113.20"');
    }
    if (
      startValid &&
      endValid &&
      ipv4ToNumber(rule.startIpAddress) > ipv4ToNumber(rule.endIpAddress)
    ) {
      problem(
        `${at}.endIpAddress`,
        rule.endIpAddress,
        `an address at or after startIpAddress ${rule.startIpAddress}`,
      );
    }
  });

  const administratorLogin = input.administratorLogin ?? "pgadmin";
  if (
    !/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/.test(administratorLogin) ||
    RESERVED_LOGINS.includes(administratorLogin.toLowerCase()) ||
    administratorLogin.toLowerCase().startsWith("pg_")
  ) {
    problem(
      "administratorLogin",
      input.administratorLogin,
      `1-63 letters, digits and underscores starting with a letter, not starting with "pg_" and none of ${RESERVED_LOGINS.join(", ")}`,
    );
  }

  const entraAuth = input.entraAuth ?? false;
  const entraAdmin = input.entraAdmin;
  if (entraAdmin !== undefined) {
    unknownFields("entraAdmin", entraAdmin, ["objectId", "principalName", "principalType"]);
    if (!entraAuth) {
      problem("entraAdmin", entraAdmin, "unset, or entraAuth set to true");
    }
    if (
      typeof entraAdmin.objectId !== "string" ||
      !/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(entraAdmin.objectId)
    ) {
      problem("entraAdmin.objectId", entraAdmin.objectId, "the principal's object ID, a GUID");
    }
    if (typeof entraAdmin.principalName !== "string" || entraAdmin.principalName.length === 0) {
      problem(
        "entraAdmin.principalName",
        entraAdmin.principalName,
        "the principal's display or user principal name",
      );
    }
    if (!(ENTRA_PRINCIPAL_TYPES as readonly string[]).includes(entraAdmin.principalType)) {
      problem("entraAdmin.principalType", entraAdmin.principalType, oneOf(ENTRA_PRINCIPAL_TYPES));
    }
  }

  const tags = input.tags ?? {};
  if (Object.keys(tags).length > MAX_TAGS) {
    problem(
      "tags",
      `${Object.keys(tags).length} tags`,
      `at most ${MAX_TAGS} tags, Azure's limit per resource`,
    );
  }
  for (const [key, value] of Object.entries(tags)) {
    if (key.length === 0 || key.length > 512 || /[<>%&\\?/]/.test(key)) {
      problem(`tags.${key}`, key, "a tag name of 1-512 characters without < > % & \\ ? /");
    }
    if (typeof value !== "string" || value.length > 256) {
      problem(`tags.${key}`, value, "a string of at most 256 characters");
    }
  }

  const settings: ResolvedSettings = {
    location: normalizeRegion(location),
    resourceGroupName,
    serverName,
    postgresVersion,
    skuName,
    skuTier,
    storageSizeGB,
    backupRetentionDays,
    geoRedundantBackup,
    geoBackupLocation,
    keyName,
    previousKeyNames,
    keyType,
    keySize,
    keyRotationDays,
    keyExpiryDays,
    keyVaultSku,
    keyVaultAuthorization,
    softDeleteRetentionDays,
    keyVaultIpRules,
    firewallRules,
    administratorLogin,
    entraAuth,
    entraAdmin,
    tags,
    protect: input.protect ?? true,
  };
  return { settings, problems };
}
