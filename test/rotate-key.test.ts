import * as fs from "node:fs";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import {
  AggregateAuthenticationError,
  AuthenticationError,
  CredentialUnavailableError,
} from "@azure/identity";
import type { KeyVaultKey } from "@azure/keyvault-keys";
import { beforeEach, describe, expect, it } from "vitest";

import { HELP, main } from "../tools/rotate-key";
import {
  KeyInfo,
  KeyVaultKeys,
  Prompt,
  RotationDeps,
  RotationError,
  StackOutputsSource,
} from "../tools/lib/rotation";
import {
  AzureKeyVaultKeys,
  CommandResult,
  PulumiCliStackOutputs,
  TerminalPrompt,
  parseStackOutputs,
  toKeyInfo,
} from "../tools/lib/rotationAdapters";

const FIXTURES = path.join(__dirname, "fixtures");
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), "utf8");
const WITH_GEO = parseStackOutputs("dev", fixture("pulumi-stack-output.json"));
const WITHOUT_GEO = parseStackOutputs("dev", fixture("pulumi-stack-output-no-geo.json"));

const PRIMARY_URI = "https://kvp-dev-3e8a61d0.vault.azure.net/";
const GEO_URI = "https://kvg-dev-geo-7c1f0b2e.vault.azure.net/";
const KEY = "postgres-cmk";

/** Builds an error the way @azure/keyvault-keys does for an HTTP failure (a core RestError). */
function restError(statusCode: number, code: string, message: string, innerCode?: string): Error {
  return Object.assign(new Error(message), {
    name: "RestError",
    statusCode,
    code,
    details: { error: { code, message, innerError: innerCode ? { code: innerCode } : undefined } },
  });
}

/** Builds the error the HTTP client raises when no response came back. */
function networkError(code: string): Error {
  return Object.assign(new Error(`getaddrinfo ${code} kvp-dev-3e8a61d0.vault.azure.net`), {
    name: "RestError",
    code,
  });
}

function keyInfo(version: string, overrides: Partial<KeyInfo> = {}): KeyInfo {
  return {
    name: KEY,
    version,
    enabled: true,
    keyType: "RSA",
    keySize: 3072,
    createdOn: new Date("2026-01-10T08:00:00Z"),
    expiresOn: new Date("2026-10-08T08:00:00Z"),
    ...overrides,
  };
}

/** Strict stack outputs: only the stacks it was given exist. */
class FakeOutputs implements StackOutputsSource {
  readonly calls: string[] = [];
  constructor(private readonly stacks: Record<string, Record<string, unknown>>) {}
  async read(stack: string): Promise<Record<string, unknown>> {
    this.calls.push(stack);
    const outputs = this.stacks[stack];
    if (!outputs) {
      throw new Error(`FakeOutputs: unexpected stack ${stack}`);
    }
    return outputs;
  }
}

/**
 * Key Vault with one current version per key and the versions each rotation will create. Every
 * call is recorded; a key it was not given fails the test.
 */
class FakeKeys implements KeyVaultKeys {
  readonly calls: string[] = [];
  readonly failures = new Map<string, Error>();
  private readonly current = new Map<string, KeyInfo>();
  private readonly next = new Map<string, string>();

  constructor(keys: { vaultUri: string; current: KeyInfo; next: string }[]) {
    for (const key of keys) {
      this.current.set(`${key.vaultUri} ${key.current.name}`, key.current);
      this.next.set(`${key.vaultUri} ${key.current.name}`, key.next);
    }
  }

  failOn(operation: "getKey" | "rotateKey", vaultUri: string, error: Error): this {
    this.failures.set(`${operation} ${vaultUri} ${KEY}`, error);
    return this;
  }

  private lookup(operation: string, vaultUri: string, keyName: string): KeyInfo {
    const id = `${vaultUri} ${keyName}`;
    this.calls.push(`${operation} ${id}`);
    const failure = this.failures.get(`${operation} ${id}`);
    if (failure) {
      throw failure;
    }
    const key = this.current.get(id);
    if (!key) {
      throw new Error(`FakeKeys: unexpected ${operation} of ${id}`);
    }
    return key;
  }

