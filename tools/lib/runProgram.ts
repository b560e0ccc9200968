import * as pulumi from "@pulumi/pulumi";
import { version as pulumiVersion } from "@pulumi/pulumi/version";

import { AzureMocks } from "./azureMocks";
import { DeploymentResource, StackExport } from "./deployment";
import { RecordingMonitor, Registration } from "./recorder";

// The runtime's store is internal to @pulumi/pulumi and its typings are stripped, so it is reached
// untyped. It holds the monitor feature flags that `setMocks` turns on.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const state: { getStore(): Record<string, unknown> } = require("@pulumi/pulumi/runtime/state");

export interface ProgramRunOptions {
  readonly project: string;
  readonly stack: string;
  /** Pulumi organization; defaults to "organization", what a self-managed backend reports. */
  readonly organization?: string;
  /** Flat config, `<namespace>:<key>` to string, as Pulumi passes it. */
  readonly config: Record<string, string>;
  /** Config keys held as secrets, as `pulumi config set --secret` marks them. */
  readonly secretKeys?: readonly string[];
  /** Run as a first `pulumi preview`: Azure's computed outputs unknown. */
  readonly preview?: boolean;
  /** Loads the program; resources it registers are recorded. */
  readonly load: () => unknown;
}

export interface ProgramRun {
  readonly registrations: Registration[];
  readonly resources: DeploymentResource[];
  readonly outputs: Record<string, unknown>;
  /** What the program threw, if it failed; `registrations` then shows what it had registered. */
  readonly error?: unknown;
}

/**
 * Runs a Pulumi program under the mock runtime with Azure-shaped answers, recording every
 * registration with its parent, dependencies and options.
 *
 * `setMocks` switches on the monitor features the mocks support; they are carried over to the
 * recording monitor, which `setMockOptions` would otherwise reset.
 */
export async function runProgram(options: ProgramRunOptions): Promise<ProgramRun> {
  const preview = options.preview ?? false;
  const mocks = new AzureMocks(preview);
  const organization = options.organization ?? "organization";
  await pulumi.runtime.setMocks(mocks, options.project, options.stack, preview, organization);
  const store = state.getStore();
  const features = Object.fromEntries(
    Object.entries(store).filter(([key]) => key.startsWith("supports")),
  );
  const monitor = new RecordingMonitor(mocks);
  pulumi.runtime.setMockOptions(monitor, options.project, options.stack, preview, organization);
  Object.assign(store, features);
  pulumi.runtime.setAllConfig(options.config, [...(options.secretKeys ?? [])]);

  // A program that throws (bad config, say) is caught here and returned once the stack settles,
  // so that the runtime does not report it a second time as an unhandled rejection.
  let failure: { error: unknown } | undefined;
  const outputs = await pulumi.runtime.runInPulumiStack(async () => {
    try {
      const program = await options.load();
      return { ...(program as Record<string, unknown>) };
    } catch (error) {
      failure = { error };
      return {};
    }
  });
  await waitForRegistrations(monitor);
  return {
    registrations: monitor.registrations,
    resources: monitor.toDeploymentResources(),
    outputs: (outputs ?? {}) as Record<string, unknown>,
    ...(failure ? { error: failure.error } : {}),
  };
}

/** Lets outstanding registrations finish: components register outputs after their children. */
async function waitForRegistrations(monitor: RecordingMonitor): Promise<void> {
  for (let settled = 0; settled < 3;) {
    const before = monitor.registrations.filter((r) => r.urn !== undefined).length;
    await new Promise((resolve) => setImmediate(resolve));
    const after = monitor.registrations.filter((r) => r.urn !== undefined).length;
    settled = after === before && after === monitor.registrations.length ? settled + 1 : 0;
  }
}

/** The run as a `pulumi stack export` file. */
export function toStackExport(run: ProgramRun, time = new Date(0).toISOString()): StackExport {
  return {
    version: 3,
    deployment: {
      manifest: { time, magic: "", version: `postgres-cmk plan (@pulumi/pulumi ${pulumiVersion})` },
      resources: run.resources,
    },
  };
}
