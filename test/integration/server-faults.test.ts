import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Filter } from "../../src/protocol/index.js";
import { loadSigner, type Signer } from "../../src/security/index.js";
import type { RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { flood, rssMiB } from "../helpers/load.js";
import { observe, report } from "../helpers/observer.js";
import { expiredCert, foreignCert, testCert } from "../helpers/pki.js";
import { Requester } from "../helpers/requester.js";
import { FIXTURES, fixtureLibdir, NATIVE_ONLY, spawnServer, startServer, writeServerConfig, type ServerNode } from "../helpers/server.js";

const NODE = "faulty.example.net";

describe("mcompat server: faults it survives (real daemon, real broker, real Ruby workers)", function () {
  this.timeout(90_000);
  let broker: RunningBroker;
  let node: ServerNode;
  let client: Requester;
  let watcher: Requester;
  // The audit log's folder is a regular file, so every audit write fails (ENOTDIR, even for root).
  const notADir = join(mkdtempSync(join(tmpdir(), "mcompat-audit-")), "file");
  writeFileSync(notADir, "");

  before(async () => {
    broker = await testBroker();
    const libdir = fixtureLibdir(["crash", "hang", "noisy", "broken", "faults", "echo"]);
    const extra = { ...NATIVE_ONLY, rpcaudit: "1", rpcauditprovider: "logfile", "plugin.rpcaudit.logfile": join(notADir, "audit.log") };
    node = await startServer({ identity: NODE, factsFile: join(FIXTURES, "facts", "node1.yaml"), libdir, extra }, broker.port);
    client = await Requester.connect(broker.port, [NODE]);
    watcher = await Requester.connect(broker.port, [NODE], "watcher.mcollective");
  });

  after(async () => {
    await client?.close();
    await watcher?.close();
    await node?.stop();
    await broker?.stop();
  });

  const call = async (agent: string, action: string, data: Record<string, unknown> = {}) =>
    (await client.request({ agent, action, data, targets: [NODE], expect: [NODE] }))[0].rpc!;

  /** Runs `fault` while another caller pings the node, and reports what that caller saw. */
  async function meanwhile<T>(fault: string, tried: number, run: () => Promise<T>): Promise<T> {
    const other = observe(watcher, NODE);
    const result = await run();
    const seen = await other.stop();
    report(fault, { tried, otherCallerPings: seen.pings, worstOtherMs: seen.worstMs });
    return result;
  }

  it("answers statuscode 5 when an action kills its worker or exits it, and serves the next call from a new worker", async () => {
    const [killed, exited, after] = await meanwhile("worker killed / exited", 2, async () => [await call("crash", "kill"), await call("crash", "exit"), await call("crash", "ok")]);
    for (const reply of [killed, exited]) {
      assert.equal(reply.statuscode, 5);
      assert.match(reply.statusmsg, /worker/i);
    }
    assert.equal(after.statuscode, 0);
    assert.match(String(after.data.status), /^alive \d+$/);
  });

  it("answers a hung action statuscode 5 at its DDL timeout and serves others meanwhile", async () => {
    const hung = await meanwhile("worker hung", 1, () => call("hang", "sleep"));
    assert.equal(hung.statuscode, 5);
    assert.match(hung.statusmsg, /hang#sleep timed out after 1s/);
    assert.equal((await call("hang", "ok")).statuscode, 0);
  });

  it("answers statuscode 5 when an action runs out of memory under its own rlimit, and serves the next call", async () => {
    const hog = await meanwhile("worker out of memory", 1, () => call("faults", "hog"));
    assert.equal(hog.statuscode, 5);
    assert.match(hog.statusmsg, /NoMemoryError|memory|worker/i, hog.statusmsg);
    report("worker out of memory (statusmsg)", { statusmsg: hog.statusmsg });
    for (let i = 0; i < 3; i++) assert.equal((await call("faults", "ok")).data.status, "alive");
  });

  it("keeps what an agent prints on stdout, a false frame header included, out of the reply and in the log", async () => {
    const printed = await meanwhile("agent prints garbage on stdout", 1, () => call("noisy", "print"));
    assert.equal(printed.statuscode, 0);
    assert.equal(printed.data.status, "printed");
    assert.match(node.log(), /noisy agent says hello on stdout/);
  });

  it("leaves out an agent file with a syntax error, saying why, and drops requests for it with a log line", async () => {
    assert.match(node.log(), /agent broken not loaded: .*SyntaxError/);
    assert.deepEqual(await client.request({ agent: "broken", action: "x", targets: [NODE], expect: [] }), []);
    assert.match(node.log(), /dropped request \w+ from choria=tester\.mcollective@\S+ for broken: agent 'broken' is not loaded/);
    assert.equal((await call("echo", "echo", { message: "still here" })).data.message, "still here");
  });

  it("serves every request while the audit log cannot be written, warning for each", async () => {
    const reply = await call("echo", "echo", { message: "unaudited" });
    assert.equal(reply.statuscode, 0);
    assert.match(node.log(), /Audit failed - ENOTDIR: not a directory, open '.*audit\.log' - continuing to process message/);
    report("audit log unwritable", { tried: 1, outcome: "served, warned" });
  });

  it("keeps its facts while the fact file is caught empty or half-written, and takes the new ones once it is whole", async () => {
    const uk: Partial<Filter> = { fact: [{ fact: "country", operator: "==", value: "uk" }] };
    // A node that should answer is waited for; one that should not is given the barrier's time.
    const matches = async (expect: string[]) => (await client.request({ agent: "discovery", message: JSON.stringify("ping"), filter: uk, targets: [NODE], expect })).length;
    const whole = readFileSync(node.factsFile, "utf8");
    const states = [
      ["caught truncated", ""],
      ["caught half-written", whole.slice(0, whole.indexOf("release:") + 12)],
      ["caught mid-line", "country: uk\nrole: [db,\n"],
    ];
    for (const [, text] of states) {
      writeFileSync(node.factsFile, text);
      assert.equal(await matches([NODE]), 1);
    }
    // Replaced whole, as an atomic rename does: the new facts count at once.
    const next = join(node.dir, "facts.next.yaml");
    writeFileSync(next, whole.replace("country: uk", "country: de"));
    renameSync(next, node.factsFile);
    assert.equal(await matches([]), 0);
    writeFileSync(node.factsFile, whole);
    assert.equal(await matches([NODE]), 1);
    report("facts file replaced mid-read", { tried: states.length + 2, outcome: "last good facts kept; whole file taken" });
  });

  it("drops requests of a foreign CA, an expired certificate, another user's callerid and a replay past its ttl, and serves the next", async () => {
    const signer = async (files: Promise<{ cert: string; key: string; ca: string }>, certname: string) => loadSigner({ certname, ...(await files) });
    const admin = await signer(testCert("ops.privileged.mcollective"), "ops.privileged.mcollective");
    const bob = await signer(testCert("bob.mcollective"), "bob.mcollective");
    const ping = JSON.stringify({ agent: "rpcutil", action: "ping", caller: "choria=alice.mcollective", data: {} });
    // Each is sent with the tester's reply subject, so the tester's barrier proves nothing came back.
    const sent = (as: Signer, time?: number, expect: string[] = []) => client.exchange("mcollective", expect, [NODE], (replyTo) => client.publishRaw(`mcollective.node.${NODE}`, client.signingAs(as).payload({ agent: "rpcutil", collective: "mcollective", time }, ping, replyTo)));
    const refusals: Array<[string, Promise<Signer>, number | undefined, RegExp]> = [
      ["foreign CA", signer(foreignCert("tester.mcollective"), "tester.mcollective"), undefined, /not signed by the configured CA/],
      ["expired certificate", signer(expiredCert("expired.mcollective"), "expired.mcollective"), undefined, /certificate expired\.mcollective expired at/],
      ["another user's callerid", Promise.resolve({ ...bob, callerid: "choria=alice.mcollective" }), undefined, /callerid choria=alice\.mcollective does not match the certificate/],
      ["replay past ttl", Promise.resolve(client.signer), Math.floor(Date.now() / 1000) - 61, /dropped expired request/],
    ];
    for (const [what, as, time, logged] of refusals) {
      assert.deepEqual(await sent(await as, time), [], what);
      assert.match(node.log(), logged, what);
    }
    // The same request from a privileged certificate acting for alice is served: the refusals above are the checks at work.
    const [served] = await sent({ ...admin, callerid: "choria=alice.mcollective" }, undefined, [NODE]);
    assert.equal(served.rpc?.statuscode, 0);
    report("bad callers", { tried: refusals.length, outcome: "dropped and logged", control: "privileged caller served" });
  });

  it("refuses shell metacharacters, an over-long string and a wrong type before Ruby, serves a clean input, and keeps undeclared inputs as the legacy server did", async () => {
    const hostile = ["a;b", "`id`", "$(id)", "a|b", "a>b", "a<b", "x".repeat(65), 5];
    for (const command of hostile) {
      const reply = await call("faults", "run", { command });
      assert.equal(reply.statuscode, 4, String(command));
      assert.equal(reply.data.status, "unset");
    }
    assert.equal((await call("faults", "run", { command: "hello" })).data.status, "hello");
    const undeclared = await call("faults", "run", { command: "hello", extra: "; touch /tmp/x" });
    assert.equal(undeclared.statuscode, 0);
    report("hostile inputs", { tried: hostile.length + 1, outcome: "statuscode 4 before Ruby; undeclared input kept (legacy)" });
  });

  it("answers every request sent while SIGHUP reloads it again and again", async () => {
    const reloads = (async () => {
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 300));
        await node.reload();
      }
    })();
    const result = await flood(client, { node: NODE, rate: 50, seconds: 4, rubyEvery: 5 });
    await reloads;
    report("SIGHUP during load", { tried: result.sent, reloads: 4, byStatus: result.byStatus, missing: result.missing, worstMs: result.worstMs });
    assert.equal(result.missing, 0);
    assert.deepEqual(Object.keys(result.byStatus), ["0"]);
  });

  it("answers every request of a flood with a statuscode, memory and other callers watched (fast form of npm run soak)", async () => {
    const rssBefore = rssMiB(node.pid);
    const result = await meanwhile("load 250/s for 4 s", 1000, () => flood(client, { node: NODE, rate: 250, seconds: 4, rubyEvery: 10 }));
    report("load 250/s for 4 s", { ...result, rssBeforeMiB: rssBefore, rssAfterMiB: rssMiB(node.pid) });
    assert.equal(result.sent, 1000);
    assert.equal(result.missing, 0);
    assert.equal(result.duplicates, 0);
    for (const code of Object.keys(result.byStatus)) assert.ok(code === "0" || code === "5", `statuscode ${code}`);
  });
});