  async getKey(vaultUri: string, keyName: string): Promise<KeyInfo> {
    return this.lookup("getKey", vaultUri, keyName);
  }

  async rotateKey(vaultUri: string, keyName: string): Promise<KeyInfo> {
    const before = this.lookup("rotateKey", vaultUri, keyName);
    const after = {
      ...before,
      version: this.next.get(`${vaultUri} ${keyName}`)!,
      createdOn: new Date("2026-05-01T12:00:00Z"),
    };
    this.current.set(`${vaultUri} ${keyName}`, after);
    return after;
  }
}

/** Answers with the given replies in turn and records each question; more questions fail the test. */
class FakePrompt implements Prompt {
  readonly questions: string[] = [];
  constructor(private readonly replies: (boolean | Error)[] = []) {}
  async confirm(question: string): Promise<boolean> {
    this.questions.push(question);
    const reply = this.replies.shift();
    if (reply === undefined) {
      throw new Error(`FakePrompt: unexpected question ${question}`);
    }
    if (reply instanceof Error) {
      throw reply;
    }
    return reply;
  }
}

/**
 * Records every property the code under test reads on `target`, to prove which methods it used.
 * Methods run bound to the target itself, so the target's own bookkeeping is not recorded.
 */
function recording<T extends object>(target: T, seen: string[]): T {
  return new Proxy(target, {
    get(obj, property) {
      if (typeof property === "string") {
        seen.push(property);
      }
      const value: unknown = Reflect.get(obj, property, obj);
      return typeof value === "function" ? value.bind(obj) : value;
    },
  });
}

let stdout: string[];
let stderr: string[];
const io = {
  out: (line: string) => stdout.push(line),
  err: (line: string) => stderr.push(line),
};

beforeEach(() => {
  stdout = [];
  stderr = [];
});

function geoStackKeys(): FakeKeys {
  return new FakeKeys([
    {
      vaultUri: PRIMARY_URI,
      current: keyInfo("a1b2c3d4e5f60718293a4b5c6d7e8f90"),
      next: "0f9e8d7c6b5a49382716f5e4d3c2b1a0",
    },
    {
      vaultUri: GEO_URI,
      current: keyInfo("11112222333344445555666677778888"),
      next: "88887777666655554444333322221111",
    },
  ]);
}

function primaryOnlyKeys(current: KeyInfo = keyInfo("a1b2c3d4e5f60718293a4b5c6d7e8f90")): FakeKeys {
  return new FakeKeys([
    { vaultUri: PRIMARY_URI, current, next: "0f9e8d7c6b5a49382716f5e4d3c2b1a0" },
  ]);
}

function deps(
  keys: FakeKeys,
  prompt = new FakePrompt(),
  outputs: Record<string, unknown> = WITHOUT_GEO,
) {
  return { outputs: new FakeOutputs({ dev: outputs }), keys, prompt } satisfies RotationDeps;
}

const PLAN_NOTES = [
  "Rotating adds a new version to each key and makes it current.",
  "The server holds the versionless key URI, so it follows the new version by itself: no Pulumi change is needed.",
  "Old versions stay enabled: this command never disables or deletes a version, because backups and point-in-time restore still need them.",
];

const PRIMARY_PLAN = [
  '  primary key: key "postgres-cmk" in vault kvp-dev-3e8a61d0 (https://kvp-dev-3e8a61d0.vault.azure.net/)',
  "    current version a1b2c3d4e5f60718293a4b5c6d7e8f90, enabled, RSA 3072, created 2026-01-10T08:00:00Z, expires 2026-10-08T08:00:00Z",
];

