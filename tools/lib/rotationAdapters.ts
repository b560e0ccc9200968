import { execFile } from "node:child_process";
import * as readline from "node:readline";
import { DefaultAzureCredential, TokenCredential } from "@azure/identity";
import { KeyClient, KeyVaultKey } from "@azure/keyvault-keys";

import {
  EXIT_CODES,
  KeyInfo,
  KeyVaultKeys,
  Prompt,
  RotationError,
  StackOutputsSource,
} from "./rotation";

/** How a finished command went; a command that could not start rejects instead. */
export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program without a shell. */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<CommandResult>;

/** Runs `file` with `args` directly (no shell), with stdin closed so it can never wait on input. */
export const runCommand: CommandRunner = (file, args) =>
  new Promise((resolve, reject) => {
    const child = execFile(
      file,
      [...args],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, windowsHide: true },
      (error, stdout, stderr) => {
        if (error && typeof error.code === "string") {
          reject(error);
        } else {
          resolve({
            exitCode: error ? (typeof error.code === "number" ? error.code : 1) : 0,
            stdout,
            stderr,
          });
        }
      },
    );
    child.stdin?.end();
  });

function firstErrorLine(stderr: string): string {
  const lines = stderr.split(/\r?\n/).map((line) => line.trim());
  return (
    lines.find((line) => line.startsWith("error:"))?.replace(/^error:\s*/, "") ??
    lines.find((line) => line) ??
    ""
  );
}

/**
 * Parses what `pulumi stack output --json` prints: one JSON object from output name to value,
 * objects and null kept as JSON, and every secret (with `--show-secrets=false`) replaced by the
 * string "[secret]". `test/fixtures/pulumi-stack-output.json` is an example for this program.
 */
export function parseStackOutputs(stack: string, stdout: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new RotationError(
      `"pulumi stack output --json" for stack "${stack}" did not print JSON; run it by hand to see why`,
      EXIT_CODES.failed,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new RotationError(
      `"pulumi stack output --json" for stack "${stack}" printed ${Array.isArray(parsed) ? "a list" : String(parsed)}, not an object of outputs`,
      EXIT_CODES.failed,
    );
  }
  return parsed as Record<string, unknown>;
}

/** Reads stack outputs with the Pulumi CLI, never asking it to show secrets. */
export class PulumiCliStackOutputs implements StackOutputsSource {
  constructor(private readonly run: CommandRunner = runCommand) {}

  async read(stack: string): Promise<Record<string, unknown>> {
    let result: CommandResult;
    try {
      result = await this.run("pulumi", [
        "stack",
        "output",
        "--json",
        "--show-secrets=false",
        "--stack",
        stack,
      ]);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") {
        throw new RotationError(
          `the Pulumi CLI ("pulumi") was not found on PATH: install it, or add its directory to PATH, then try again`,
          EXIT_CODES.usage,
        );
      }
      throw new RotationError(`could not run "pulumi" (${code ?? String(err)})`, EXIT_CODES.failed);
    }

    if (result.exitCode !== 0) {
      const reason = firstErrorLine(result.stderr);
      if (/no stack named '[^']*' found/.test(reason)) {
        throw new RotationError(
          `stack "${stack}" was not found: check the name with "pulumi stack ls", and that you are logged in to the backend that holds it ("pulumi login")`,
          EXIT_CODES.usage,
        );
      }
      throw new RotationError(
        `"pulumi stack output" failed for stack "${stack}" (exit ${result.exitCode})${reason ? `: ${reason}` : ""}`,
        EXIT_CODES.failed,
      );
    }
    return parseStackOutputs(stack, result.stdout);
  }
}

/** The two KeyClient methods rotation uses; nothing else of the client is reachable. */
export type RotationKeyClient = Pick<KeyClient, "getKey" | "rotateKey">;

/** Bits of an RSA modulus, leading zero bytes aside. */
function modulusBits(n: Uint8Array | undefined): number | undefined {
  if (!n || n.length === 0) {
    return undefined;
  }
  let start = 0;
  while (start < n.length - 1 && n[start] === 0) {
    start++;
  }
  return (n.length - start) * 8;
}

/** The parts of a Key Vault key that rotation shows; no key material is kept. */
export function toKeyInfo(key: KeyVaultKey): KeyInfo {
  const version = key.properties.version ?? key.id?.split("/").pop();
  if (!version) {
    throw new RotationError(
      `Key Vault returned key "${key.name}" without a version`,
      EXIT_CODES.failed,
    );
  }
  const keySize = modulusBits(key.key?.n);
  return {
    name: key.name,
    version,
    enabled: key.properties.enabled ?? false,
    keyType: key.keyType ?? key.key?.kty ?? "unknown",
    ...(keySize === undefined ? {} : { keySize }),
    ...(key.properties.expiresOn ? { expiresOn: key.properties.expiresOn } : {}),
    ...(key.properties.createdOn ? { createdOn: key.properties.createdOn } : {}),
  };
}

/**
 * Key Vault through `@azure/keyvault-keys`, signed in with `DefaultAzureCredential` (Azure CLI,
 * environment, workload or managed identity, whichever is available). One client per vault.
 */
export class AzureKeyVaultKeys implements KeyVaultKeys {
  private readonly clients = new Map<string, RotationKeyClient>();
  private readonly clientFor: (vaultUri: string) => RotationKeyClient;

  constructor(clientFor?: (vaultUri: string) => RotationKeyClient) {
    if (clientFor) {
      this.clientFor = clientFor;
    } else {
      let credential: TokenCredential | undefined;
      this.clientFor = (vaultUri) =>
        new KeyClient(vaultUri, (credential ??= new DefaultAzureCredential()));
    }
  }

  private client(vaultUri: string): RotationKeyClient {
    let client = this.clients.get(vaultUri);
    if (!client) {
      client = this.clientFor(vaultUri);
      this.clients.set(vaultUri, client);
    }
    return client;
  }

  async getKey(vaultUri: string, keyName: string): Promise<KeyInfo> {
    return toKeyInfo(await this.client(vaultUri).getKey(keyName));
  }

  async rotateKey(vaultUri: string, keyName: string): Promise<KeyInfo> {
    return toKeyInfo(await this.client(vaultUri).rotateKey(keyName));
  }
}

/** The streams a terminal prompt reads and writes. */
export interface PromptStreams {
  readonly input: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly output: NodeJS.WritableStream;
}

/**
 * Asks on the terminal: reads stdin, writes the question to stderr so that stdout stays a clean
 * record. Only "y" or "yes" confirms; end of input or Ctrl-C declines. Without a terminal on
 * stdin nobody can answer, so it refuses at once instead of waiting.
 */
export class TerminalPrompt implements Prompt {
  constructor(
    private readonly streams: PromptStreams = { input: process.stdin, output: process.stderr },
  ) {}

  confirm(question: string): Promise<boolean> {
    if (!this.streams.input.isTTY) {
      return Promise.reject(
        new RotationError(
          "stdin is not a terminal, so nobody can confirm the rotation: run with --yes to rotate without asking",
          EXIT_CODES.usage,
        ),
      );
    }
    return new Promise((resolve) => {
      const rl = readline.createInterface({
        input: this.streams.input,
        output: this.streams.output,
        terminal: true,
      });
      let answered = false;
      rl.on("SIGINT", () => rl.close());
      rl.on("close", () => {
        if (!answered) {
          this.streams.output.write("\n");
          resolve(false);
        }
      });
      rl.question(question, (answer) => {
        answered = true;
        rl.close();
        resolve(/^\s*y(es)?\s*$/i.test(answer));
      });
    });
  }
}
