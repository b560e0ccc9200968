import * as path from "node:path";

import { ProgramRun, runProgram } from "./runProgram";
import { readProjectName, readStackConfigFile, stackConfigPath } from "./stackConfig";

/** The project folder: the one holding `Pulumi.yaml` and `index.ts`. */
export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

export interface PlanRequest {
  readonly stack: string;
  /** Stack config file; defaults to `Pulumi.<stack>.yaml` in the project. */
  readonly configFile?: string;
  readonly preview?: boolean;
}

/**
 * Runs the project's `index.ts` for one stack under the Azure mocks. The program is loaded with
 * `require`, so the calling process must have TypeScript loading in place (ts-node, as Pulumi
 * itself uses). One process runs one program: Pulumi's runtime state is process-wide.
 */
export async function planStack(
  request: PlanRequest,
): Promise<{ run: ProgramRun; configFile: string; secureKeys: string[] }> {
  const configFile = request.configFile ?? stackConfigPath(PROJECT_DIR, request.stack);
  const { config, secureKeys } = readStackConfigFile(configFile);
  const run = await runProgram({
    project: readProjectName(PROJECT_DIR),
    stack: request.stack,
    config,
    secretKeys: secureKeys,
    preview: request.preview,
    load: () => require(path.join(PROJECT_DIR, "index.ts")),
  });
  return { run, configFile, secureKeys };
}
