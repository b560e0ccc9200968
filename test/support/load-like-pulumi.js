// Loads index.ts the way Pulumi's Node.js language host does for a CommonJS TypeScript project
// (@pulumi/pulumi cmd/run/run.js): it picks typescript and ts-node with Pulumi's own helper, reads
// tsconfig.json with it, and registers ts-node with Pulumi's defaults under the project's options,
// type-checking on. The program then runs under the Azure mocks, and a summary is printed as JSON.
"use strict";
const path = require("node:path");

const projectDir = path.resolve(__dirname, "..", "..");
process.chdir(projectDir);

const tsutils = require("@pulumi/pulumi/tsutils");
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const compilerOptions = tsutils.loadTypeScriptCompilerOptions("tsconfig.json");
const ts = require(typescriptRequire);
const [major, minor] = ts.version.split(".").map(Number);
const useNodeNext = major > 4 || (major === 4 && minor >= 7);

require(tsnodeRequire).register({
  compiler: typescriptRequire,
  transpileOnly: compilerOptions.noCheck,
  project: "tsconfig.json",
  skipProject: false,
  compilerOptions: {
    target: "ES2020",
    module: useNodeNext ? "nodenext" : "commonjs",
    moduleResolution: useNodeNext ? "nodenext" : "node",
    sourceMap: "true",
    ...compilerOptions,
  },
});

const { runProgram } = require("../../tools/lib/runProgram.ts");
const { readStackConfigFile } = require("../../tools/lib/stackConfig.ts");

runProgram({
  project: "postgres-cmk",
  stack: "dev",
  config: readStackConfigFile(path.join(projectDir, "Pulumi.dev.yaml")).config,
  load: () => require(path.join(projectDir, "index.ts")),
}).then(
  (run) => {
    const server = run.resources.find((r) => r.type === "azure-native:dbforpostgresql:Server");
    process.stdout.write(
      JSON.stringify({
        typescript: { require: typescriptRequire, version: ts.version },
        tsNode: { require: tsnodeRequire, version: require(tsnodeRequire).VERSION },
        typeCheck: compilerOptions.noCheck !== true,
        error: run.error === undefined ? null : String(run.error),
        types: run.resources.filter((r) => r.custom).map((r) => r.type),
        primaryKeyURI: server && server.inputs.dataEncryption.primaryKeyURI,
      }),
    );
  },
  (err) => {
    process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  },
);
