import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { loadConfig } from "../../src/config/index.js";
import { RpcClient, haltCode, type RpcResult } from "../../src/client/index.js";
import type { RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { startResponder, startSwarm, writeClientConfig, type Responder } from "../helpers/fleet.js";
import { waitFor } from "../helpers/server.js";

describe("client library against a real TLS broker and in-test responders", () => {
  let broker: RunningBroker;
  let nodes: Responder[];
  let configFile: string;

  before(async () => {
    broker = await testBroker();
    configFile = await writeClientConfig(broker.port, "lib");
    // One at a time: certificates are issued by one CA whose serial file is not safe to share concurrently.
    nodes = [
      await startResponder(broker.port, { identity: "web1.example.net", facts: { country: "uk", role: "web" }, classes: ["role::web"] }),
      await startResponder(broker.port, { identity: "web2.example.net", facts: { country: "de", role: "web" }, classes: ["role::web"] }),
      await startResponder(broker.port, {
        identity: "db1.example.net",
        facts: { country: "uk", role: "db" },
        answer: (_agent, action) => (action === "fail" ? { statuscode: 1, statusmsg: "Failed on purpose", data: {} } : { statuscode: 0, statusmsg: "OK", data: { pong: 1 } }),
      }),
    ];
  });

  after(async () => {
    await Promise.all((nodes ?? []).map((n) => n.stop()));
    await broker?.stop();
  });

  const client = (options: ConstructorParameters<typeof RpcClient>[1] = {}) =>
    // Windowed discovery keeps the suite quick: it ends 300 ms after the last pong.
    new RpcClient(loadConfig(configFile), { discovery: { timeoutSec: 2, windowMs: 300 }, timeoutSec: 3, ...options });

  it("discovers every node with mc, and only matching ones with a fact filter", async () => {
    const all = client();
    const uk = client({ filter: { facts: ["country=uk"] } });
    try {
      assert.deepEqual((await all.discover({ agent: "rpcutil" })).nodes.sort(), ["db1.example.net", "web1.example.net", "web2.example.net"]);
      const found = await uk.discover({ agent: "rpcutil" });
      assert.deepEqual(found.nodes.sort(), ["db1.example.net", "web1.example.net"]);
      assert.equal(found.performed, true);
      assert.equal(found.method, "mc");
    } finally {
      await all.close();
      await uk.close();
    }
  });

  it("streams replies as an async iterator and completes the stats", async () => {
    const c = client({ filter: { classes: ["role::web"] } });
    try {
      const call = c.call("rpcutil", "ping", {});
      const senders: string[] = [];
      for await (const result of call) senders.push(result.sender);
      assert.deepEqual(senders.sort(), ["web1.example.net", "web2.example.net"]);
      assert.equal(call.stats.ok, 2);
      assert.deepEqual(call.stats.noResponse, []);
      assert.match(call.stats.requestid, /^[0-9a-f]{32}$/);
      assert.equal(haltCode(call.stats), 0);
    } finally {
      await c.close();
    }
  });

  it("skips discovery for plain identities and sends one direct request per node", async () => {
    const c = client({ filter: { identities: ["web1.example.net", "db1.example.net"] } });
    try {
      const before = nodes.map((n) => n.received.length);
      const { results, stats } = await c.call("rpcutil", "ping", {}).collect();
      assert.equal(stats.discoveryPerformed, false);
      assert.deepEqual(results.map((r) => r.sender).sort(), ["db1.example.net", "web1.example.net"]);
      const got = nodes.map((n, i) => n.received.slice(before[i]));
      assert.deepEqual(got[0].map((g) => g.subject), ["mcollective.node.web1.example.net"]);
      assert.deepEqual(got[1], [], "web2 was not addressed");
      assert.deepEqual(got[0][0].request.envelope.filter.identity, []);
      assert.equal(got[0][0].request.envelope.requestid, got[2][0].request.envelope.requestid, "one request id for every node");
    } finally {
      await c.close();
    }
  });

  it("counts failed replies (exit code 2 when any failed)", async () => {
    const c = client({ filter: { facts: ["country=uk"] } });
    try {
      const { results, stats } = await c.call("rpcutil", "fail", {}).collect();
      const db = results.find((r: RpcResult) => r.sender === "db1.example.net")!;
      assert.equal(db.statuscode, 1);
      assert.equal(db.statusmsg, "Failed on purpose");
      assert.equal(stats.failed, 1);
      assert.equal(haltCode(stats), 2);
    } finally {
      await c.close();
    }
  });

  it("reports the silent node when a listed identity does not exist (exit code 4 without discovery)", async () => {
    const c = client({ filter: { identities: ["ghost.example.net"] }, timeoutSec: 1 });
    try {
      const { stats } = await c.call("rpcutil", "ping", {}).collect();
      assert.deepEqual(stats.noResponse, ["ghost.example.net"]);
      assert.equal(haltCode(stats), 4);
    } finally {
      await c.close();
    }
  });

  it("broadcasts once with the full filter above direct_addressing_threshold", async () => {
    const cfg = loadConfig(configFile);
    cfg.set("direct_addressing_threshold", "1");
    const broadcaster = new RpcClient(cfg, { discovery: { timeoutSec: 1 }, timeoutSec: 3, filter: { facts: ["role=web"] } });
    try {
      const before = nodes[0].received.length;
      const { results } = await broadcaster.call("rpcutil", "ping", {}).collect();
      assert.equal(results.length, 2);
      const rpc = nodes[0].received.slice(before).filter((r) => r.request.envelope.agent === "rpcutil");
      assert.deepEqual(rpc.map((r) => r.subject), ["mcollective.broadcast.agent.rpcutil"]);
      assert.deepEqual(rpc[0].request.envelope.filter.fact, [{ fact: "role", value: "web", operator: "==" }]);
    } finally {
      await broadcaster.close();
    }
  });

  it("limits the call to N nodes, and to a seeded random pick that repeats", async () => {
    const first = client({ limit: "1" });
    try {
      const { stats } = await first.call("rpcutil", "ping", {}).collect();
      assert.equal(stats.discovered.length, 1);
      assert.equal(stats.responded.length, 1);
      const config = loadConfig(configFile);
      config.set("rpclimitmethod", "random");
      const a = new RpcClient(config, { discovery: { timeoutSec: 1 }, timeoutSec: 3, limit: "2", limitSeed: 7 });
      const b = new RpcClient(config, { discovery: { timeoutSec: 1 }, timeoutSec: 3, limit: "2", limitSeed: 7 });
      const picks = [(await a.call("rpcutil", "ping", {}).collect()).stats.discovered, (await b.call("rpcutil", "ping", {}).collect()).stats.discovered];
      await a.close();
      await b.close();
      assert.deepEqual(picks[0], picks[1]);
      assert.equal(picks[0].length, 2);
    } finally {
      await first.close();
    }
  });

  it("sends batches to every node with the same request id", async () => {
    const c = client({ filter: { identities: ["web1.example.net", "web2.example.net", "db1.example.net"] }, batch: { size: "2", sleepSec: 0 } });
    try {
      const before = nodes.map((n) => n.received.length);
      const { results, stats } = await c.call("rpcutil", "ping", {}).collect();
      assert.equal(results.length, 3);
      const ids = new Set(nodes.flatMap((n, i) => n.received.slice(before[i]).map((r) => r.request.envelope.requestid)));
      assert.deepEqual([...ids], [stats.requestid]);
    } finally {
      await c.close();
    }
  });

  it("pings every node and reports round-trip times", async () => {
    const c = client({ timeoutSec: 1 });
    try {
      const replies = [];
      for await (const reply of c.ping()) replies.push(reply);
      assert.deepEqual(replies.map((r) => r.sender).sort(), ["db1.example.net", "web1.example.net", "web2.example.net"]);
      assert.ok(replies.every((r) => r.timeMs >= 0));
    } finally {
      await c.close();
    }
  });

  it("ends discovery early with a window once replies stop", async () => {
    const c = client({ discovery: { timeoutSec: 20, windowMs: 300 } });
    try {
      const found = await c.discover({ agent: "rpcutil" });
      assert.equal(found.nodes.length, 3);
      assert.ok(found.timeMs < 20_000, "the window ended discovery before the 20 s timeout");
    } finally {
      await c.close();
    }
  });

  it("keeps a discovery window open while new nodes keep answering: 3,000 pongs over a second are all counted", async () => {
    const swarm = await startSwarm(broker.port, 3000, 1200);
    const c = client({ discovery: { timeoutSec: 20, windowMs: 300 } });
    try {
      const found = await c.discover({ agent: "rpcutil" });
      assert.equal(new Set(found.nodes).size, 3000 + nodes.length);
    } finally {
      await c.close();
      await swarm.stop();
    }
  });

  it("uses a sub-collective with -T and refuses an unknown one", async () => {
    const other = await startResponder(broker.port, { identity: "far.example.net", collectives: ["other"] });
    const c = client({ collective: "other" });
    try {
      assert.deepEqual((await c.discover({ agent: "rpcutil" })).nodes, ["far.example.net"]);
      assert.throws(() => client({ collective: "nowhere" }), /Unknown collective 'nowhere' known collectives are 'mcollective, other'/);
    } finally {
      await c.close();
      await other.stop();
    }
  });
});

/** True once every thread of the process is stopped by a signal (state T in /proc). */
function threadsStopped(pid: number): boolean {
  return readdirSync(`/proc/${pid}/task`).every((tid) => /^\d+ \(.*\) T /.test(readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8")));
}

describe("client library when the broker stops answering mid-run", () => {
  it("fails the publish after publish_timeout instead of waiting for the broker forever", async () => {
    const broker = await testBroker();
    const node = await startResponder(broker.port, { identity: "web1.example.net" });
    const c = new RpcClient(loadConfig(await writeClientConfig(broker.port, "stall")), { filter: { identities: ["web1.example.net"] }, timeoutSec: 2, publishTimeoutSec: 1 });
    const drain = async (call: AsyncIterable<RpcResult>) => {
      const results: RpcResult[] = [];
      for await (const result of call) results.push(result);
      return results;
    };
    try {
      assert.equal((await drain(c.call("rpcutil", "ping", {}))).length, 1);
      // Frozen, not gone: the TCP connection stays up and the client keeps waiting for the broker's PONG.
      process.kill(broker.pid, "SIGSTOP");
      // kill() returns before every thread has stopped: a broker thread still running could answer the flush.
      await waitFor(() => threadsStopped(broker.pid), () => false, async () => `nats-server ${broker.pid} did not stop`);
      await assert.rejects(drain(c.call("rpcutil", "ping", {})), /^ClientError: Could not publish the request to the broker within 1s \(publish_timeout\)$/);
    } finally {
      process.kill(broker.pid, "SIGCONT");
      await c.close();
      await node.stop();
      await broker.stop();
    }
  });
});
