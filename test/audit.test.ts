import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { main } from "../tools/audit";

const FIXTURES = path.resolve(__dirname, "fixtures/policy");
const fixture = (name: string) => path.join(FIXTURES, name);
const PRIMARY_VAULT =
  "urn:pulumi:dev::postgres-cmk::postgres-cmk:keyvault:KeyVault$azure-native:keyvault:Vault::dev-vault";

async function audit(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

function tempFile(name: string, text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "audit-")), name);
  fs.writeFileSync(file, text);
  return file;
}

describe("npm run audit", () => {
  it("passes the deployed dev stack's export with exit 0", async () => {
    const result = await audit(fixture("stack-good.json"));
    expect(result).toEqual({
      code: 0,
      stdout: `Audited ${fixture("stack-good.json")} (stack export, 25 resources) with policy pack postgres-cmk.\n\nNo policy violations.\n`,
      stderr: "",
    });
  });

  it("fails an export whose vault is in another region with exit 1 and the region policy", async () => {
    const result = await audit(fixture("stack-vault-other-region.json"));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      '[mandatory] cmk-key-vault-same-region: dev-vault (azure-native:keyvault:Vault)\n    Key vault "dev-vault" holds the primary key of server "dev-server" and must be in the server\'s region, westeurope (it is in eastus): create the vault and key in westeurope.\n',
    );
    expect(result.stdout).toMatch(/\n1 violation: 1 mandatory, 0 advisory\.\n$/);
  });

  it("prints only the violations with --json", async () => {
    const result = await audit(fixture("stack-vault-other-region.json"), "--json");
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      violations: [
        {
          policy: "cmk-key-vault-same-region",
          enforcementLevel: "mandatory",
          urn: PRIMARY_VAULT,
          message:
            'Key vault "dev-vault" holds the primary key of server "dev-server" and must be in the server\'s region, westeurope (it is in eastus): create the vault and key in westeurope.',
        },
      ],
    });
  });

  it("lowers the level with --config, so nothing blocks", async () => {
    const config = tempFile(
      "config.json",
      JSON.stringify({ "cmk-key-vault-same-region": "advisory" }),
    );
    const result = await audit(
      fixture("stack-vault-other-region.json"),
      "--json",
      "--config",
      config,
    );
    expect(result.code).toBe(0);
    expect(
      JSON.parse(result.stdout).violations.map(
        (v: { enforcementLevel: string }) => v.enforcementLevel,
      ),
    ).toEqual(["advisory"]);
  });

  it("reads a preview digest, skipping deleted resources", async () => {
    const result = await audit(fixture("preview-first.json"));
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe(
      `Audited ${fixture("preview-first.json")} (preview digest, 25 resources) with policy pack postgres-cmk.`,
    );
  });

  it("exits 2 with one line when FILE is missing, not JSON or none of the formats", async () => {
    const missing = await audit("/nonexistent/stack.json");
    expect(missing).toEqual({
      code: 2,
      stdout: "",
      stderr: "audit: cannot read /nonexistent/stack.json: ENOENT\n",
    });

    const other = tempFile("other.json", JSON.stringify({ name: "x", resources: [] }));
    const result = await audit(other);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `audit: ${other} holds an object with keys name, resources; expected a "pulumi stack export" file (version 3 with deployment.resources), the output of "npm run plan -- --json" (the same shape), or a "pulumi preview --json" digest (steps[] with op, urn and newState)\n`,
    );

    const v2 = tempFile("v2.json", JSON.stringify({ version: 2, deployment: { resources: [] } }));
    expect((await audit(v2)).stderr).toMatch(
      /^audit: .*v2\.json is a deployment of version 2; expected a "pulumi stack export" file/,
    );
  });

  it("exits 2 for an unusable config, naming each problem", async () => {
    const config = tempFile(
      "config.json",
      JSON.stringify({ "cmk-key-type-and-size": { minimumKeySize: 1000 } }),
    );
    const result = await audit(fixture("stack-good.json"), "--config", config);
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: `audit: ${config}: cmk-key-type-and-size.minimumKeySize: got 1000; accepted: one of 2048, 3072, 4096\n`,
    });
  });

  it("exits 2 without exactly one FILE", async () => {
    const result = await audit();
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe("audit: expected one FILE, got 0");
  });
});