describe("rotate-key on a stack without geo backup", () => {
  it("shows the plan, asks once, rotates the key and reports old -> new version", async () => {
    const keys = primaryOnlyKeys();
    const prompt = new FakePrompt([true]);

    const code = await main(["--stack", "dev"], deps(keys, prompt), io);

    expect(code).toBe(0);
    expect(prompt.questions).toEqual(['Rotate this key of stack "dev"? [y/N] ']);
    expect(stdout).toEqual([
      'Stack "dev": 1 key to rotate.',
      ...PRIMARY_PLAN,
      ...PLAN_NOTES,
      'Rotated primary key "postgres-cmk" in vault kvp-dev-3e8a61d0: a1b2c3d4e5f60718293a4b5c6d7e8f90 -> 0f9e8d7c6b5a49382716f5e4d3c2b1a0',
      "Done: 1 key rotated. The old versions are still enabled.",
    ]);
    expect(stderr).toEqual([]);
    expect(keys.calls).toEqual([
      `getKey ${PRIMARY_URI} postgres-cmk`,
      `rotateKey ${PRIMARY_URI} postgres-cmk`,
    ]);
  });

  it("rotates nothing and exits 3 when the operator declines", async () => {
    const keys = primaryOnlyKeys();
    const prompt = new FakePrompt([false]);

    const code = await main(["--stack", "dev"], deps(keys, prompt), io);

    expect(code).toBe(3);
    expect(prompt.questions).toEqual(['Rotate this key of stack "dev"? [y/N] ']);
    expect(stdout).toEqual(['Stack "dev": 1 key to rotate.', ...PRIMARY_PLAN, ...PLAN_NOTES]);
    expect(stderr).toEqual(["Declined: no key was rotated."]);
    expect(keys.calls).toEqual([`getKey ${PRIMARY_URI} postgres-cmk`]);
  });

  it("skips the prompt with --yes", async () => {
    const keys = primaryOnlyKeys();
    const prompt = new FakePrompt();

    const code = await main(["--stack", "dev", "--yes"], deps(keys, prompt), io);

    expect(code).toBe(0);
    expect(prompt.questions).toEqual([]);
    expect(stdout.at(-2)).toBe(
      'Rotated primary key "postgres-cmk" in vault kvp-dev-3e8a61d0: a1b2c3d4e5f60718293a4b5c6d7e8f90 -> 0f9e8d7c6b5a49382716f5e4d3c2b1a0',
    );
    expect(keys.calls).toEqual([
      `getKey ${PRIMARY_URI} postgres-cmk`,
      `rotateKey ${PRIMARY_URI} postgres-cmk`,
    ]);
  });

  it("refuses, exit 4, to rotate a key whose current version is disabled", async () => {
    const keys = primaryOnlyKeys(keyInfo("a1b2c3d4e5f60718293a4b5c6d7e8f90", { enabled: false }));

    const code = await main(["--stack", "dev", "--yes"], deps(keys), io);

    expect(code).toBe(4);
    expect(stdout[2]).toBe(
      "    current version a1b2c3d4e5f60718293a4b5c6d7e8f90, DISABLED, RSA 3072, created 2026-01-10T08:00:00Z, expires 2026-10-08T08:00:00Z",
    );
    expect(stderr).toEqual([
      'rotate-key: the current version a1b2c3d4e5f60718293a4b5c6d7e8f90 of key "postgres-cmk" in vault kvp-dev-3e8a61d0 is disabled: a new version would not give an Inaccessible server its key back, so nothing was rotated; restore access to that version first, as "docs/rotation.md" describes under recovering an Inaccessible server',
    ]);
    expect(keys.calls).toEqual([`getKey ${PRIMARY_URI} postgres-cmk`]);
  });
});

