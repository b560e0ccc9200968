import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** Raised when a stack file cannot be used; the message is one line for the operator. */
export class StackFileError extends Error {}

/**
 * Reads the `config:` map of a `Pulumi.<stack>.yaml` file into the flat form Pulumi hands a
 * program: `<namespace>:<key>` to a string, with lists and maps as JSON. Secure values cannot be
 * decrypted without the Pulumi CLI; they are listed in `secureKeys` and passed as a placeholder.
 */
export function readStackConfigFile(file: string): {
  config: Record<string, string>;
  secureKeys: string[];
} {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new StackFileError(
      `cannot read stack config ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  let doc: unknown;
  try {
    doc = parse(text) ?? {};
  } catch (err) {
    throw new StackFileError(`${file} is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new StackFileError(`${file} must be a YAML map with a "config" section`);
  }
  const section = (doc as Record<string, unknown>).config ?? {};
  if (typeof section !== "object" || section === null || Array.isArray(section)) {
    throw new StackFileError(`${file}: "config" must be a map of <namespace>:<key> to values`);
  }
  const config: Record<string, string> = {};
  const secureKeys: string[] = [];
  const unnamespaced = Object.keys(section).filter((key) => !key.includes(":"));
  if (unnamespaced.length > 0) {
    throw new StackFileError(
      `${file}: config keys need a namespace, e.g. "postgres-cmk:${unnamespaced[0]}"; found ${unnamespaced.join(", ")}`,
    );
  }
  for (const [key, value] of Object.entries(section)) {
    if (value === null) {
      // A key with no value reads as an empty string, as the Pulumi CLI passes it.
      config[key] = "";
    } else if (typeof value === "object" && "secure" in value) {
      secureKeys.push(key);
      config[key] = "[secure value: needs the Pulumi CLI to decrypt]";
    } else if (typeof value === "string") {
      config[key] = value;
    } else {
      config[key] = typeof value === "object" ? JSON.stringify(value) : String(value);
    }
  }
  return { config, secureKeys };
}

/** The stack file for `stack` beside `Pulumi.yaml` in `projectDir`. */
export function stackConfigPath(projectDir: string, stack: string): string {
  return path.join(projectDir, `Pulumi.${stack}.yaml`);
}

/** The project name from `Pulumi.yaml` in `projectDir`. */
export function readProjectName(projectDir: string): string {
  const doc = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as {
    name?: string;
  };
  if (!doc?.name) {
    throw new StackFileError(`${path.join(projectDir, "Pulumi.yaml")} has no project name`);
  }
  return doc.name;
}
