import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeForgeModules, WorkerPool } from "../../src/shim/index.js";
import { agentCall as call } from "../helpers/agents.js";

const AGENTS = ["package", "service", "puppet"];
const FORGE_DIR = mkdtempSync(join(tmpdir(), "mcompat-forge-"));
const agentDir = (agent: string) => join(FORGE_DIR, `mcollective_agent_${agent}`, "files", "mcollective", "agent");

describe("bundled agents in the Forge-module layout", function () {
  this.timeout(30000);

  before(() => {
    assert.deepEqual(writeForgeModules(FORGE_DIR), AGENTS.map((agent) => join(FORGE_DIR, `mcollective_agent_${agent}`)));
  });

  it("carry the sources from compat/agents and ddl/ unchanged", () => {
    for (const agent of AGENTS) {
      assert.equal(readFileSync(join(agentDir(agent), `${agent}.rb`), "utf8"), readFileSync(new URL(`../../../compat/agents/mcollective/agent/${agent}.rb`, import.meta.url), "utf8"));
      assert.equal(readFileSync(join(agentDir(agent), `${agent}.ddl`), "utf8"), readFileSync(new URL(`../../../ddl/${agent}.ddl`, import.meta.url), "utf8"));
    }
  });

  it("ship the .rb with both DDL forms side by side, as Choria's Ruby provider requires", () => {
    for (const agent of AGENTS) {
      for (const ext of ["rb", "ddl", "json"]) assert.ok(existsSync(join(agentDir(agent), `${agent}.${ext}`)), `${agent}.${ext}`);
      const json = JSON.parse(readFileSync(join(agentDir(agent), `${agent}.json`), "utf8"));
      assert.equal(json.metadata.name, agent);
      const plugin = readFileSync(join(FORGE_DIR, `mcollective_agent_${agent}`, "data", "plugin.yaml"), "utf8");
      assert.match(plugin, new RegExp(`server_files:\\n  - "agent/${agent}\\.rb"\\n`));
    }
  });

  it("load and serve from <module>/files/mcollective", async () => {
    const agents = AGENTS.map((agent) => ({ agent, rb: join(agentDir(agent), `${agent}.rb`), ddl: join(agentDir(agent), `${agent}.ddl`) }));
    const pool = new WorkerPool({ config: { "plugin.package.provider": "apt" }, agents, size: 1 });
    try {
      const probe = await pool.probe();
      assert.deepEqual(probe.failed, []);
      assert.deepEqual(probe.loaded.map((a) => a.agent), AGENTS);
      const reply = await pool.call(call("package", "status", { package: "bash" }, 60));
      assert.deepEqual([reply.statuscode, reply.data.name, reply.data.status], [0, "bash", "installed"]);
    } finally {
      await pool.stop();
    }
  });
});