describe("rotate-key on a stack with geo backup", () => {
  it("rotates the primary and the geo-backup key after one confirmation", async () => {
    const keys = geoStackKeys();
    const prompt = new FakePrompt([true]);

    const code = await main(["--stack", "dev"], deps(keys, prompt, WITH_GEO), io);

    expect(code).toBe(0);
    expect(prompt.questions).toEqual(['Rotate these 2 keys of stack "dev"? [y/N] ']);
    expect(stdout).toEqual([
      'Stack "dev": 2 keys to rotate.',
      ...PRIMARY_PLAN,
      '  geo-backup key (northeurope): key "postgres-cmk" in vault kvg-dev-geo-7c1f0b2e (https://kvg-dev-geo-7c1f0b2e.vault.azure.net/)',
      "    current version 11112222333344445555666677778888, enabled, RSA 3072, created 2026-01-10T08:00:00Z, expires 2026-10-08T08:00:00Z",
      ...PLAN_NOTES,
      'Rotated primary key "postgres-cmk" in vault kvp-dev-3e8a61d0: a1b2c3d4e5f60718293a4b5c6d7e8f90 -> 0f9e8d7c6b5a49382716f5e4d3c2b1a0',
      'Rotated geo-backup key (northeurope) "postgres-cmk" in vault kvg-dev-geo-7c1f0b2e: 11112222333344445555666677778888 -> 88887777666655554444333322221111',
      "Done: 2 keys rotated. The old versions are still enabled.",
    ]);
    expect(keys.calls).toEqual([
      `getKey ${PRIMARY_URI} postgres-cmk`,
      `getKey ${GEO_URI} postgres-cmk`,
      `rotateKey ${PRIMARY_URI} postgres-cmk`,
      `rotateKey ${GEO_URI} postgres-cmk`,
    ]);
  });

  it("says which key was already rotated when the second rotation fails", async () => {
    const keys = geoStackKeys().failOn(
      "rotateKey",
      GEO_URI,
      restError(403, "Forbidden", "Operation rotate is not permitted", "ForbiddenByPolicy"),
    );

    const code = await main(
      ["--stack", "dev", "--yes"],
      deps(keys, new FakePrompt(), WITH_GEO),
      io,
    );

    expect(code).toBe(1);
    expect(stderr).toEqual([
      'rotate-key: vault kvg-dev-geo-7c1f0b2e denied rotating key "postgres-cmk" (403 ForbiddenByPolicy): the signed-in identity needs the key permissions get and rotate (access policy keys "get" and "rotate", or on an RBAC vault the role "Key Vault Crypto Officer"), and the vault firewall must let its address through (config keyVaultIpRules; the vault denies by default) (already rotated: primary key)',
    ]);
    expect(keys.calls).toEqual([
      `getKey ${PRIMARY_URI} postgres-cmk`,
      `getKey ${GEO_URI} postgres-cmk`,
      `rotateKey ${PRIMARY_URI} postgres-cmk`,
      `rotateKey ${GEO_URI} postgres-cmk`,
    ]);
  });
});

describe("rotate-key never disables or deletes a key version", () => {
  it("uses only getKey and rotateKey of the Key Vault interface", async () => {
    const seen: string[] = [];
    const keys = geoStackKeys();
    const d = { ...deps(keys, new FakePrompt([true]), WITH_GEO), keys: recording(keys, seen) };

    expect(await main(["--stack", "dev"], d, io)).toBe(0);

    expect([...new Set(seen)].sort()).toEqual(["getKey", "rotateKey"]);
    expect(keys.calls.map((call) => call.split(" ")[0])).toEqual([
      "getKey",
      "getKey",
      "rotateKey",
      "rotateKey",
    ]);
  });

  it("reaches only getKey and rotateKey of the Azure KeyClient", async () => {
    const seen: string[] = [];
    const sdkKey = (version: string): KeyVaultKey => ({
      name: KEY,
      id: `${PRIMARY_URI}keys/${KEY}/${version}`,
      keyType: "RSA",
      key: { kty: "RSA", n: new Uint8Array(384).fill(0xff), e: new Uint8Array([1, 0, 1]) },
      properties: { name: KEY, vaultUrl: PRIMARY_URI, version, enabled: true },
    });
    const client = {
      getKey: async () => sdkKey("a1b2c3d4e5f60718293a4b5c6d7e8f90"),
      rotateKey: async () => sdkKey("0f9e8d7c6b5a49382716f5e4d3c2b1a0"),
    };
    const clientUris: string[] = [];
    const keys = new AzureKeyVaultKeys((uri) => {
      clientUris.push(uri);
      return recording(client, seen);
    });

    const code = await main(["--stack", "dev", "--yes"], { ...deps(primaryOnlyKeys()), keys }, io);

    expect(code).toBe(0);
    expect(clientUris).toEqual([PRIMARY_URI]);
    expect([...new Set(seen)].sort()).toEqual(["getKey", "rotateKey"]);
    expect(stdout.at(-2)).toBe(
      'Rotated primary key "postgres-cmk" in vault kvp-dev-3e8a61d0: a1b2c3d4e5f60718293a4b5c6d7e8f90 -> 0f9e8d7c6b5a49382716f5e4d3c2b1a0',
    );
  });

  it("offers no disable, delete or update method on the Key Vault interface", () => {
    const methods = Object.getOwnPropertyNames(AzureKeyVaultKeys.prototype).filter(
      (name) => name !== "constructor",
    );
    expect(methods.sort()).toEqual(["client", "getKey", "rotateKey"]);
  });
});

