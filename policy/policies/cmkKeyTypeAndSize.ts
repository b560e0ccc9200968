import { PolicyConfigSchema, PolicyResource, StackValidationPolicy } from "@pulumi/policy";

import { configWithDefaults } from "../lib/config";
import { StackIndex, label } from "../lib/stack";
import { isSet, isUnknown, show } from "../lib/values";

const KEY_TYPES = ["RSA", "RSA-HSM"];
const KEY_SIZES = [2048, 3072, 4096];
/** Key Vault's size for an RSA key created without `keySize`. */
const AZURE_DEFAULT_KEY_SIZE = 2048;
const DAY_MS = 24 * 60 * 60 * 1000;

const configSchema: PolicyConfigSchema = {
  properties: {
    minimumKeySize: {
      type: "integer",
      enum: KEY_SIZES,
      default: 2048,
      description: "Smallest RSA key size, in bits, a server may use. Defaults to 2048.",
    },
    expiryWindowDays: {
      type: "integer",
      minimum: 0,
      default: 30,
      description: "A key that expires within this many days counts as expiring. Defaults to 30.",
    },
  },
};

interface KeyConfig {
  minimumKeySize: number;
  expiryWindowDays: number;
}

/**
 * A key setting: flat in azure-native outputs, under `properties` in inputs (and in a first
 * preview, where the flat outputs are still unknown). A setting unknown in both places is read
 * through the proxy, which throws.
 */
function keySetting(key: PolicyResource, name: string): any {
  const props = key.props;
  if (isSet(props, name) && !isUnknown(props, name)) {
    return props[name];
  }
  const nested = props.properties;
  return nested !== undefined && nested !== null ? nested[name] : props[name];
}

export const cmkKeyTypeAndSize: StackValidationPolicy = {
  name: "cmk-key-type-and-size",
  description:
    "Checks that every key a server encrypts with is an enabled, active RSA key of an allowed size that can wrap and unwrap and does not expire soon.",
  enforcementLevel: "mandatory",
  configSchema,
  validateStack: (args, reportViolation) => {
    const config = configWithDefaults<KeyConfig>(args, configSchema);
    const stack = new StackIndex(args.resources);

    const users = new Map<PolicyResource, string[]>();
    for (const server of stack.ofKind("server")) {
      for (const assignment of stack.encryption(server).assignments) {
        for (const key of [assignment.primaryKey?.key, assignment.geoKey?.key]) {
          const servers = key ? (users.get(key) ?? []) : [];
          if (key && !servers.includes(server.name)) {
            users.set(key, [...servers, server.name]);
          }
        }
      }
    }

    for (const [key, servers] of users) {
      const subject = `Key ${label(key)} (used by server ${servers.map((s) => `"${s}"`).join(", ")})`;
      for (const message of keyProblems(key, config)) {
        reportViolation(`${subject} ${message}`, key.urn);
      }
    }
  },
};

function keyProblems(key: PolicyResource, config: KeyConfig): string[] {
  const problems: string[] = [];

  const kty = keySetting(key, "kty");
  if (!KEY_TYPES.includes(kty)) {
    problems.push(
      `must have kty "RSA" or "RSA-HSM" (got ${show(kty)}); Azure Database for PostgreSQL accepts only RSA keys.`,
    );
  }

  const size = keySetting(key, "keySize") ?? AZURE_DEFAULT_KEY_SIZE;
  if (!KEY_SIZES.includes(size) || size < config.minimumKeySize) {
    const allowed = KEY_SIZES.filter((s) => s >= config.minimumKeySize).join(", ");
    problems.push(
      `must have keySize ${allowed} (got ${show(size)}); a key's size is fixed, so create a new key.`,
    );
  }

  const operations = keySetting(key, "keyOps");
  if (Array.isArray(operations)) {
    const missing = ["wrapKey", "unwrapKey"].filter((op) => !operations.includes(op));
    if (missing.length > 0) {
      problems.push(
        `must list ${missing.join(" and ")} in keyOps (got ${show([...operations])}); the server wraps its data key with them.`,
      );
    }
  }

  const attributes = keySetting(key, "attributes") ?? {};
  if (attributes.enabled === false) {
    problems.push(
      "must be enabled: set attributes.enabled to true; a disabled key makes the server inaccessible.",
    );
  }
  const now = Date.now();
  if (
    typeof attributes.expires === "number" &&
    attributes.expires * 1000 < now + config.expiryWindowDays * DAY_MS
  ) {
    const at = new Date(attributes.expires * 1000).toISOString();
    problems.push(
      `must not expire within ${config.expiryWindowDays} days (attributes.expires is ${at}): set a later expiry or rotate to a new version first.`,
    );
  }
  if (typeof attributes.notBefore === "number" && attributes.notBefore * 1000 > now) {
    const at = new Date(attributes.notBefore * 1000).toISOString();
    problems.push(
      `must already be active (attributes.notBefore is ${at}, in the future): remove notBefore or set it in the past.`,
    );
  }
  return problems;
}
