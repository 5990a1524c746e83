import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WorkerPool } from "../../src/shim/index.js";
import { agentCall as call } from "../helpers/agents.js";

const FORGE = fileURLToPath(new URL("../../../compat/forge/", import.meta.url));

describe("bundled agents in the Forge-module layout", function () {
  this.timeout(30000);

  it("are in sync with their sources", () => {
    assert.doesNotThrow(() => execFileSync("ruby", [join(FORGE, "sync.rb"), "--check"], { stdio: "pipe" }));
  });

  it("load and serve from <module>/files/mcollective", async () => {
    const agents = ["package", "service", "puppet"].map((agent) => {
      const dir = join(FORGE, `mcollective_agent_${agent}`, "files", "mcollective", "agent");
      return { agent, rb: join(dir, `${agent}.rb`), ddl: join(dir, `${agent}.ddl`) };
    });
    const pool = new WorkerPool({ config: { "plugin.package.provider": "apt" }, agents, size: 1 });
    try {
      const probe = await pool.probe();
      assert.deepEqual(probe.failed, []);
      assert.deepEqual(probe.loaded.map((a) => a.agent), ["package", "service", "puppet"]);
      const reply = await pool.call(call("package", "status", { package: "bash" }, 60));
      assert.deepEqual([reply.statuscode, reply.data.name, reply.data.status], [0, "bash", "installed"]);
    } finally {
      await pool.stop();
    }
  });
});
