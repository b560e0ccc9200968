import * as fs from "node:fs";

import { PolicyPackConfig, validatePolicyConfig } from "../../policy/evaluate";

/** A JSON input file that cannot be used; the message is one line per problem. */
export class JsonFileError extends Error {}

/**
 * The parsed JSON in `file`. `what` names it in messages ("policy config", "preview"); `expected`
 * describes what the file should hold, for a file that is not JSON at all.
 */
export function readJsonFile(file: string, what = "", expected = ""): unknown {
  const named = what ? `${what} ${file}` : file;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new JsonFileError(`cannot read ${named}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const hint = expected ? `; expected ${expected}` : "";
    // The parser quotes the text it read, line breaks included; the message stays one line.
    const reason = (err as Error).message.replace(/\s+/g, " ");
    throw new JsonFileError(`${named} is not JSON (${reason})${hint}`);
  }
}

/**
 * A policy config file, the JSON `pulumi preview --policy-pack-config` takes, checked against the
 * pack: every problem is listed, one line each.
 */
export function readPolicyConfigFile(file: string): PolicyPackConfig {
  const config = readJsonFile(file, "policy config");
  const problems = validatePolicyConfig(config);
  if (problems.length > 0) {
    throw new JsonFileError(problems.map((p) => `${file}: ${p}`).join("\n"));
  }
  return config as PolicyPackConfig;
}
