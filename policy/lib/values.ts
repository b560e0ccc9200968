/**
 * Reading resource properties the way a policy must during a preview: through @pulumi/policy's
 * unknown-checking proxy, which throws when a value is not known yet.
 *
 * A policy that can reach its verdict another way (by following a dependency instead of reading an
 * unknown key URI, say) first asks whether a value is known; every other read goes through the
 * proxy, so that the engine reports "can't run policy during preview" rather than a silent pass.
 */

// The sentinels are internal to the SDK's proxy module; reading them from there keeps this check in
// step with the proxy that throws on them.
const sdkProxy = require("@pulumi/policy/proxy") as Record<string, unknown>;
const SENTINEL_NAMES = [
  "unknownBooleanValue",
  "unknownNumberValue",
  "unknownStringValue",
  "unknownArrayValue",
  "unknownAssetValue",
  "unknownArchiveValue",
  "unknownObjectValue",
];
const UNKNOWN_SENTINELS = new Set<unknown>(
  SENTINEL_NAMES.map((name) => {
    if (typeof sdkProxy[name] !== "string") {
      throw new Error(`@pulumi/policy/proxy no longer exports ${name}; the pack needs updating`);
    }
    return sdkProxy[name];
  }),
);

/** The engine's marker for a string whose value is not known until deployment. */
export const UNKNOWN_STRING = sdkProxy.unknownStringValue as string;

/** True when `value` itself is one of the engine's unknown markers. */
export function isUnknownValue(value: unknown): boolean {
  return UNKNOWN_SENTINELS.has(value);
}

/**
 * True when `obj[key]` holds an unknown marker. The property descriptor bypasses the proxy's `get`
 * trap, so asking does not throw; the value is then read through the proxy as usual.
 */
export function isUnknown(obj: unknown, key: string): boolean {
  if (typeof obj !== "object" || obj === null) {
    return false;
  }
  const descriptor = Object.getOwnPropertyDescriptor(obj, key);
  return descriptor !== undefined && isUnknownValue(descriptor.value);
}

/** True when `obj[key]` holds something other than undefined, null or "", known or not. */
export function isSet(obj: unknown, key: string): boolean {
  if (typeof obj !== "object" || obj === null) {
    return false;
  }
  const descriptor = Object.getOwnPropertyDescriptor(obj, key);
  const value = descriptor?.value;
  return value !== undefined && value !== null && value !== "";
}

/** `obj[key]` when it is a known non-empty string, otherwise undefined; never throws. */
export function knownString(obj: unknown, key: string): string | undefined {
  if (isUnknown(obj, key) || typeof obj !== "object" || obj === null) {
    return undefined;
  }
  const value = (obj as Record<string, unknown>)[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** `obj[key]` as an object, or undefined when it is absent or not an object; reads through the proxy. */
export function objectAt(obj: unknown, key: string): Record<string, any> | undefined {
  if (typeof obj !== "object" || obj === null) {
    return undefined;
  }
  const value = (obj as Record<string, unknown>)[key];
  return typeof value === "object" && value !== null ? (value as Record<string, any>) : undefined;
}

/** Renders a value for a message: strings quoted, absent values named. */
export function show(value: unknown): string {
  if (value === undefined || value === null) {
    return "nothing";
  }
  return typeof value === "string"
    ? JSON.stringify(value)
    : (JSON.stringify(value) ?? String(value));
}

/** Compares two names the way ARM does: without regard to case. */
export function sameName(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** Compares two ARM resource IDs; ARM returns some segments (`resourcegroups`) in lower case. */
export function sameArmId(a: string | undefined, b: string | undefined): boolean {
  const trim = (id: string) => id.replace(/\/+$/, "").toLowerCase();
  return a !== undefined && b !== undefined && trim(a) === trim(b);
}

/** The name that follows `segment` in an ARM resource ID, e.g. the vault in `.../vaults/<name>`. */
export function armIdPart(id: string, segment: string): string | undefined {
  const parts = id.split("/");
  const at = parts.findIndex((part) => part.toLowerCase() === segment.toLowerCase());
  return at >= 0 && parts[at + 1] ? parts[at + 1] : undefined;
}