describe("rotate-key reports each Azure failure as one line with its exit code", () => {
  const cases: {
    name: string;
    error: Error;
    operation: "getKey" | "rotateKey";
    code: number;
    message: string;
  }[] = [
    {
      name: "no permission (access policy)",
      error: restError(
        403,
        "Forbidden",
        "The user, group or application 'appid=...;oid=...' does not have keys get permission",
        "ForbiddenByPolicy",
      ),
      operation: "getKey",
      code: 1,
      message:
        'rotate-key: vault kvp-dev-3e8a61d0 denied reading key "postgres-cmk" (403 ForbiddenByPolicy): the signed-in identity needs the key permissions get and rotate (access policy keys "get" and "rotate", or on an RBAC vault the role "Key Vault Crypto Officer"), and the vault firewall must let its address through (config keyVaultIpRules; the vault denies by default)',
    },
    {
      name: "no permission (RBAC, no inner code)",
      error: restError(403, "Forbidden", "Caller is not authorized to perform action on resource."),
      operation: "rotateKey",
      code: 1,
      message:
        'rotate-key: vault kvp-dev-3e8a61d0 denied rotating key "postgres-cmk" (403 Forbidden): the signed-in identity needs the key permissions get and rotate (access policy keys "get" and "rotate", or on an RBAC vault the role "Key Vault Crypto Officer"), and the vault firewall must let its address through (config keyVaultIpRules; the vault denies by default)',
    },
    {
      name: "blocked by the vault firewall",
      error: restError(
        403,
        "Forbidden",
        "Client address is not authorized and caller is not a trusted service.\r\nClient address: 198.51.100.7\r\nCaller: appid=...;oid=...",
        "ForbiddenByFirewall",
      ),
      operation: "getKey",
      code: 1,
      message:
        'rotate-key: the firewall of vault kvp-dev-3e8a61d0 refused this client (403 ForbiddenByFirewall) while reading key "postgres-cmk": the vault denies every address by default; add your address 198.51.100.7 to config keyVaultIpRules and run "pulumi up", then try again',
    },
    {
      name: "key not found",
      error: restError(
        404,
        "KeyNotFound",
        "A key with (name/id) postgres-cmk was not found in this key vault.",
      ),
      operation: "getKey",
      code: 1,
      message:
        'rotate-key: key "postgres-cmk" was not found in vault kvp-dev-3e8a61d0 (404 KeyNotFound): check that the stack\'s outputs are current ("pulumi refresh") and whether the key was deleted ("az keyvault key list-deleted --vault-name kvp-dev-3e8a61d0"); see "docs/rotation.md"',
    },
    ...["ENOTFOUND", "ECONNREFUSED", "ETIMEDOUT", "REQUEST_SEND_ERROR"].map((code) => ({
      name: `vault unreachable (${code})`,
      error: networkError(code),
      operation: "getKey" as const,
      code: 1,
      message: `rotate-key: cannot reach vault kvp-dev-3e8a61d0 at https://kvp-dev-3e8a61d0.vault.azure.net/ (${code}) while reading key "postgres-cmk": check that the vault exists, that its name resolves from this network, and that no proxy or private endpoint is in the way`,
    })),
    {
      name: "no credential (one source)",
      error: new CredentialUnavailableError("Azure CLI could not be found."),
      operation: "getKey",
      code: 1,
      message:
        'rotate-key: no Azure credential is available for reading key "postgres-cmk" in vault kvp-dev-3e8a61d0: run "az login" (or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service principal) and try again',
    },
    {
      name: "no credential (DefaultAzureCredential tried them all)",
      error: new AggregateAuthenticationError(
        [new CredentialUnavailableError("Please run 'az login'")],
        "ChainedTokenCredential authentication failed.",
      ),
      operation: "getKey",
      code: 1,
      message:
        'rotate-key: no Azure credential is available for reading key "postgres-cmk" in vault kvp-dev-3e8a61d0: run "az login" (or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service principal) and try again',
    },
    {
      name: "sign-in rejected",
      error: new AuthenticationError(400, {
        error: "invalid_grant",
        error_description: "AADSTS70043: The refresh token has expired.",
      }),
      operation: "rotateKey",
      code: 1,
      message:
        'rotate-key: Azure sign-in failed (invalid_grant) while rotating key "postgres-cmk" in vault kvp-dev-3e8a61d0: run "az login" again, with --tenant <tenant-id> if the vault is in another tenant',
    },
    {
      name: "token for the wrong tenant",
      error: restError(401, "Unauthorized", "AKV10032: Invalid issuer."),
      operation: "getKey",
      code: 1,
      message:
        'rotate-key: vault kvp-dev-3e8a61d0 rejected the credential (401) while reading key "postgres-cmk": run "az login" in the vault\'s tenant (az login --tenant <tenant-id>)',
    },
    {
      name: "any other service error",
      error: restError(
        429,
        "Throttled",
        "Request was not processed because too many requests were received.\nRetry later.",
      ),
      operation: "rotateKey",
      code: 1,
      message:
        'rotate-key: rotating key "postgres-cmk" in vault kvp-dev-3e8a61d0 failed (429 Throttled): Request was not processed because too many requests were received.',
    },
  ];

  for (const c of cases) {
    it(`${c.name}: exit ${c.code}`, async () => {
      const keys = primaryOnlyKeys().failOn(c.operation, PRIMARY_URI, c.error);

      const code = await main(["--stack", "dev", "--yes"], deps(keys), io);

      expect(code).toBe(c.code);
      expect(stderr).toEqual([c.message]);
      expect(keys.calls).toEqual(
        c.operation === "getKey"
          ? [`getKey ${PRIMARY_URI} postgres-cmk`]
          : [`getKey ${PRIMARY_URI} postgres-cmk`, `rotateKey ${PRIMARY_URI} postgres-cmk`],
      );
    });
  }
});

