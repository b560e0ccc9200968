/**
 * The shapes of a `pulumi stack export` file (deployment version 3), which plans share so that
 * every tool reads a plan and a real export alike.
 */

/** Pulumi's marker for a value not known until the resource exists, as the engine writes it. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** The key and value that mark an object as a secret in serialized state. */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** What a secret reads as wherever a tool prints it. */
export const SECRET_TEXT = "[secret]";

export type PropertyMap = Record<string, unknown>;

export interface DeploymentResource {
  urn: string;
  custom: boolean;
  id?: string;
  type: string;
  inputs?: PropertyMap;
  outputs?: PropertyMap;
  parent?: string;
  protect?: boolean;
  retainOnDelete?: boolean;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
  provider?: string;
  /**
   * Input paths the engine keeps at their old values. A plan writes it; `pulumi stack export`
   * does not, and a preview digest has already applied it.
   */
  ignoreChanges?: string[];
}

export interface Deployment {
  manifest?: { time?: string; magic?: string; version?: string };
  resources: DeploymentResource[];
}

/** The file `pulumi stack export` writes. */
export interface StackExport {
  version: 3;
  deployment: Deployment;
}

export function isSecret(value: unknown): value is PropertyMap {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as PropertyMap)[SECRET_SIG_KEY] === SECRET_SIG
  );
}

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

/** A secret as a plan writes it: the export's secret object, with its content withheld. */
export function redactedSecret(): PropertyMap {
  return { [SECRET_SIG_KEY]: SECRET_SIG, ciphertext: SECRET_TEXT };
}

/**
 * Replaces every secret in `value` with the redacted secret object, so that no plaintext leaves
 * the process. Secrets inside secrets collapse into one.
 */
export function redactSecrets(value: unknown): unknown {
  if (isSecret(value)) {
    return redactedSecret();
  }
  if (Array.isArray(value)) {
    return value.map(redactSecrets);
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v)]));
  }
  return value;
}

/** The last part of a URN: the resource's name. */
export function urnName(urn: string): string {
  return urn.split("::").at(-1) ?? urn;
}
