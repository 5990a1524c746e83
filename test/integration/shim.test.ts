import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WorkerPool, type AgentCall } from "../../src/shim/index.js";

const FIXTURES = fileURLToPath(new URL("../../../fixtures/agents/", import.meta.url));
const agentFiles = (agent: string) => ({ agent, rb: join(FIXTURES, "mcollective/agent", `${agent}.rb`), ddl: join(FIXTURES, "mcollective/agent", `${agent}.ddl`) });
const call = (agent: string, action: string, data: Record<string, unknown> = {}, timeoutSec = 5): AgentCall =>
  ({ agent, action, data, caller: "choria=tester.mcollective", requestid: "0123456789abcdef0123456789abcdef",
    sender: "tester", collective: "mcollective", timeoutSec });

describe("shim WorkerPool with real Ruby", function () {
  this.timeout(30000);
  let pool: WorkerPool;
  const logs: string[] = [];

  before(() => {
    pool = new WorkerPool({ config: { identity: "node1.example", "plugin.echo.greeting": "hi" }, agents: [agentFiles("echo")],
      size: 2, log: (level, msg) => logs.push(`${level} ${msg}`) });
  });
  after(() => pool.stop());

  it("runs an action and fills unset outputs with their DDL defaults", async () => {
    const reply = await pool.call(call("echo", "echo", { message: "hello", nested: { a: [1, "two"] } }));
    assert.deepEqual(reply, { statuscode: 0, statusmsg: "OK", data: { message: "hello", caller: "choria=tester.mcollective",
      extra: "untouched", symbol_keys: true, nested: { a: [1, "two"] } } });
  });

  it("loads our MCollective library and never Debian's legacy one", async () => {
    const reply = await pool.call(call("echo", "whoami"));
    const files = reply.data.mcollective_files as string[];
    assert.ok(files.length > 10);
    for (const file of files) assert.ok(!file.startsWith("/usr/lib/ruby/vendor_ruby/"), file);
    assert.ok(files.some((f) => f.endsWith("/compat/lib/mcollective.rb")));
  });

  it("answers an unknown action with statuscode 4 from the DDL check", async () => {
    const reply = await pool.call(call("echo", "nosuch"));
    assert.equal(reply.statuscode, 4);
    assert.match(reply.statusmsg, /Attempted to call action nosuch for echo but it's not declared in the DDL/);
  });
});
