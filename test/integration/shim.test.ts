import assert from "node:assert/strict";
import { WorkerPool } from "../../src/shim/index.js";
import { agentCall as call, fixtureAgent } from "../helpers/agents.js";

describe("shim WorkerPool with real Ruby", function () {
  this.timeout(30000);
  let pool: WorkerPool;

  before(() => {
    pool = new WorkerPool({ config: { identity: "node1.example" }, agents: [fixtureAgent("echo")], size: 2 });
  });
  after(() => pool.stop());

  it("starts no Ruby until the first call", () => {
    assert.deepEqual(pool.stats(), { workers: 0, idle: 0, queued: 0, sentAhead: 0, pids: [] });
  });

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

  it("returns an empty OK body when the request asked for no result (process_results false)", async () => {
    assert.deepEqual(await pool.call(call("echo", "echo", { message: "quiet", process_results: false })),
      { statuscode: 0, statusmsg: "OK", data: {} });
  });

  it("answers an unknown action with statuscode 4 from the DDL check", async () => {
    const reply = await pool.call(call("echo", "nosuch"));
    assert.equal(reply.statuscode, 4);
    assert.match(reply.statusmsg, /Attempted to call action nosuch for echo but it's not declared in the DDL/);
  });

  it("keeps one worker per request and reuses it (no process per request)", async () => {
    const pids = new Set<unknown>();
    for (let i = 0; i < 5; i++) pids.add((await pool.call(call("echo", "whoami"))).data.pid);
    assert.ok(pids.size <= 2, `expected at most 2 worker pids, saw ${pids.size}`);
  });
});
