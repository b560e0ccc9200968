import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOW = path.join(ROOT, ".github/workflows/pull-request.yml");

describe("the pull-request workflow", () => {
  it("passes action-validator", () => {
    const result = spawnSync(path.join(ROOT, "node_modules/.bin/action-validator"), [WORKFLOW], {
      encoding: "utf8",
    });
    expect([result.status, result.stderr]).toEqual([0, ""]);
  });

  it("tests, plans and audits offline without secrets", () => {
    const workflow = parse(fs.readFileSync(WORKFLOW, "utf8"));
    const offline = workflow.jobs.offline;
    expect(JSON.stringify(offline)).not.toContain("secrets.");
    expect(offline.steps.map((s: { run?: string; uses?: string }) => s.run ?? s.uses)).toEqual([
      "actions/checkout@v4",
      "actions/setup-node@v4",
      "npm ci",
      "node_modules/.bin/action-validator .github/workflows/*.yml",
      "npm test",
      "npm run plan -- --stack dev --out plan.json",
      "npm run audit -- plan.json",
      "npm run plan -- --stack dev --preview --json > plan-preview.json\nnpm run audit -- plan-preview.json\n",
    ]);
  });

  it("previews with the pack and comments only where Azure credentials are configured", () => {
    const preview = parse(fs.readFileSync(WORKFLOW, "utf8")).jobs.preview;
    expect(preview.if).toBe("vars.AZURE_CLIENT_ID != ''");
    expect(preview.permissions["id-token"]).toBe("write");
    const pulumi = preview.steps.find((s: { uses?: string }) => s.uses === "pulumi/actions@v7");
    expect(pulumi.with).toMatchObject({
      command: "preview",
      policyPacks: "policy",
      "comment-on-pr": true,
    });
    expect(pulumi.with["stack-name"]).toBe("${{ vars.PULUMI_STACK }}");
  });
});