describe("rotate-key checks the stack outputs", () => {
  it("names every missing output and the stack, exit 2", async () => {
    const { keyVaultUri: _uri, keyName: _name, ...rest } = WITHOUT_GEO;
    const keys = primaryOnlyKeys();

    const code = await main(["--stack", "dev", "--yes"], deps(keys, new FakePrompt(), rest), io);

    expect(code).toBe(2);
    expect(stderr).toEqual([
      'rotate-key: stack "dev" cannot be rotated: output keyVaultUri is missing; output keyName is missing. The outputs come from the stack\'s last "pulumi up"; run it if the stack was never deployed with this program.',
    ]);
    expect(keys.calls).toEqual([]);
  });

  it("names a geo-backup output that is missing or malformed", async () => {
    const geo: Record<string, unknown> = {
      ...(WITH_GEO.geoBackup as Record<string, unknown>),
      keyVaultUri: "[secret]",
    };
    delete geo.keyName;

    const code = await main(
      ["--stack", "dev", "--yes"],
      deps(geoStackKeys(), new FakePrompt(), { ...WITH_GEO, geoBackup: geo }),
      io,
    );

    expect(code).toBe(2);
    expect(stderr).toEqual([
      'rotate-key: stack "dev" cannot be rotated: output geoBackup.keyVaultUri is "[secret]", expected an https vault URI such as https://<vault>.vault.azure.net/; output geoBackup.keyName is missing. The outputs come from the stack\'s last "pulumi up"; run it if the stack was never deployed with this program.',
    ]);
  });

  it("rotates only the primary key when geoBackup is null", async () => {
    const keys = primaryOnlyKeys();

    expect(
      await main(["--stack", "dev", "--yes"], deps(keys, new FakePrompt(), WITHOUT_GEO), io),
    ).toBe(0);

    expect(keys.calls).toEqual([
      `getKey ${PRIMARY_URI} postgres-cmk`,
      `rotateKey ${PRIMARY_URI} postgres-cmk`,
    ]);
  });
});

