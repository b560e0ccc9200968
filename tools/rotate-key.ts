import { parseArgs } from "node:util";

import { EXIT_CODES, Io, RotationDeps, rotateStackKeys } from "./lib/rotation";
import { AzureKeyVaultKeys, PulumiCliStackOutputs, TerminalPrompt } from "./lib/rotationAdapters";

export const HELP = `Usage: npm run rotate-key -- --stack NAME [--yes]

Rotates the stack's key encryption keys now: the primary key and, with geo-redundant backup, the
geo-backup key. Reads the vault URIs and key names from the stack's outputs, shows each key's
current version, asks once for confirmation, then adds a new version to each key through Key
Vault's data plane and reports old -> new version. The server holds the versionless key URI and
follows the new version by itself. Old versions are never disabled or deleted.

Options:
  --stack NAME  the Pulumi stack whose keys to rotate (required)
  --yes         rotate without asking (needed when stdin is not a terminal)
  --help        show this help

Needs the Pulumi CLI, an Azure sign-in that DefaultAzureCredential finds (for example
"az login"), the key permissions get and rotate on each vault (access policy, or the RBAC role
"Key Vault Crypto Officer"), and the caller's address in config keyVaultIpRules.

Exit codes:
  ${EXIT_CODES.ok}  every key was rotated
  ${EXIT_CODES.failed}  an Azure or Pulumi operation failed (permission, key not found, vault unreachable,
     sign-in)
  ${EXIT_CODES.usage}  usage or configuration problem (bad arguments, unknown stack, missing outputs,
     no Pulumi CLI, no terminal to confirm on without --yes)
  ${EXIT_CODES.declined}  declined at the prompt; nothing was rotated
  ${EXIT_CODES.refused}  refused: a key's current version is disabled; see docs/rotation.md`;

/** Runs the command with `argv` (without node and script); returns the exit code. */
export async function main(argv: readonly string[], deps: RotationDeps, io: Io): Promise<number> {
  let values: { stack?: string; yes?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        stack: { type: "string" },
        yes: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    const reason = (err as Error).message.split("\n")[0].replace(/\.$/, "");
    io.err(`rotate-key: ${reason}. Run with --help for usage.`);
    return EXIT_CODES.usage;
  }

  if (values.help) {
    io.out(HELP);
    return EXIT_CODES.ok;
  }
  const stack = values.stack?.trim();
  if (!stack) {
    io.err(
      "rotate-key: --stack NAME is required, e.g. npm run rotate-key -- --stack dev. Run with --help for usage.",
    );
    return EXIT_CODES.usage;
  }
  return rotateStackKeys({ stack, yes: values.yes ?? false }, deps, io);
}

if (require.main === module) {
  const io: Io = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
  const deps: RotationDeps = {
    outputs: new PulumiCliStackOutputs(),
    keys: new AzureKeyVaultKeys(),
    prompt: new TerminalPrompt(),
  };
  main(process.argv.slice(2), deps, io).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      io.err(`rotate-key: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
      process.exitCode = EXIT_CODES.failed;
    },
  );
}
