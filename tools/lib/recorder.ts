import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

import { DeploymentResource, PropertyMap, SECRET_SIG, SECRET_SIG_KEY } from "./deployment";

/** One `RegisterResource` call as the engine would receive it, with the mock's answer. */
export interface Registration {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly parent: string | undefined;
  readonly dependencies: string[];
  readonly propertyDependencies: Record<string, string[]>;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly deleteBeforeReplace: boolean;
  readonly ignoreChanges: string[];
  readonly replaceOnChanges: string[];
  /** Outputs the engine would store as secrets, such as a generated password. */
  readonly additionalSecretOutputs: string[];
  /** Inputs as sent over the wire: secrets as signed objects, unknowns as Pulumi's marker. */
  readonly inputs: PropertyMap;
  urn?: string;
  id?: string;
  outputs?: PropertyMap;
}

type Callback = (err: unknown, response?: any) => void;

/**
 * A mock monitor that records what plain mocks cannot see: each resource's parent, dependencies,
 * property dependencies and options, in registration order.
 */
export class RecordingMonitor extends MockMonitor {
  readonly registrations: Registration[] = [];

  override async registerResource(req: any, callback: Callback): Promise<void> {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
      propertyDependencies[key] = deps.getUrnsList();
    });
    const registration: Registration = {
      type: req.getType(),
      name: req.getName(),
      custom: req.getCustom(),
      parent: req.getParent() || undefined,
      dependencies: req.getDependenciesList(),
      propertyDependencies,
      protect: req.getProtect() === true,
      retainOnDelete: req.getRetainondelete() === true,
      deleteBeforeReplace: req.getDeletebeforereplace() === true,
      ignoreChanges: req.getIgnorechangesList(),
      replaceOnChanges: req.getReplaceonchangesList(),
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      inputs: req.getObject()?.toJavaScript() ?? {},
    };
    this.registrations.push(registration);
    return super.registerResource(req, (err: unknown, response?: any) => {
      if (!err && response) {
        registration.urn = response.getUrn();
        registration.id = response.getId() || undefined;
        registration.outputs = markSecrets(
          response.getObject()?.toJavaScript() ?? {},
          registration.additionalSecretOutputs,
        );
      }
      callback(err, response);
    });
  }

  override registerResourceOutputs(req: any, callback: Callback): void {
    const registration = this.registrations.find((r) => r.urn === req.getUrn());
    if (registration) {
      registration.outputs = req.getOutputs()?.toJavaScript() ?? {};
    }
    super.registerResourceOutputs(req, callback);
  }

  /** The registrations as `pulumi stack export` resources, in registration order. */
  toDeploymentResources(): DeploymentResource[] {
    return this.registrations
      .filter((r) => r.urn !== undefined)
      .map((r) => ({
        urn: r.urn!,
        custom: r.custom,
        ...(r.id ? { id: r.id } : {}),
        type: r.type,
        inputs: r.inputs,
        outputs: r.outputs ?? {},
        ...(r.parent ? { parent: r.parent } : {}),
        ...(r.protect ? { protect: true } : {}),
        ...(r.retainOnDelete ? { retainOnDelete: true } : {}),
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
        ...(r.ignoreChanges.length > 0 ? { ignoreChanges: r.ignoreChanges } : {}),
      }));
  }
}

/** Wraps the named outputs as secrets, as the engine does for `additionalSecretOutputs`. */
function markSecrets(outputs: PropertyMap, keys: readonly string[]): PropertyMap {
  const marked = { ...outputs };
  for (const key of keys) {
    const value = marked[key];
    if (
      value !== undefined &&
      !(typeof value === "object" && value !== null && SECRET_SIG_KEY in value)
    ) {
      marked[key] = { [SECRET_SIG_KEY]: SECRET_SIG, value };
    }
  }
  return marked;
}
