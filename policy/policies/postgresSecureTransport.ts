import { ResourceValidationPolicy } from "@pulumi/policy";

import { isKind } from "../lib/azure";
import { knownString, show } from "../lib/values";

const OFF = ["off", "false", "0"];
const TLS_ORDER = ["tlsv1", "tlsv1.1", "tlsv1.2", "tlsv1.3"];

export const postgresSecureTransport: ResourceValidationPolicy = {
  name: "postgres-secure-transport",
  description:
    "Checks that no Flexible Server configuration turns require_secure_transport off or lowers ssl_min_protocol_version below TLS 1.2.",
  enforcementLevel: "advisory",
  validateResource: (args, reportViolation) => {
    if (!isKind(args.type, "configuration")) {
      return;
    }
    const parameter = (
      knownString(args.props, "configurationName") ??
      args.props.name ??
      ""
    ).toLowerCase();
    const value = String(args.props.value ?? "").toLowerCase();

    if (parameter === "require_secure_transport" && OFF.includes(value)) {
      reportViolation(
        `Server configuration "${args.name}" must not turn require_secure_transport off (got ${show(args.props.value)}): set value to "on" so that every client connection uses TLS.`,
      );
    }
    if (
      parameter === "ssl_min_protocol_version" &&
      TLS_ORDER.indexOf(value) < TLS_ORDER.indexOf("tlsv1.2")
    ) {
      reportViolation(
        `Server configuration "${args.name}" must set ssl_min_protocol_version to "TLSv1.2" or "TLSv1.3" (got ${show(args.props.value)}).`,
      );
    }
  },
};
