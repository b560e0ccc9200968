import { Problem } from "./errors";
import { PostgresCmkSettings } from "./settings";

/** The config namespace of this project; keys read as `postgres-cmk:<key>`. */
export const CONFIG_NAMESPACE = "postgres-cmk";

// Lists and maps are only checked for their shape here; their entries are checked one by one
// with the other settings, so that every bad entry is reported at once.
type Kind = "string" | "number" | "boolean" | "list" | "object";

/** Every stack config key the program reads, with the shape its value must have. */
export const CONFIG_KEYS: Readonly<Record<keyof PostgresCmkSettings, Kind>> = {
  location: "string",
  resourceGroupName: "string",
  serverName: "string",
  postgresVersion: "string",
  skuName: "string",
  skuTier: "string",
  storageSizeGB: "number",
  backupRetentionDays: "number",
  geoRedundantBackup: "boolean",
  geoBackupLocation: "string",
  keyName: "string",
  previousKeyNames: "list",
  keyType: "string",
  keySize: "number",
  keyRotationDays: "number",
  keyExpiryDays: "number",
  keyVaultSku: "string",
  keyVaultAuthorization: "string",
  softDeleteRetentionDays: "number",
  keyVaultIpRules: "list",
  firewallRules: "list",
  administratorLogin: "string",
  entraAuth: "boolean",
  entraAdmin: "object",
  tags: "object",
  protect: "boolean",
};

const EXPECTED: Record<Kind, string> = {
  string: "a string",
  number: "a number",
  boolean: "true or false",
  list: "a list",
  object: "a map",
};

/** Plain decimal numbers, as the Pulumi CLI reads an integer or number config value. */
const DECIMAL = /^-?\d+(\.\d+)?$/;

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function convert(kind: Kind, raw: string): { ok: true; value: unknown } | { ok: false } {
  switch (kind) {
    case "string":
      return { ok: true, value: raw };
    case "number":
      return DECIMAL.test(raw) ? { ok: true, value: Number(raw) } : { ok: false };
    case "boolean":
      return raw === "true" || raw === "false"
        ? { ok: true, value: raw === "true" }
        : { ok: false };
    case "list": {
      const value = parseJson(raw);
      return Array.isArray(value) ? { ok: true, value } : { ok: false };
    }
    case "object": {
      const value = parseJson(raw);
      return typeof value === "object" && value !== null && !Array.isArray(value)
        ? { ok: true, value }
        : { ok: false };
    }
  }
}

/**
 * Reads the stack config through `get` (which returns the raw string Pulumi stores, JSON for
 * structured values) into component settings. Values of the wrong shape become problems rather
 * than exceptions, so that they are reported with every other problem in one error. Keys in the
 * namespace that the program does not read are reported too: a misspelt key would otherwise be
 * ignored without a word.
 */
export function readSettings(
  get: (key: string) => string | undefined,
  presentKeys: readonly string[] = [],
): { settings: PostgresCmkSettings; problems: Problem[] } {
  const problems: Problem[] = [];
  const settings: Record<string, unknown> = {};
  for (const [key, kind] of Object.entries(CONFIG_KEYS) as [keyof PostgresCmkSettings, Kind][]) {
    const raw = get(key);
    if (raw === undefined) {
      continue;
    }
    const converted = convert(kind, raw);
    if (converted.ok) {
      settings[key] = converted.value;
    } else {
      problems.push({
        property: key,
        value: kind === "list" || kind === "object" ? (parseJson(raw) ?? raw) : raw,
        accepted: EXPECTED[kind],
      });
    }
  }
  for (const key of presentKeys) {
    if (!Object.prototype.hasOwnProperty.call(CONFIG_KEYS, key)) {
      problems.push({
        property: key,
        value: get(key),
        accepted: `no such setting; known settings are ${Object.keys(CONFIG_KEYS).join(", ")}`,
      });
    }
  }
  return { settings: settings as unknown as PostgresCmkSettings, problems };
}
