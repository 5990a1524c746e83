import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { WorkerPool } from "../../src/shim/index.js";
import { agentCall as call, fixtureAgent, processAlive } from "../helpers/agents.js";
import { waitFor } from "../helpers/server.js";

const SERVED = ["echo", "crash", "hang", "noisy", "errors", "tools"];
const UNSERVABLE = ["broken", "needslib", "inactive", "notrpc"];

describe("shim fixture agents: failures give the right statuscode and the pool keeps serving", function () {
  this.timeout(30000);
  let pool: WorkerPool;
  let dir: string;
  const logs: string[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "mcompat-shim-"));
    pool = new WorkerPool({
      config: { identity: "node1.example", "plugin.tools.name": "operator" }, facts: () => ({ fixture: { nested: "deep value" } }),
      agents: [...SERVED, ...UNSERVABLE].map((agent) => fixtureAgent(agent)), size: 2, log: (level, msg) => logs.push(`${level} ${msg}`),
    });
  });
  after(async () => {
    await pool.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("probes: loads what can serve and says why each other agent cannot", async () => {
    const probe = await pool.probe();
    assert.deepEqual(probe.loaded.map((a) => a.agent).sort(), [...SERVED].sort());
    assert.deepEqual(probe.dataPlugins, ["fixture"]);
    const reasons = Object.fromEntries(probe.failed.map((f) => [f.agent, f.reason]));
    assert.match(reasons.broken, /SyntaxError/);
    assert.match(reasons.needslib, /LoadError: cannot load such file -- mcompat_fixture_library_that_is_not_installed/);
    assert.match(reasons.inactive, /activate_when/);
    assert.match(reasons.notrpc, /not an RPC agent/);
    const reply = await pool.call(call("broken", "x"));
    assert.equal(reply.statuscode, 5);
    assert.match(reply.statusmsg, /agent broken cannot be served: SyntaxError/);
  });

  it("answers 5 when an agent kills its worker, then serves again from a new one", async () => {
    const before = (await pool.call(call("crash", "ok"))).data.status;
    const exited = await pool.call(call("crash", "exit"));
    assert.equal(exited.statuscode, 5);
    assert.match(exited.statusmsg, /crash#exit failed: the Ruby worker running it exited with code 3/);
    const killed = await pool.call(call("crash", "kill"));
    assert.match(killed.statusmsg, /killed by SIGKILL/);
    const after = await pool.call(call("crash", "ok"));
    assert.equal(after.statuscode, 0);
    assert.notEqual(after.data.status, before);
  });

  it("kills a worker that overruns the DDL timeout, and the commands it started", async () => {
    const pidfile = join(dir, "sleep.pid");
    const reply = await pool.call(call("hang", "shell_sleep", { pidfile }, 1));
    assert.deepEqual(reply, { statuscode: 5, statusmsg: "hang#shell_sleep timed out after 1s", data: {} });
    const child = Number(readFileSync(pidfile, "utf8"));
    assert.ok(child > 0);
    for (let i = 0; i < 300 && processAlive(child); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(processAlive(child), false, "the agent's child process outlived its worker");
    assert.equal((await pool.call(call("hang", "ok"))).statuscode, 0);
  });

  it("sends what agents print to the log, never into the reply", async () => {
    const reply = await pool.call(call("noisy", "print"));
    assert.deepEqual(reply, { statuscode: 0, statusmsg: "OK", data: { status: "printed" } });
    const text = logs.join("\n");
    assert.match(text, /stdout: noisy agent says hello on stdout/);
    assert.match(text, /stdout: direct to STDOUT/);
    assert.match(text, /stdout: from a child process/);
    assert.match(text, /stderr: noisy agent says hello on stderr/);
    assert.match(text, /info ruby\[\d+\] noisy\.rb:\d+: noisy agent logs at info/);
    assert.equal((await pool.call(call("echo", "echo", { message: "still framed" }))).data.message, "still framed");
  });

  it("maps each exception class to its statuscode, keeping data already set", async () => {
    const expect: Array<[string, number, string]> = [
      ["aborted", 1, "aborted on purpose"], ["unknown_action", 2, "no such thing"], ["missing_data", 3, "need more"],
      ["invalid_data", 4, "bad input"], ["unknown_error", 5, "who knows"], ["runtime", 5, "plain runtime error"],
      ["fail", 1, "soft failure"],
    ];
    for (const [action, code, msg] of expect) {
      const reply = await pool.call(call("errors", action));
      assert.equal(reply.statuscode, code, action);
      assert.equal(reply.statusmsg, msg, action);
    }
    assert.equal((await pool.call(call("errors", "aborted"))).data.status, "kept");
    assert.equal((await pool.call(call("errors", "fail"))).data.status, "after fail");
    for (const code of [1, 2, 3, 4, 5]) {
      const reply = await pool.call(call("errors", "fail_bang", { code: String(code) }));
      assert.deepEqual([reply.statuscode, reply.statusmsg, reply.data.status], [code, "hard failure", "unset"]);
    }
    assert.equal((await pool.call(call("errors", "validate_helper"))).statuscode, 3);
    const invalid = await pool.call(call("errors", "validate_helper", { name: "a;b" }));
    assert.deepEqual([invalid.statuscode, invalid.statusmsg], [4, "Input name did not pass validation: value should not have ; in it"]);
  });

  it("runs commands through Shell with cwd, environment, output capture and timeout", async () => {
    const reply = await pool.call(call("tools", "shell", { command: "pwd; echo $FIXTURE_VAR $LC_ALL; echo oops >&2; exit 7" }));
    assert.deepEqual(reply.data, { stdout: "/\nfrom-env C\n", stderr: "oops\n", exitstatus: 7, signaled: false });
    const timed = await pool.call(call("tools", "shell", { command: "sleep 30", timeout: 1 }));
    assert.deepEqual([timed.data.exitstatus, timed.data.signaled], [null, true]);
    const run = await pool.call(call("tools", "run", { command: "echo via run" }));
    assert.deepEqual(run.data, { out: "via run", exitstatus: 0 });
  });

  it("delegates an action to an external program with implemented_by", async () => {
    const reply = await pool.call(call("tools", "external", { word: "ping" }));
    assert.equal(reply.statuscode, 0, reply.statusmsg);
    assert.equal(reply.data.answer, "pong");
    assert.match(String(reply.data.request_file_env), /request\.json$/);
    const failed = await pool.call(call("tools", "external", { word: "other" }));
    assert.equal(failed.statuscode, 3);
    assert.match(failed.statusmsg, /^Failed to run .*external\.sh: unexpected request/);
  });

  it("loads util classes through PluginManager and sees agents registered as <name>_agent", async () => {
    const reply = await pool.call(call("tools", "plugin"));
    assert.equal(reply.data.greeting, "hello operator");
    assert.deepEqual((reply.data.agents as string[]).sort(), SERVED.map((a) => `${a}_agent`).sort());
  });

  it("queries a data plugin", async () => {
    const reply = await pool.call(call("tools", "data", { query: "word" }));
    assert.deepEqual(reply.data, { length: 4, upper: "WORD" });
  });

  it("validates inputs with a named validator plugin, lists and types", async () => {
    assert.deepEqual(await pool.call(call("tools", "validated", { word: "fine" })), { statuscode: 0, statusmsg: "OK", data: { word: "fine" } });
    const bad = await pool.call(call("tools", "validated", { word: "Not-Fine" }));
    assert.deepEqual([bad.statuscode, bad.statusmsg], [4, "Cannot validate input word: Not-Fine is not a lowercase word"]);
    const missing = await pool.call(call("tools", "validated", {}));
    assert.deepEqual([missing.statuscode, missing.statusmsg], [4, "Action validated needs a word argument"]);
    const color = await pool.call(call("tools", "validated", { word: "ok", color: "blue" }));
    assert.deepEqual([color.statuscode, color.statusmsg], [4, "Cannot validate input color: value should be one of red, green"]);
    const count = await pool.call(call("tools", "validated", { word: "ok", count: "3" }));
    assert.deepEqual([count.statuscode, count.statusmsg], [4, "Cannot validate input count: value should be a integer"]);
  });

  it("finds a validator plugin in MCollective's layout, validator/<name>.rb defining <Name>Validator", async () => {
    assert.deepEqual(await pool.call(call("tools", "validated", { word: "fine", host: "web1.example" })),
      { statuscode: 0, statusmsg: "OK", data: { word: "fine" } });
    const bad = await pool.call(call("tools", "validated", { word: "fine", host: "Web 1" }));
    assert.deepEqual([bad.statuscode, bad.statusmsg], [4, "Cannot validate input host: Web 1 is not a host name"]);
  });

  it("reads a Choria JSON DDL as well as the Ruby DSL", async () => {
    const pool = new WorkerPool({ config: {}, size: 1,
      agents: [{ ...fixtureAgent("jsonddl"), ddl: fixtureAgent("jsonddl").ddl.replace(/\.ddl$/, ".json") }] });
    try {
      assert.deepEqual(await pool.call(call("jsonddl", "greet", { name: "ops" })),
        { statuscode: 0, statusmsg: "OK", data: { greeting: "hello ops", count: 0 } });
      const unsafe = await pool.call(call("jsonddl", "greet", { name: "a|b" }));
      assert.deepEqual([unsafe.statuscode, unsafe.statusmsg], [4, "Cannot validate input name: value should not have | in it"]);
    } finally {
      await pool.stop();
    }
  });

  it("gives agents Config, Facts and the agent list", async () => {
    const reply = await pool.call(call("tools", "config"));
    assert.deepEqual(reply.data, { identity: "node1.example", fact: "deep value", agentlist: [...SERVED].sort() });
  });
});

describe("shim pool scheduling", function () {
  this.timeout(30000);

  it("says why an agent cannot be served even when nobody probed first", async () => {
    const pool = new WorkerPool({ config: {}, agents: [fixtureAgent("needslib"), fixtureAgent("echo")], size: 1 });
    try {
      for (let i = 0; i < 2; i++) {
        const reply = await pool.call(call("needslib", "x"));
        assert.equal(reply.statuscode, 5);
        assert.match(reply.statusmsg, /^agent needslib cannot be served: LoadError: cannot load such file/);
      }
      assert.equal((await pool.call(call("echo", "echo", { message: "fine" }))).data.message, "fine");
    } finally {
      await pool.stop();
    }
  });

  it("kills a worker whose agent blocks while loading, leaves that agent out and serves the others", async () => {
    const pool = new WorkerPool({ config: {}, agents: [fixtureAgent("slowload"), fixtureAgent("echo")], size: 1, startTimeoutSec: 1 });
    try {
      const reply = await pool.call(call("echo", "echo", { message: "waits" }));
      assert.equal(reply.statuscode, 0);
      assert.equal(reply.data.message, "waits");
      const slow = await pool.call(call("slowload", "anything"));
      assert.deepEqual([slow.statuscode, slow.statusmsg], [5, "agent slowload cannot be served: blocked for more than 1s while loading"]);
    } finally {
      await pool.stop();
    }
  });

  it("probes past an agent that blocks while loading, reporting it with the reason", async () => {
    const pool = new WorkerPool({ config: {}, agents: [fixtureAgent("slowload"), fixtureAgent("echo")], size: 1, startTimeoutSec: 1 });
    try {
      const probe = await pool.probe();
      assert.deepEqual(probe.loaded.map((a) => a.agent), ["echo"]);
      assert.deepEqual(probe.failed, [{ agent: "slowload", reason: "blocked for more than 1s while loading" }]);
      assert.equal(pool.stats().workers, 0, "the probe's workers are gone");
    } finally {
      await pool.stop();
    }
  });

  it("answers 'busy' when the queue is full, never dropping a request", async () => {
    const pool = new WorkerPool({ config: {}, agents: [fixtureAgent("hang"), fixtureAgent("echo")], size: 1, maxQueue: 1 });
    try {
      assert.equal((await pool.call(call("echo", "echo", { message: "warm" }))).statuscode, 0);
      const hanging = pool.call(call("hang", "sleep", {}, 1));
      const queued = pool.call(call("echo", "echo", { message: "queued" }));
      const rejected = await pool.call(call("echo", "echo", { message: "one too many" }));
      assert.deepEqual(rejected, { statuscode: 5, statusmsg: "busy", data: {} });
      assert.equal((await hanging).statusmsg, "hang#sleep timed out after 1s");
      assert.equal((await queued).data.message, "queued");
    } finally {
      await pool.stop();
    }
  });

  it("answers a call whose timeout passes while it waits for a worker, without running it", async () => {
    const pool = new WorkerPool({ config: {}, agents: [fixtureAgent("hang"), fixtureAgent("echo")], size: 1 });
    try {
      assert.equal((await pool.call(call("echo", "echo", { message: "warm" }))).statuscode, 0);
      const settled: string[] = [];
      const hanging = pool.call(call("hang", "sleep", {}, 3)).then((r) => { settled.push("hang"); return r; });
      const late = await pool.call(call("echo", "echo", { message: "late" }, 1));
      settled.push("echo");
      assert.deepEqual(late, { statuscode: 5, statusmsg: "echo#echo timed out after 1s waiting for a free Ruby worker", data: {} });
      // The only worker was busy with hang#sleep the whole time: answering first means echo never ran.
      assert.equal((await hanging).statusmsg, "hang#sleep timed out after 3s");
      assert.deepEqual(settled, ["echo", "hang"]);
      assert.equal((await pool.call(call("echo", "echo", { message: "after" }))).data.message, "after");
    } finally {
      await pool.stop();
    }
  });

  it("replaces a worker lost in a call (overrun or crash) at once, so the next call finds it ready", async () => {
    const pool = new WorkerPool({ config: {}, agents: [fixtureAgent("crash"), fixtureAgent("hang")], size: 1 });
    const replacedFor = async (lost: Promise<{ statuscode: number }>) => {
      const [before] = pool.stats().pids;
      assert.equal((await lost).statuscode, 5);
      // No call is made meanwhile: only the pool itself can have started the new worker.
      await waitFor(() => pool.stats().idle === 1 && !pool.stats().pids.includes(before), () => false, async () => `no ready replacement: ${JSON.stringify(pool.stats())}`);
    };
    try {
      assert.equal((await pool.call(call("crash", "ok"))).statuscode, 0);
      await replacedFor(pool.call(call("hang", "sleep", {}, 1)));
      await replacedFor(pool.call(call("crash", "exit")));
      assert.equal(pool.stats().workers, 1);
      assert.equal((await pool.call(call("crash", "ok"))).statuscode, 0);
    } finally {
      await pool.stop();
    }
  });

  it("forks every worker from one parent that loaded the agents and Puppet before the first fork", async () => {
    const pool = new WorkerPool({ config: {}, agents: [fixtureAgent("echo")], size: 2, perAgent: 2 });
    const meeting = mkdtempSync(join(tmpdir(), "mcompat-meet-"));
    try {
      const met = await Promise.all([1, 2].map(() => pool.call(call("echo", "meet", { dir: meeting, count: 2 }, 20))));
      assert.deepEqual(met.map((r) => r.statuscode), [0, 0]);
      const whoami = (await pool.call(call("echo", "whoami"))).data;
      const { parent, pids } = pool.stats();
      assert.equal(typeof parent, "number");
      assert.equal(whoami.ppid, parent);
      assert.ok(pids.includes(Number(whoami.pid)) && whoami.pid !== parent);
      // The echo agent never requires Puppet: only the parent's preload can have loaded it.
      assert.equal(whoami.puppet_loaded, true);
    } finally {
      await pool.stop();
      rmSync(meeting, { recursive: true, force: true });
    }
  });

  it("lets an agent set up Puppet's settings itself, with its own arguments, after the parent preloaded them", async () => {
    const pool = new WorkerPool({ config: {}, agents: [fixtureAgent("puppetinit")], size: 1, perAgent: 1 });
    const confdir = mkdtempSync(join(tmpdir(), "mcompat-confdir-"));
    try {
      const first = await pool.call(call("puppetinit", "settings", { confdir }));
      assert.equal(first.statuscode, 0, first.statusmsg);
      assert.deepEqual({ confdir: first.data.confdir, run_mode: first.data.run_mode }, { confdir, run_mode: "user" });
      // The agent's own flag now says ready: the same worker keeps what it set up, as one mcollectived process would.
      const second = await pool.call(call("puppetinit", "settings", { confdir: "/elsewhere" }));
      assert.deepEqual([second.statuscode, second.data.pid, second.data.confdir], [0, first.data.pid, confdir]);
    } finally {
      await pool.stop();
      rmSync(confdir, { recursive: true, force: true });
    }
  });

  it("keeps serving when the Ruby parent dies: its workers carry on and a new parent forks the next ones", async () => {
    const pool = new WorkerPool({ config: {}, agents: [fixtureAgent("echo")], size: 2, perAgent: 2, preload: [] });
    const meeting = mkdtempSync(join(tmpdir(), "mcompat-meet-"));
    try {
      const first = (await pool.call(call("echo", "whoami"))).data;
      const lost = Number(pool.stats().parent);
      process.kill(lost, "SIGKILL");
      await waitFor(() => !processAlive(lost), () => false, async () => "the parent did not die");
      assert.equal((await pool.call(call("echo", "whoami"))).data.pid, first.pid, "the worker forked before lives on");
      // Two calls that must run at once need a second worker, which only a new parent can fork.
      const met = await Promise.all([1, 2].map(() => pool.call(call("echo", "meet", { dir: meeting, count: 2 }, 20))));
      assert.deepEqual(met.map((r) => r.statuscode), [0, 0]);
      const parent = pool.stats().parent;
      assert.ok(parent !== undefined && parent !== lost);
    } finally {
      await pool.stop();
      rmSync(meeting, { recursive: true, force: true });
    }
  });

  it("sends calls ahead to a busy worker running a fast call of their kind, and answers each with its own reply", async () => {
    const pool = new WorkerPool({ config: {}, agents: [fixtureAgent("echo")], size: 2, perAgent: 2, preload: [] });
    try {
      // Only behind a kind of call the pool has seen to be fast: this one teaches it.
      await pool.call(call("echo", "echo", { message: "first" }));
      const messages = Array.from({ length: 90 }, (_, i) => `message ${i}`);
      const replies = await Promise.all(messages.map((message) => pool.call(call("echo", "echo", { message }))));
      assert.deepEqual(replies.map((r) => [r.statuscode, r.data.message]), messages.map((m) => [0, m]));
      assert.ok(pool.stats().sentAhead > 0, JSON.stringify(pool.stats()));
    } finally {
      await pool.stop();
    }
  });

  it("sends a call of a very fast kind behind a busy worker even while another is idle, and a slower one, or one behind a call already 10 ms old, to the idle worker", async () => {
    const pool = new WorkerPool({ config: {}, agents: [fixtureAgent("crash")], size: 2, perAgent: 2, preload: [] });
    const pids = (replies: Array<{ data: Record<string, unknown> }>) => replies.map((r) => String(r.data.status));
    try {
      // Two workers forked by two calls at once, then each kind taught: crash#ok takes well under 5 ms, crash#maybe
      // napping 10 ms more (a full pool would send it ahead, under 20 ms).
      await Promise.all([1, 2].map(() => pool.call(call("crash", "maybe", { nap_ms: 30 }))));
      for (let i = 0; i < 25; i++) assert.equal((await pool.call(call("crash", "maybe", { nap_ms: 10 }))).statuscode, 0);
      for (let i = 0; i < 25; i++) assert.equal((await pool.call(call("crash", "ok"))).statuscode, 0);
      const ahead = pool.stats().sentAhead;
      const fast = pids(await Promise.all([1, 2].map(() => pool.call(call("crash", "ok")))));
      assert.equal(fast[0], fast[1], "both fast calls ran on one worker");
      assert.equal(pool.stats().sentAhead, ahead + 1);
      const slower = pids(await Promise.all([1, 2].map(() => pool.call(call("crash", "maybe", { nap_ms: 10 })))));
      assert.notEqual(slower[0], slower[1], "the 10 ms calls ran on both workers");
      assert.equal(pool.stats().sentAhead, ahead + 1);
      // Nor is a fast call held behind one of its kind that has run 10 ms already, while a worker is idle: that one
      // may be turning slow, and the take-back would come only after 200 ms.
      for (let i = 0; i < 25; i++) assert.equal((await pool.call(call("crash", "maybe"))).statuscode, 0);
      const turningSlow = pool.call(call("crash", "maybe", { nap_ms: 300 }));
      await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal((await pool.call(call("crash", "maybe"))).statuscode, 0);
      assert.equal(pool.stats().sentAhead, ahead + 1, "not sent ahead behind a call 10 ms old");
      assert.equal((await turningSlow).statuscode, 0);
    } finally {
      await pool.stop();
    }
  });

  it("never lets calls sent ahead starve a call of another kind that waits for a worker", async () => {
    const pool = new WorkerPool({ config: {}, agents: [fixtureAgent("crash")], size: 1, perAgent: 1, preload: [] });
    try {
      // Calls of 2 ms, ten kept in flight until the other call is answered: each one ending starts another, so
      // the worker always has some waiting in it and never empties unless the pool stops sending them ahead.
      const streamed = () => pool.call(call("crash", "maybe", { nap_ms: 2 }));
      await streamed();
      let streaming = true;
      let answered = 0;
      const stream = async () => {
        while (streaming) {
          assert.equal((await streamed()).statuscode, 0);
          answered++;
        }
      };
      const streams = Array.from({ length: 10 }, stream);
      await waitFor(() => answered >= 100, () => false, async () => `${answered} stream calls answered`);
      const before = pool.stats().sentAhead;
      const other = await pool.call(call("crash", "ok", {}, 5));
      streaming = false;
      await Promise.all(streams);
      assert.ok(pool.stats().sentAhead > before, "stream calls were being sent ahead while the other call waited");
      assert.deepEqual([other.statuscode, other.statusmsg], [0, "OK"]);
    } finally {
      await pool.stop();
    }
  });

  it("takes back the calls sent ahead behind one that turns out slow, and runs them on another worker first", async () => {
    const pool = new WorkerPool({ config: {}, agents: [fixtureAgent("crash"), fixtureAgent("hang")], size: 2, perAgent: 2, preload: [] });
    const order = join(mkdtempSync(join(tmpdir(), "mcompat-takeback-")), "order");
    try {
      // Two workers, and a kind of call the pool has seen to be fast.
      await Promise.all([1, 2].map(() => pool.call(call("crash", "maybe", { nap_ms: 30 }))));
      for (let i = 0; i < 25; i++) assert.equal((await pool.call(call("crash", "maybe"))).statuscode, 0);
      const finished: string[] = [];
      const slow = pool.call(call("crash", "maybe", { nap_ms: 3000 }, 10)).then((r) => (finished.push("slow"), r));
      // The other worker runs a call of another kind until it overruns (1 s), so the next calls can only go ahead
      // behind the slow one.
      const other = pool.call(call("hang", "sleep", {}, 1));
      const ahead = pool.stats().sentAhead;
      const held = [1, 2, 3].map((tag) => pool.call(call("crash", "maybe", { mark: order, tag }, 10)).then((r) => (finished.push(`held ${tag}`), r)));
      assert.equal(pool.stats().sentAhead, ahead + 3, "the three calls were sent ahead behind the slow one");
      const replies = await Promise.all([slow, other, ...held]);
      assert.deepEqual(replies.map((r) => r.statuscode), [0, 5, 0, 0, 0]);
      assert.deepEqual(finished, ["held 1", "held 2", "held 3", "slow"]);
      assert.equal(readFileSync(order, "utf8"), "1\n2\n3\n", "each ran once, in order");
    } finally {
      await pool.stop();
      rmSync(dirname(order), { recursive: true, force: true });
    }
  });

  it("runs a call sent ahead on another worker when the call before it crashes or overruns, and never past its deadline", async () => {
    const pool = new WorkerPool({ config: {}, agents: [fixtureAgent("crash")], size: 1, perAgent: 1, preload: [] });
    const mark = join(mkdtempSync(join(tmpdir(), "mcompat-ahead-")), "ran");
    // Fast calls teach the pool that crash#maybe is fast, and wear off what a slow one taught it (a 1 s overrun
    // weighs 1000 * 0.8^25 < 1 ms after 25 of them).
    const fast = async () => {
      for (let i = 0; i < 25; i++) assert.equal((await pool.call(call("crash", "maybe"))).statuscode, 0);
    };
    /** Two calls of one kind made together: with one worker, the second is sent ahead behind the first. */
    const pair = async (first: Record<string, unknown>, firstTimeout: number, second: Record<string, unknown>, secondTimeout: number) => {
      await fast();
      const ahead = pool.stats().sentAhead;
      const replies = await Promise.all([pool.call(call("crash", "maybe", first, firstTimeout)), pool.call(call("crash", "maybe", second, secondTimeout))]);
      assert.equal(pool.stats().sentAhead, ahead + 1, "the second call was sent ahead");
      return replies.map((r) => [r.statuscode, r.statusmsg]);
    };
    try {
      const crashed = await pair({ nap_ms: 100, exit: true }, 10, {}, 10);
      assert.deepEqual([crashed[0][0], crashed[1]], [5, [0, "OK"]]);
      assert.match(String(crashed[0][1]), /crash#maybe failed: the Ruby worker running it exited with code 3/);
      // Several calls held behind a crash run on the next worker in the order they arrived.
      await fast();
      const order = join(dirname(mark), "order");
      const crash = pool.call(call("crash", "maybe", { nap_ms: 100, exit: true }, 10));
      const held = [1, 2, 3, 4, 5].map((tag) => pool.call(call("crash", "maybe", { mark: order, tag }, 10)));
      const group = await Promise.all([crash, ...held]);
      assert.deepEqual(group.map((r) => r.statuscode), [5, 0, 0, 0, 0, 0]);
      assert.equal(readFileSync(order, "utf8"), "1\n2\n3\n4\n5\n");
      const overran = await pair({ nap_ms: 5000 }, 1, {}, 10);
      assert.deepEqual(overran, [[5, "crash#maybe timed out after 1s"], [0, "OK"]]);
      const expired = await pair({ nap_ms: 1500 }, 10, { mark }, 0.5);
      assert.deepEqual(expired, [[0, "OK"], [5, "crash#maybe timed out after 0.5s waiting for a free Ruby worker"]]);
      assert.equal(existsSync(mark), false, "a call whose deadline passed while it waited never ran");
    } finally {
      await pool.stop();
      rmSync(dirname(mark), { recursive: true, force: true });
    }
  });

  it("stops workers idle past the idle timeout, all but one", async () => {
    const pool = new WorkerPool({ config: {}, agents: [fixtureAgent("echo")], size: 3, perAgent: 3, idleTimeoutSec: 1, preload: [] });
    const meeting = mkdtempSync(join(tmpdir(), "mcompat-meet-"));
    try {
      await Promise.all([1, 2, 3].map(() => pool.call(call("echo", "meet", { dir: meeting, count: 3 }, 20))));
      const busy = pool.stats().pids;
      assert.equal(busy.length, 3);
      await waitFor(() => pool.stats().workers === 1, () => false, async () => `still ${JSON.stringify(pool.stats())}`);
      assert.equal(busy.filter(processAlive).length, 1);
      assert.equal((await pool.call(call("echo", "echo", { message: "still served" }))).data.message, "still served");
    } finally {
      await pool.stop();
      rmSync(meeting, { recursive: true, force: true });
    }
  });

  it("lets one agent take every idle worker while nothing else waits", async () => {
    const pool = new WorkerPool({ config: {}, agents: [fixtureAgent("echo")], size: 3, perAgent: 1 });
    const meeting = mkdtempSync(join(tmpdir(), "mcompat-meet-"));
    try {
      // Each call returns only once all three have started: with one worker per agent they could never meet.
      const met = await Promise.all([1, 2, 3].map(() => pool.call(call("echo", "meet", { dir: meeting, count: 3 }, 20))));
      assert.deepEqual(met.map((r) => [r.statuscode, r.statusmsg]), [[0, "OK"], [0, "OK"], [0, "OK"]]);
      assert.equal(new Set(met.map((r) => r.data.pid)).size, 3);
    } finally {
      await pool.stop();
      rmSync(meeting, { recursive: true, force: true });
    }
  });

  it("lets another agent through on a worker beyond the size while one agent's long actions hold the whole pool", async () => {
    const pool = new WorkerPool({ config: {}, agents: [fixtureAgent("hang"), fixtureAgent("echo")], size: 2 });
    try {
      const settled: string[] = [];
      const long = [1, 2].map((n) => pool.call(call("hang", "sleep", {}, 60)).then((r) => { settled.push(`hang${n}`); return r; }));
      const echo = await pool.call(call("echo", "echo", { message: "not starved" }));
      assert.equal(echo.data.message, "not starved");
      assert.deepEqual(settled, []);
      await pool.stop();
      for (const reply of await Promise.all(long)) assert.equal(reply.statuscode, 5);
    } finally {
      await pool.stop();
    }
  });

  it("recycles a worker after recycleAfter requests and leaves no process behind on stop", async () => {
    const pool = new WorkerPool({ config: {}, agents: [fixtureAgent("echo")], size: 1, recycleAfter: 2 });
    const pids: unknown[] = [];
    for (let i = 0; i < 4; i++) pids.push((await pool.call(call("echo", "whoami"))).data.pid);
    assert.equal(pids[0], pids[1]);
    assert.equal(pids[2], pids[3]);
    assert.notEqual(pids[1], pids[2]);
    const { pids: live, parent } = pool.stats();
    await pool.stop();
    for (const pid of [...live, ...pids.map(Number), Number(parent)]) assert.equal(processAlive(pid), false, `worker ${pid} still running`);
    assert.deepEqual(await pool.call(call("echo", "whoami")), { statuscode: 5, statusmsg: "the Ruby worker pool is stopped", data: {} });
  });
});