describe("rotate-key arguments", () => {
  it("requires --stack, exit 2", async () => {
    const keys = primaryOnlyKeys();
    expect(await main([], deps(keys), io)).toBe(2);
    expect(stderr).toEqual([
      "rotate-key: --stack NAME is required, e.g. npm run rotate-key -- --stack dev. Run with --help for usage.",
    ]);
    expect(keys.calls).toEqual([]);
  });

  it("rejects an unknown option, exit 2", async () => {
    expect(await main(["--stack", "dev", "--force"], deps(primaryOnlyKeys()), io)).toBe(2);
    expect(stderr).toEqual(["rotate-key: Unknown option '--force'. Run with --help for usage."]);
  });

  it("rejects --stack without a value, exit 2", async () => {
    expect(await main(["--stack"], deps(primaryOnlyKeys()), io)).toBe(2);
    expect(stderr).toEqual([
      "rotate-key: Option '--stack <value>' argument missing. Run with --help for usage.",
    ]);
  });

  it("prints help with the exit codes", async () => {
    expect(await main(["--help"], deps(primaryOnlyKeys()), io)).toBe(0);
    expect(stdout).toEqual([HELP]);
    expect(HELP).toContain("  1  an Azure or Pulumi operation failed");
    expect(HELP).toContain("  2  usage or configuration problem");
    expect(HELP).toContain("  3  declined at the prompt; nothing was rotated");
    expect(HELP).toContain("  4  refused: a key's current version is disabled");
  });
});

describe("the terminal prompt", () => {
  function terminal(isTTY: boolean) {
    const input = Object.assign(new PassThrough(), { isTTY });
    const output = new PassThrough();
    let written = "";
    output.on("data", (chunk) => (written += String(chunk)));
    return { prompt: new TerminalPrompt({ input, output }), input, written: () => written };
  }

  it("refuses at once when stdin is not a terminal", async () => {
    const { prompt } = terminal(false);
    await expect(prompt.confirm("Rotate? [y/N] ")).rejects.toThrow(
      new RotationError(
        "stdin is not a terminal, so nobody can confirm the rotation: run with --yes to rotate without asking",
        2,
      ),
    );
  });

  it("makes the command exit 2 without rotating when stdin is not a terminal", async () => {
    const keys = primaryOnlyKeys();
    const d = { ...deps(keys), prompt: terminal(false).prompt };

    const code = await main(["--stack", "dev"], d, io);

    expect(code).toBe(2);
    expect(stderr).toEqual([
      "rotate-key: stdin is not a terminal, so nobody can confirm the rotation: run with --yes to rotate without asking",
    ]);
    expect(keys.calls).toEqual([`getKey ${PRIMARY_URI} postgres-cmk`]);
  });

  it('confirms on "y" and "yes" only', async () => {
    for (const [answer, expected] of [
      ["y", true],
      ["YES", true],
      ["n", false],
      ["", false],
      ["yes please", false],
    ] as const) {
      const { prompt, input } = terminal(true);
      const reply = prompt.confirm("Rotate? [y/N] ");
      input.write(`${answer}\n`);
      expect(await reply).toBe(expected);
    }
  });

  it("declines when input ends without an answer", async () => {
    const { prompt, input } = terminal(true);
    const reply = prompt.confirm("Rotate? [y/N] ");
    input.end();
    expect(await reply).toBe(false);
  });
});

