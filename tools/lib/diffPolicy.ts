import { DeploymentResource } from "./deployment";
import { PolicyViolation } from "./diffPlans";
import { evaluatePolicies, PolicyConfigError, PolicyPackConfig } from "../../policy/evaluate";

export { PolicyConfigError };

/**
 * The policy pack's violations on the proposed resources, as `pulumi preview` would report
 * them; `config` is the JSON `--policy-pack-config` takes. Throws `PolicyConfigError` for
 * unusable config.
 */
export function checkPolicies(
  proposed: DeploymentResource[],
  config?: Record<string, unknown>,
): PolicyViolation[] {
  return evaluatePolicies(proposed, config as PolicyPackConfig | undefined);
}
