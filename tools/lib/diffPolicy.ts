import { DeploymentResource } from "./deployment";
import { PolicyViolation } from "./diffPlans";

/** The part of the policy pack's evaluator that the diff calls. */
export interface PolicyEvaluator {
  evaluatePolicies(
    resources: DeploymentResource[],
    config?: Record<string, unknown>,
  ): PolicyViolation[];
}

const EVALUATOR = "../../policy/evaluate";

/**
 * The policy pack's evaluator, or undefined when the pack has no evaluator in this checkout.
 *
 * Limitation: it is loaded at run time rather than imported, so that the diff builds and runs
 * before `policy/evaluate.ts` exists; any other load failure is raised.
 */
export function loadPolicyEvaluator(): PolicyEvaluator | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(EVALUATOR) as PolicyEvaluator;
  } catch (err) {
    const missing =
      (err as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" &&
      String((err as Error).message).includes("policy/evaluate");
    if (missing) {
      return undefined;
    }
    throw err;
  }
}