describe("mcompat server: a log file on a full disk (logfile = /dev/full)", function () {
  this.timeout(60_000);
  const identity = "diskfull.example.net";
  let broker: RunningBroker;
  let node: ServerNode;
  let client: Requester;

  before(async () => {
    broker = await testBroker();
    const files = await writeServerConfig({ identity, factsFile: join(FIXTURES, "facts", "node1.yaml"), libdir: fixtureLibdir(["echo"]), extra: { logfile: "/dev/full", ...NATIVE_ONLY } }, broker.port);
    // Every write to /dev/full fails with ENOSPC; the lines the logger could not write go to stderr, read here.
    const stderr = join(files.dir, "stderr.log");
    node = await spawnServer(identity, { ...files, logFile: stderr }, /serving agents: /, stderr);
    client = await Requester.connect(broker.port, [identity]);
  });

  after(async () => {
    await client?.close();
    await node?.stop();
    await broker?.stop();
  });

  it("starts, serves native and Ruby agents and malformed messages alike, the lines going to stderr", async () => {
    for (let i = 0; i < 20; i++) client.publishRaw(`mcollective.node.${identity}`, `{not json ${i}`);
    const [ping] = await client.request({ agent: "rpcutil", action: "ping", targets: [identity], expect: [identity] });
    const [echo] = await client.request({ agent: "echo", action: "echo", data: { message: "full" }, targets: [identity], expect: [identity] });
    assert.equal(ping.rpc?.statuscode, 0);
    assert.equal(echo.rpc?.data.message, "full");
    assert.match(node.log(), /dropped malformed message/);
    report("log disk full (/dev/full)", { tried: 22, outcome: "served; lines to stderr" });
  });
});
