/** The floor any server pays on the legacy wire: a responder that only decodes, verifies and answers a ping (no filters, DDL or agents). */
import { Config } from "../src/config/index.js";
import { codecFromConfig, connectTransport } from "../src/wire/index.js";
import { legacyWireLines, type LegacyWire } from "../test/helpers/legacy.js";

export async function startFloorResponder(identity: string, wire: LegacyWire): Promise<{ stop(): Promise<void> }> {
  const config = Config.fromText(Object.entries({ identity, ...legacyWireLines(wire) }).map(([k, v]) => `${k} = ${v}`).join("\n"));
  const codec = codecFromConfig(config, "server");
  const transport = await connectTransport(config, "server", { mode: "daemon" });
  transport.subscribe({ kind: "node", collective: "mcollective", identity }, (delivery) => {
    const now = Math.floor(Date.now() / 1000);
    const request = codec.decodeRequest(delivery, now);
    transport.publish({ kind: "reply", target: request.replyTo! }, codec.encodeReply(request, { statuscode: 0, statusmsg: "OK", data: { pong: now } }, identity, now));
  });
  await transport.flush();
  return { stop: () => transport.close() };
}
