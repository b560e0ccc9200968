// ARM resource IDs compare without regard to case (Azure returns some with `resourcegroups` in
// lower case). The comparison lives with the policy pack, which `pulumi policy publish` packages.
export { sameArmId } from "../policy/lib/values";
