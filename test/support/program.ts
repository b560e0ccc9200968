import { vi } from "vitest";

import { DeploymentResource, isSecret, SECRET_SIG_KEY } from "../../tools/lib/deployment";
import { ProgramRun, runProgram } from "../../tools/lib/runProgram";

export const PROJECT = "postgres-cmk";

/** Stack config as a test writes it, turned into the flat strings Pulumi hands a program. */
export function stackConfig(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [
      `${PROJECT}:${key}`,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

/** Runs index.ts for a stack under the Azure mocks, freshly imported each time. */
export async function runIndex(
  values: Record<string, unknown>,
  options: { stack?: string; preview?: boolean; secret?: string[] } = {},
): Promise<ProgramRun> {
  vi.resetModules();
  return runProgram({
    project: PROJECT,
    stack: options.stack ?? "test",
    config: stackConfig(values),
    secretKeys: (options.secret ?? []).map((key) => `${PROJECT}:${key}`),
    preview: options.preview,
    load: () => import("../../index.js"),
  });
}

/** Runs arbitrary component code under the Azure mocks. */
export async function runComponents(build: () => unknown, stack = "test"): Promise<ProgramRun> {
  return runProgram({ project: PROJECT, stack, config: {}, load: build });
}

/** The one custom resource of `type` named `name`, failing loudly when absent. */
export function resource(run: ProgramRun, type: string, name?: string): DeploymentResource {
  const found = run.resources.filter(
    (r) => r.type === type && (name === undefined || r.urn.endsWith(`::${name}`)),
  );
  if (found.length !== 1) {
    throw new Error(
      `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${run.resources.map((r) => r.urn).join(", ")}`,
    );
  }
  return found[0];
}

export function resources(run: ProgramRun, type: string): DeploymentResource[] {
  return run.resources.filter((r) => r.type === type);
}

/** The plain value inside a serialized secret. */
export function secretValue(value: unknown): unknown {
  if (!isSecret(value)) {
    throw new Error(`expected a secret, got ${JSON.stringify(value)}`);
  }
  const { [SECRET_SIG_KEY]: _sig, ...rest } = value as Record<string, unknown>;
  return rest.value;
}

export const VALID = { location: "westeurope" };
