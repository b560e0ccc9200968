import { PolicyConfigSchema } from "@pulumi/policy";

/**
 * The policy's configuration with the schema's defaults filled in, so that a policy reads the same
 * values whether or not the engine applied the defaults itself.
 */
export function configWithDefaults<T extends object>(
  args: { getConfig<C extends object>(): C },
  schema: PolicyConfigSchema,
): T {
  const defaults = Object.fromEntries(
    Object.entries(schema.properties)
      .filter(([, property]) => property.default !== undefined)
      .map(([name, property]) => [name, property.default]),
  );
  return { ...defaults, ...args.getConfig<Partial<T>>() } as T;
}
