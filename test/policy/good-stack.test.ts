import { describe, expect, it } from "vitest";

import { evaluatePolicies } from "../../policy/evaluate";
import { goodStack } from "./stack";

describe("the valid test stack", () => {
  it("passes every policy", () => {
    expect(evaluatePolicies(goodStack())).toEqual([]);
  });
});