describe("reading stack outputs with the Pulumi CLI", () => {
  function cli(result: CommandResult | NodeJS.ErrnoException) {
    const runs: string[][] = [];
    const source = new PulumiCliStackOutputs(async (file, args) => {
      runs.push([file, ...args]);
      if (result instanceof Error) {
        throw result;
      }
      return result;
    });
    return { source, runs };
  }

  it("runs pulumi stack output without secrets and parses the recorded format", async () => {
    const { source, runs } = cli({
      exitCode: 0,
      stdout: fixture("pulumi-stack-output.json"),
      stderr: "",
    });

    const outputs = await source.read("dev");

    expect(runs).toEqual([
      ["pulumi", "stack", "output", "--json", "--show-secrets=false", "--stack", "dev"],
    ]);
    expect(outputs.keyVaultUri).toBe(PRIMARY_URI);
    expect(outputs.keyName).toBe("postgres-cmk");
    expect(outputs.administratorPassword).toBe("[secret]");
    expect(outputs.geoBackup).toEqual({
      identityId:
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-postgres-cmk-dev/providers/Microsoft.ManagedIdentity/userAssignedIdentities/dev-geo-identity4d2e9a71",
      keyName: "postgres-cmk",
      keyUri: "https://kvg-dev-geo-7c1f0b2e.vault.azure.net/keys/postgres-cmk",
      keyVaultName: "kvg-dev-geo-7c1f0b2e",
      keyVaultUri: GEO_URI,
      location: "northeurope",
    });
  });

  it("says the Pulumi CLI is missing, exit 2", async () => {
    const { source } = cli(Object.assign(new Error("spawn pulumi ENOENT"), { code: "ENOENT" }));
    const code = await main(
      ["--stack", "dev", "--yes"],
      { ...deps(primaryOnlyKeys()), outputs: source },
      io,
    );
    expect(code).toBe(2);
    expect(stderr).toEqual([
      'rotate-key: the Pulumi CLI ("pulumi") was not found on PATH: install it, or add its directory to PATH, then try again',
    ]);
  });

  it("says the stack was not found, exit 2", async () => {
    const { source } = cli({
      exitCode: 255,
      stdout: "",
      stderr: "error: no stack named 'prod' found\n",
    });
    const code = await main(
      ["--stack", "prod", "--yes"],
      { ...deps(primaryOnlyKeys()), outputs: source },
      io,
    );
    expect(code).toBe(2);
    expect(stderr).toEqual([
      'rotate-key: stack "prod" was not found: check the name with "pulumi stack ls", and that you are logged in to the backend that holds it ("pulumi login")',
    ]);
  });

  it("passes on the first error line of any other Pulumi failure, exit 1", async () => {
    const { source } = cli({
      exitCode: 255,
      stdout: "",
      stderr:
        "error: passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables\n",
    });
    const code = await main(
      ["--stack", "dev", "--yes"],
      { ...deps(primaryOnlyKeys()), outputs: source },
      io,
    );
    expect(code).toBe(1);
    expect(stderr).toEqual([
      'rotate-key: "pulumi stack output" failed for stack "dev" (exit 255): passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables',
    ]);
  });

  it("rejects output that is not a JSON object", async () => {
    const { source } = cli({ exitCode: 0, stdout: "Current stack outputs (0):\n", stderr: "" });
    await expect(source.read("dev")).rejects.toThrow(
      '"pulumi stack output --json" for stack "dev" did not print JSON; run it by hand to see why',
    );
  });
});

describe("reading a Key Vault key", () => {
  it("keeps version, state, type, size and dates, and no key material", () => {
    const info = toKeyInfo({
      name: KEY,
      id: `${PRIMARY_URI}keys/${KEY}/a1b2c3d4e5f60718293a4b5c6d7e8f90`,
      keyType: "RSA",
      key: {
        kty: "RSA",
        n: new Uint8Array([0, ...new Uint8Array(256).fill(0xc3)]),
        e: new Uint8Array([1, 0, 1]),
      },
      properties: {
        name: KEY,
        vaultUrl: PRIMARY_URI,
        enabled: false,
        createdOn: new Date("2026-01-10T08:00:00Z"),
        expiresOn: new Date("2026-10-08T08:00:00Z"),
      },
    });

    expect(info).toEqual({
      name: KEY,
      version: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
      enabled: false,
      keyType: "RSA",
      keySize: 2048,
      createdOn: new Date("2026-01-10T08:00:00Z"),
      expiresOn: new Date("2026-10-08T08:00:00Z"),
    });
  });
});
