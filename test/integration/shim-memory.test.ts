import assert from "node:assert/strict";
import { WorkerPool } from "../../src/shim/index.js";
import { processMemory } from "../../src/shim/memory.js";
import { agentCall as call, fixtureAgent } from "../helpers/agents.js";

/** A process's own pages (private clean and dirty), in KiB. */
const privateKb = (pid: number) => processMemory(pid)!.privateKb;

describe("shim worker memory with real Ruby", function () {
  this.timeout(60000);

  it("gives back the memory a call freed once the worker sits idle, and keeps serving", async () => {
    const pool = new WorkerPool({ config: { identity: "node1.example" }, agents: [fixtureAgent("faults")], size: 1 });
    try {
      const littered = await pool.call(call("faults", "litter"));
      assert.equal(littered.statuscode, 0, littered.statusmsg);
      const pid = littered.data.pid as number;
      const busyKb = littered.data.private_kb as number;
      // 62 MiB were freed but glibc keeps them between the 2 MiB of survivors.
      assert.ok(busyKb > 48 * 1024, `the worker held only ${busyKb} KiB after littering`);
      const deadline = Date.now() + 20_000;
      while (privateKb(pid) > busyKb / 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      assert.ok(privateKb(pid) <= busyKb / 2, `still ${privateKb(pid)} KiB private, ${busyKb} KiB right after the call`);
      const again = await pool.call(call("faults", "ok"));
      assert.deepEqual([again.statuscode, again.data.status], [0, "alive"]);
      assert.deepEqual(pool.stats().pids, [pid]);
    } finally {
      await pool.stop();
    }
  });

  it("gives back the memory of a slow call before its next call, with no idle second in between", async () => {
    const pool = new WorkerPool({ config: { identity: "node1.example" }, agents: [fixtureAgent("faults")], size: 1 });
    try {
      const littered = await pool.call(call("faults", "litter", { linger_ms: 150 }));
      assert.equal(littered.statuscode, 0, littered.statusmsg);
      const pid = littered.data.pid as number;
      const busyKb = littered.data.private_kb as number;
      assert.ok(busyKb > 48 * 1024, `the worker held only ${busyKb} KiB after littering`);
      // The worker released before it read this call, so its answer means the memory is back.
      const next = await pool.call(call("faults", "ok"));
      assert.deepEqual([next.data.pid, next.data.status], [pid, "alive"]);
      assert.ok(privateKb(pid) <= busyKb / 2, `still ${privateKb(pid)} KiB private, ${busyKb} KiB right after the slow call`);
    } finally {
      await pool.stop();
    }
  });

  it("replaces a worker that holds more of its own memory than max_memory allows, and keeps one that does not", async () => {
    const lines: string[] = [];
    const pool = new WorkerPool({ config: { identity: "node1.example", "plugin.mcompat.ruby.max_memory": "40" }, agents: [fixtureAgent("faults")],
      size: 1, log: (_level, message) => lines.push(message) });
    try {
      const first = await pool.call(call("faults", "ok"));
      const pid = first.data.pid as number;
      // A worker's memory is read at most once a second, counted from its start.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      assert.equal((await pool.call(call("faults", "ok"))).data.pid, pid, "a worker under the limit was replaced");
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const littered = await pool.call(call("faults", "litter"));
      assert.equal(littered.data.pid, pid);
      const next = await pool.call(call("faults", "ok"));
      assert.deepEqual([next.statuscode, next.data.status], [0, "alive"]);
      assert.notEqual(next.data.pid, pid, "the worker holding the litter still serves");
      assert.ok(lines.some((l) => new RegExp(`^ruby\\[${pid}\\] holds \\d+ MB of its own memory, more than plugin\\.mcompat\\.ruby\\.max_memory \\(40 MB\\)`).test(l)), lines.join("\n"));
    } finally {
      await pool.stop();
    }
  });

  it("runs Ruby with a 4 MB malloc limit and keeps that setting out of the environment of the commands agents start", async () => {
    const pool = new WorkerPool({ config: { identity: "node1.example" }, agents: [fixtureAgent("faults")], size: 1 });
    try {
      const reply = await pool.call(call("faults", "gcenv"));
      assert.equal(reply.statuscode, 0, reply.statusmsg);
      // Ruby's default is 16 MB, and the limit only grows from where it starts.
      if (process.env.RUBY_GC_MALLOC_LIMIT === undefined) assert.ok((reply.data.malloc_limit as number) <= 4_000_000, `malloc limit ${reply.data.malloc_limit}`);
      const inherited = Object.keys(process.env).filter((name) => /^(RUBY_GC_|MCOMPAT_)/.test(name)).sort().join(" ");
      assert.equal(reply.data.status, inherited);
    } finally {
      await pool.stop();
    }
  });
});
