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
      "npm run plan -- --stack dev --preview --out plan-preview.json\nnpm run audit -- plan-preview.json\n",
      [
        'git fetch --no-tags --depth=1 origin "$BASE_REF"',
        "if git cat-file -e FETCH_HEAD:Pulumi.dev.yaml 2>/dev/null; then",
        "  git show FETCH_HEAD:Pulumi.dev.yaml > base.yaml",
        "  npm run diff -- --stack dev --base base.yaml",
        "else",
        '  echo "Pulumi.dev.yaml is new in this pull request; nothing to compare."',
        "fi",
        "",
      ].join("\n"),
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

  it("gates the live preview with npm run diff after the preview step", () => {
    const steps = parse(fs.readFileSync(WORKFLOW, "utf8")).jobs.preview.steps;
    const names = steps.map((s: { name?: string; uses?: string }) => s.name ?? s.uses);
    expect(names.slice(-2)).toEqual([
      "pulumi/actions@v7",
      "Gate the live preview with npm run diff",
    ]);
    expect(steps.at(-1).run).toBe(
      'pulumi preview --stack "$STACK" --json --policy-pack policy > preview.json\n' +
        "npm run -s diff -- --preview preview.json\n",
    );
  });
});
