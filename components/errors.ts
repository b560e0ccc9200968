import * as pulumi from "@pulumi/pulumi";

/** One thing wrong with the input: which property, what it held, and what would be accepted. */
export interface Problem {
  readonly property: string;
  readonly value: unknown;
  readonly accepted: string;
}

/** Renders a received value for a message: strings quoted, absent values named. */
export function describeValue(value: unknown): string {
  if (value === undefined) {
    return "nothing";
  }
  if (typeof value === "string") {
    return JSON.stringify(value);
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Formats one problem as the line an operator reads. */
export function formatProblem(problem: Problem, prefix = ""): string {
  return `${prefix}${problem.property}: got ${describeValue(problem.value)}; accepted: ${problem.accepted}`;
}

/**
 * Every problem found in one set of inputs, raised before any resource is registered.
 *
 * It is a `RunError` so that `pulumi up` prints the list without a stack trace.
 */
export class InvalidInputError extends pulumi.RunError {
  readonly problems: readonly Problem[];
  /** Marks instances across copies of this module, which `instanceof` cannot see through. */
  readonly __invalidInputError = true;

  /** True when `obj` is an InvalidInputError from any copy of this module. */
  static isInstance(obj: unknown): obj is InvalidInputError {
    return (
      typeof obj === "object" &&
      obj !== null &&
      (obj as InvalidInputError).__invalidInputError === true
    );
  }

  constructor(subject: string, problems: readonly Problem[], prefix = "") {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    const lines = problems.map((p) => `  - ${formatProblem(p, prefix)}`);
    super(`${subject} has ${count}; nothing was created:\n${lines.join("\n")}`);
    this.name = "InvalidInputError";
    this.problems = problems;
  }
}
