import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { Requester } from "../helpers/requester.js";
import { FIXTURES, fixtureLibdir, NATIVE_ONLY, spawnServer, startServer, writeServerConfig, type ServerNode } from "../helpers/server.js";

// Long enough that a backtracking engine would try 2^48 paths on the identity filter below.
const NODE = `${"a".repeat(36)}.example.net`;

describe("mcompat server: one hostile message never stops a node (real daemon, real broker)", function () {
  this.timeout(60_000);
  let broker: RunningBroker;
  let node: ServerNode;
  let client: Requester;

  before(async () => {
    const libdir = fixtureLibdir(["hefty", "echo"]);
    broker = await testBroker();
    node = await startServer({ identity: NODE, factsFile: join(FIXTURES, "facts", "node1.yaml"), libdir, extra: NATIVE_ONLY }, broker.port);
    client = await Requester.connect(broker.port, [NODE]);
  });

  after(async () => {
    await client?.close();
    await node?.stop();
    await broker?.stop();
  });

  const ping = async () => (await client.request({ agent: "rpcutil", action: "ping", targets: [NODE], expect: [NODE] }))[0].rpc;

  it("answers an exponential-backtracking identity regex as no match, and serves the next request", async () => {
    const replies = await client.request({ agent: "rpcutil", action: "ping", filter: { identity: ["/^([\\w.]|[\\w.])*$x/"] }, expect: [] });
    assert.deepEqual(replies, []);
    assert.equal((await ping())?.statuscode, 0);
  });

  it("refuses a backreference in a fact filter with a log line, and serves the next request", async () => {
    const replies = await client.request({ agent: "rpcutil", action: "ping", filter: { fact: [{ fact: "country", operator: "=~", value: "/^(u)\\1?k/" }] }, expect: [] });
    assert.deepEqual(replies, []);
    assert.match(node.log(), /does not match: the regular expression \^\(u\)\\1\?k cannot be used/);
    assert.equal((await ping())?.statuscode, 0);
  });

  it("answers a Ruby agent's reply above the broker's 1 MiB max_payload with statuscode 5 saying so, and serves the next one", async () => {
    const call = async (bytes: number) => (await client.request({ agent: "hefty", action: "blob", data: { bytes }, targets: [NODE], expect: [NODE] }))[0].rpc!;
    const big = await call(1_100_000);
    assert.equal(big.statuscode, 5);
    assert.match(big.statusmsg, /^The reply was too large to send: \d+ bytes, more than the 1048576 bytes \(1 MiB\)/);
    const small = await call(1000);
    assert.equal(small.statuscode, 0);
    assert.equal((small.data.blob as string).length, 1000);
  });

  it("drops a compound filter token of the wrong type and a Ruby agent's input nested 5,000 deep, logging both, and serves the next one", async () => {
    assert.deepEqual(await client.request({ agent: "rpcutil", action: "ping", filter: { compound: [[{ statement: 5 } as never]] }, expect: [] }), []);
    const deep = `{"agent":"echo","action":"echo","data":{"message":"deep","nested":${"[".repeat(5000)}"x"${"]".repeat(5000)}}}`;
    assert.deepEqual(await client.request({ agent: "echo", message: deep, targets: [NODE], expect: [] }), []);
    assert.match(node.log(), /dropped malformed message: .*compound token \{"statement":5\} that has a statement that is not a string/);
    assert.match(node.log(), /dropped malformed message: request \w+ body nests deeper than 64 levels/);
    const [echo] = await client.request({ agent: "echo", action: "echo", data: { message: "shallow", nested: [[["x"]]] }, targets: [NODE], expect: [NODE] });
    assert.equal(echo.rpc?.statuscode, 0);
    assert.deepEqual(echo.rpc?.data.nested, [[["x"]]]);
  });

  it("answers an fstat('/proc/self/pagemap') filter without reading the file, and serves the next one", async () => {
    const pagemap = { fstatement: { name: "fstat", params: "/proc/self/pagemap", operator: "==", r_compare: "0", value: "md5" } };
    const [reply] = await client.request({ agent: "rpcutil", action: "ping", filter: { compound: [[pagemap]] }, expect: [NODE] });
    assert.equal(reply.rpc?.statuscode, 0);
    assert.equal((await ping())?.statuscode, 0);
  });
});

describe("mcompat server: a log folder that disappears never stops a node", function () {
  this.timeout(60_000);
  const identity = "logless.example.net";
  const logDir = join(mkdtempSync(join(tmpdir(), "mcompat-logdir-")), "log");
  const logFile = join(logDir, "server.log");
  let broker: RunningBroker;
  let node: ServerNode;
  let client: Requester;

  before(async () => {
    mkdirSync(logDir);
    broker = await testBroker();
    const files = await writeServerConfig({ identity, factsFile: join(FIXTURES, "facts", "node1.yaml"), extra: { ...NATIVE_ONLY, logfile: logFile } }, broker.port);
    node = await spawnServer(identity, { ...files, logFile });
    client = await Requester.connect(broker.port, [identity]);
  });

  after(async () => {
    await client?.close();
    await node?.stop();
    await broker?.stop();
  });

  it("keeps answering while every log line fails (malformed messages included), then tells the log how many were lost", async () => {
    rmSync(logDir, { recursive: true });
    for (let i = 0; i < 20; i++) client.publishRaw(`mcollective.node.${identity}`, `{not json ${i}`);
    const [reply] = await client.request({ agent: "rpcutil", action: "ping", targets: [identity], expect: [identity] });
    assert.equal(reply.rpc?.statuscode, 0);
    mkdirSync(logDir);
    await client.request({ agent: "rpcutil", action: "ping", targets: [identity], expect: [identity] });
    assert.match(readFileSync(logFile, "utf8"), /WARN (\d+) log line\(s\) could not be written to .*server\.log and went to stderr/);
    assert.ok(Number(/WARN (\d+) log line/.exec(readFileSync(logFile, "utf8"))![1]) >= 20);
  });
});

