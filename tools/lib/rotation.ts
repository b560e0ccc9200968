/**
 * Rotating a stack's key encryption keys now, through Key Vault's data plane.
 *
 * The flow talks to Pulumi, Key Vault and the operator only through the small interfaces below,
 * so that tests can drive all of it with fakes. The real implementations are in
 * `rotationAdapters.ts`.
 */

/** Exit codes of the rotate-key command. */
export const EXIT_CODES = {
  /** Every key was rotated. */
  ok: 0,
  /** An Azure or Pulumi operation failed: permission, key not found, unreachable, sign-in. */
  failed: 1,
  /** Bad arguments, unknown stack, missing outputs, no Pulumi CLI, or no one to confirm. */
  usage: 2,
  /** The operator answered no; nothing was rotated. */
  declined: 3,
  /** A key's current version is disabled; rotating it would not restore the server. */
  refused: 4,
} as const;

/** A failure the operator can act on; the message is one line and never holds a secret. */
export class RotationError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = "RotationError";
  }
}

/** What Key Vault says about the current version of a key. */
export interface KeyInfo {
  readonly name: string;
  readonly version: string;
  readonly enabled: boolean;
  readonly keyType: string;
  readonly keySize?: number;
  readonly expiresOn?: Date;
  readonly createdOn?: Date;
}

/** The outputs of a deployed stack, as plain JSON values with secrets masked. */
export interface StackOutputsSource {
  read(stack: string): Promise<Record<string, unknown>>;
}

/**
 * Key Vault's data plane, cut down to what rotation needs. It deliberately has no way to disable,
 * delete or change a key or a version: backups and point-in-time restore still need old versions.
 */
export interface KeyVaultKeys {
  /** The key's current version. */
  getKey(vaultUri: string, keyName: string): Promise<KeyInfo>;
  /** Adds a new version, makes it current, and returns it. */
  rotateKey(vaultUri: string, keyName: string): Promise<KeyInfo>;
}

/** Asks the operator a yes/no question. */
export interface Prompt {
  confirm(question: string): Promise<boolean>;
}

/** Where the command writes: `out` for the plan and results, `err` for errors and notices. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export interface RotationDeps {
  readonly outputs: StackOutputsSource;
  readonly keys: KeyVaultKeys;
  readonly prompt: Prompt;
}

export interface RotationOptions {
  readonly stack: string;
  /** Rotate without asking. */
  readonly yes: boolean;
}

/** One key the stack's server uses. */
export interface RotationTarget {
  /** "primary key" or "geo-backup key (<region>)". */
  readonly label: string;
  readonly vaultUri: string;
  readonly vaultName: string;
  readonly keyName: string;
}

const RUNBOOK = "docs/rotation.md";
const KEY_NAME = /^[a-zA-Z0-9-]{1,127}$/;

