import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { BrokerUnreachableError, connectBroker, type RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { testCert } from "../helpers/pki.js";

describe("broker launcher (real nats-server with TLS)", () => {
  let broker: RunningBroker;

  before(async () => {
    broker = await testBroker();
  });

  after(async () => {
    await broker?.stop();
  });

  it("starts on an ephemeral port", () => {
    assert.ok(broker.port > 0 && broker.port !== 4222);
  });

  it("accepts a client presenting a CA-signed certificate and carries a message", async () => {
    const nc = await connectBroker({
      brokers: [{ host: "127.0.0.1", port: broker.port }],
      tls: await testCert("client.mcollective"),
      name: "client.mcollective",
      mode: "client",
    });
    const sub = nc.subscribe("test.echo", { max: 1 });
    nc.publish("test.echo", "over tls");
    for await (const msg of sub) assert.equal(msg.string(), "over tls");
    await nc.close();
  });

  it("refuses a client without a certificate", async () => {
    const { ca } = await testCert("client.mcollective");
    await assert.rejects(
      connect({ servers: `127.0.0.1:${broker.port}`, tls: { caFile: ca }, timeout: 3000, reconnect: false }),
    );
  });

  it("gives up with a one-line error naming the hosts when no broker answers", async () => {
    const started = Date.now();
    await assert.rejects(
      connectBroker({
        brokers: [{ host: "127.0.0.1", port: 1 }, { host: "127.0.0.1", port: 2 }],
        tls: await testCert("client.mcollective"),
        name: "c",
        mode: "client",
        timeoutMs: 1500,
      }),
      (err: unknown) => {
        assert.ok(err instanceof BrokerUnreachableError);
        assert.match(err.message, /127\.0\.0\.1:1, 127\.0\.0\.1:2/);
        assert.ok(!err.message.includes("\n"));
        return true;
      },
    );
    assert.ok(Date.now() - started < 30_000, "connect must not hang");
  });

  it("stops the nats-server process", async () => {
    const second = await testBroker();
    await second.stop();
    assert.throws(() => process.kill(second.pid, 0));
  });
});
