/** Reconnect timing and shutdown of the STOMP session, against a loopback socket that hangs up on every attempt. */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { StompTransport } from "../../src/transport/stomp/index.js";
import { BrokerUnreachableError } from "../../src/transport/index.js";
import { stompSettings } from "../helpers/stomp-broker.js";

describe("STOMP session lifecycle", () => {
  let server: Server;
  let port: number;
  const attempts: number[] = [];

  before(async () => {
    server = createServer((socket) => {
      attempts.push(Date.now());
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("retries with the legacy back-off: the delay doubles from initial_reconnect_delay up to max_reconnect_delay", async () => {
    attempts.length = 0;
    const settings = stompSettings("activemq", [`127.0.0.1:${port}`], [
      "plugin.activemq.initial_reconnect_delay = 0.05",
      "plugin.activemq.max_reconnect_delay = 0.2",
    ]);
    const transport = new StompTransport(settings, { identity: "node1", mode: "daemon" });
    const first = transport.start();
    first.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1100));
    await transport.close();
    await assert.rejects(first, (err: Error) => err instanceof BrokerUnreachableError && /closed before a broker answered/.test(err.message));
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]);
    // 50, 100, 200, 200, ... ms (plus connection set-up time).
    assert.ok(gaps.length >= 5, `attempts: ${gaps.join(", ")}`);
    // Timers never fire early; a loaded machine may fire them late.
    const near = (gap: number, want: number) => gap >= want - 5 && gap < want + 100;
    assert.ok(near(gaps[0], 50) && near(gaps[1], 100) && near(gaps[2], 200) && near(gaps[3], 200), `gaps: ${gaps.join(", ")}`);
  });

  it("gives up after max_reconnect_attempts", async () => {
    attempts.length = 0;
    const settings = stompSettings("activemq", [`127.0.0.1:${port}`], [
      "plugin.activemq.initial_reconnect_delay = 0.01",
      "plugin.activemq.max_reconnect_attempts = 3",
    ]);
    const transport = new StompTransport(settings, { identity: "node1", mode: "daemon" });
    await assert.rejects(transport.start(), /gave up after 3 attempts/);
    assert.equal(attempts.length, 3);
    await transport.close();
  });
});