function show(value: unknown): string {
  const text = value === undefined ? "undefined" : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isVaultUri(value: unknown): boolean {
  if (typeof value !== "string") {
    return false;
  }
  try {
    const url = new URL(value);
    return url.protocol === "https:" && url.hostname.length > 0;
  } catch {
    return false;
  }
}

function readTarget(
  outputs: Record<string, unknown>,
  prefix: string,
  label: string,
  problems: string[],
): RotationTarget | undefined {
  const name = (key: string) => `${prefix}${key}`;
  const before = problems.length;
  const vaultUri = outputs.keyVaultUri;
  const keyName = outputs.keyName;

  if (vaultUri === undefined || vaultUri === null) {
    problems.push(`output ${name("keyVaultUri")} is missing`);
  } else if (!isVaultUri(vaultUri)) {
    problems.push(
      `output ${name("keyVaultUri")} is ${show(vaultUri)}, expected an https vault URI such as https://<vault>.vault.azure.net/`,
    );
  }
  if (keyName === undefined || keyName === null) {
    problems.push(`output ${name("keyName")} is missing`);
  } else if (typeof keyName !== "string" || !KEY_NAME.test(keyName)) {
    problems.push(
      `output ${name("keyName")} is ${show(keyName)}, expected a key name of 1-127 letters, digits and hyphens`,
    );
  }
  if (problems.length > before) {
    return undefined;
  }

  const uri = vaultUri as string;
  const vaultName =
    typeof outputs.keyVaultName === "string" && outputs.keyVaultName.length > 0
      ? outputs.keyVaultName
      : new URL(uri).hostname.split(".")[0];
  return { label, vaultUri: uri, vaultName, keyName: keyName as string };
}

/**
 * The keys to rotate, from the stack's outputs: the primary key, and the geo-backup key when
 * `geoBackup` is not null. Throws one error listing every unusable output.
 */
export function rotationTargets(stack: string, outputs: Record<string, unknown>): RotationTarget[] {
  const problems: string[] = [];
  const targets: RotationTarget[] = [];

  const primary = readTarget(outputs, "", "primary key", problems);
  if (primary) {
    targets.push(primary);
  }
  const geo = outputs.geoBackup;
  if (typeof geo === "object" && geo !== null && !Array.isArray(geo)) {
    const geoOutputs = geo as Record<string, unknown>;
    const region = typeof geoOutputs.location === "string" ? ` (${geoOutputs.location})` : "";
    const target = readTarget(geoOutputs, "geoBackup.", `geo-backup key${region}`, problems);
    if (target) {
      targets.push(target);
    }
  } else if (geo !== undefined && geo !== null) {
    problems.push(
      `output geoBackup is ${show(geo)}, expected null or an object with keyVaultUri and keyName`,
    );
  }

  if (problems.length > 0) {
    throw new RotationError(
      `stack "${stack}" cannot be rotated: ${problems.join("; ")}. The outputs come from the stack's last "pulumi up"; run it if the stack was never deployed with this program.`,
      EXIT_CODES.usage,
    );
  }
  return targets;
}

function when(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function describeVersion(key: KeyInfo): string {
  const parts = [`current version ${key.version}`, key.enabled ? "enabled" : "DISABLED"];
  parts.push(key.keySize === undefined ? key.keyType : `${key.keyType} ${key.keySize}`);
  if (key.createdOn) {
    parts.push(`created ${when(key.createdOn)}`);
  }
  if (key.expiresOn) {
    parts.push(`expires ${when(key.expiresOn)}`);
  }
  return parts.join(", ");
}

function where(target: RotationTarget): string {
  return `key "${target.keyName}" in vault ${target.vaultName}`;
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0].trim();
}

const NETWORK_CODES = [
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "REQUEST_SEND_ERROR",
];

/**
 * Turns a failure of a Key Vault call into one line that says what went wrong and what to do.
 * Raw messages are only shown for failures without a known cause, and only their first line: a
 * 403 message from Key Vault names the caller's object ID, which need not be in a log.
 */
export function explainKeyVaultFailure(
  err: unknown,
  operation: "read" | "rotate",
  target: RotationTarget,
): RotationError {
  if (err instanceof RotationError) {
    return err;
  }
  const e = (typeof err === "object" && err !== null ? err : {}) as {
    name?: string;
    code?: string;
    statusCode?: number;
    message?: string;
    errorResponse?: { error?: string };
    details?: { error?: { code?: string; innerError?: { code?: string } } };
  };
  const verb = operation === "read" ? "reading" : "rotating";
  const failed = (message: string) => new RotationError(message, EXIT_CODES.failed);

  if (e.name === "CredentialUnavailableError" || e.name === "AggregateAuthenticationError") {
    return failed(
      `no Azure credential is available for ${verb} ${where(target)}: run "az login" (or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service principal) and try again`,
    );
  }
  if (e.name === "AuthenticationError") {
    const reason = e.errorResponse?.error ? ` (${e.errorResponse.error})` : "";
    return failed(
      `Azure sign-in failed${reason} while ${verb} ${where(target)}: run "az login" again, with --tenant <tenant-id> if the vault is in another tenant`,
    );
  }
  if (e.code !== undefined && NETWORK_CODES.includes(e.code) && e.statusCode === undefined) {
    return failed(
      `cannot reach vault ${target.vaultName} at ${target.vaultUri} (${e.code}) while ${verb} key "${target.keyName}": check that the vault exists, that its name resolves from this network, and that no proxy or private endpoint is in the way`,
    );
  }
  if (e.statusCode === 401) {
    return failed(
      `vault ${target.vaultName} rejected the credential (401) while ${verb} key "${target.keyName}": run "az login" in the vault's tenant (az login --tenant <tenant-id>)`,
    );
  }
  if (e.statusCode === 403) {
    const inner = e.details?.error?.innerError?.code;
    if (
      inner === "ForbiddenByFirewall" ||
      /client address is not authorized/i.test(e.message ?? "")
    ) {
      const address = /client address: ?([0-9a-fA-F.:]+)/i.exec(e.message ?? "")?.[1];
      const yours = address ? `your address ${address}` : "your public IP address";
      return failed(
        `the firewall of vault ${target.vaultName} refused this client (403 ForbiddenByFirewall) while ${verb} key "${target.keyName}": the vault denies every address by default; add ${yours} to config keyVaultIpRules and run "pulumi up", then try again`,
      );
    }
    return failed(
      `vault ${target.vaultName} denied ${verb} key "${target.keyName}" (403 ${inner ?? e.code ?? "Forbidden"}): the signed-in identity needs the key permissions get and rotate (access policy keys "get" and "rotate", or on an RBAC vault the role "Key Vault Crypto Officer"), and the vault firewall must let its address through (config keyVaultIpRules; the vault denies by default)`,
    );
  }
  if (e.statusCode === 404) {
    return failed(
      `key "${target.keyName}" was not found in vault ${target.vaultName} (404 ${e.code ?? "KeyNotFound"}): check that the stack's outputs are current ("pulumi refresh") and whether the key was deleted ("az keyvault key list-deleted --vault-name ${target.vaultName}"); see "${RUNBOOK}"`,
    );
  }
  const status =
    e.statusCode !== undefined
      ? ` (${e.statusCode}${e.code ? ` ${e.code}` : ""})`
      : e.code
        ? ` (${e.code})`
        : "";
  const detail = e.message ? `: ${firstLine(e.message)}` : "";
  return failed(`${verb} ${where(target)} failed${status}${detail}`);
}

async function call<T>(
  action: () => Promise<T>,
  operation: "read" | "rotate",
  target: RotationTarget,
): Promise<T> {
  try {
    return await action();
  } catch (err) {
    throw explainKeyVaultFailure(err, operation, target);
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * Rotates every key the stack's server uses, after showing what will happen and asking once
 * (unless `yes`). Returns the exit code; every failure is written to `io.err` as one line.
 */
export async function rotateStackKeys(
  options: RotationOptions,
  deps: RotationDeps,
  io: Io,
): Promise<number> {
  const rotated: string[] = [];
  try {
    const outputs = await deps.outputs.read(options.stack);
    const targets = rotationTargets(options.stack, outputs);

    const current: KeyInfo[] = [];
    for (const target of targets) {
      current.push(
        await call(() => deps.keys.getKey(target.vaultUri, target.keyName), "read", target),
      );
    }

    io.out(`Stack "${options.stack}": ${plural(targets.length, "key")} to rotate.`);
    targets.forEach((target, i) => {
      io.out(
        `  ${target.label}: key "${target.keyName}" in vault ${target.vaultName} (${target.vaultUri})`,
      );
      io.out(`    ${describeVersion(current[i])}`);
    });
    io.out("Rotating adds a new version to each key and makes it current.");
    io.out(
      "The server holds the versionless key URI, so it follows the new version by itself: no Pulumi change is needed.",
    );
    io.out(
      "Old versions stay enabled: this command never disables or deletes a version, because backups and point-in-time restore still need them.",
    );

    const disabled = targets.findIndex((_, i) => !current[i].enabled);
    if (disabled >= 0) {
      const target = targets[disabled];
      throw new RotationError(
        `the current version ${current[disabled].version} of ${where(target)} is disabled: a new version would not give an Inaccessible server its key back, so nothing was rotated; restore access to that version first, as "${RUNBOOK}" describes under recovering an Inaccessible server`,
        EXIT_CODES.refused,
      );
    }

    if (!options.yes) {
      const question = `Rotate ${targets.length === 1 ? "this key" : `these ${targets.length} keys`} of stack "${options.stack}"? [y/N] `;
      if (!(await deps.prompt.confirm(question))) {
        io.err("Declined: no key was rotated.");
        return EXIT_CODES.declined;
      }
    }

    for (const [i, target] of targets.entries()) {
      const after = await call(
        () => deps.keys.rotateKey(target.vaultUri, target.keyName),
        "rotate",
        target,
      );
      rotated.push(target.label);
      io.out(
        `Rotated ${target.label} "${target.keyName}" in vault ${target.vaultName}: ${current[i].version} -> ${after.version}`,
      );
    }
    io.out(`Done: ${plural(targets.length, "key")} rotated. The old versions are still enabled.`);
    return EXIT_CODES.ok;
  } catch (err) {
    const failure =
      err instanceof RotationError
        ? err
        : new RotationError(
            `rotation failed: ${firstLine(err instanceof Error ? err.message : String(err))}`,
            EXIT_CODES.failed,
          );
    const done = rotated.length > 0 ? ` (already rotated: ${rotated.join(", ")})` : "";
    io.err(`rotate-key: ${failure.message}${done}`);
    return failure.exitCode;
  }
}
