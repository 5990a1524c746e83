/** A TCP relay on loopback in front of a broker, to cut one daemon's connection while the broker and others carry on. */
import { createServer, connect, type Server, type Socket } from "node:net";

export interface Relay {
  port: number;
  /** Drops every connection through the relay and stops listening: the daemon behind it loses its broker. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  mend(): Promise<void>;
  close(): Promise<void>;
}

export async function tcpRelay(target: number): Promise<Relay> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    server = createServer((inbound) => {
      const outbound = connect(target, "127.0.0.1");
      for (const s of [inbound, outbound]) {
        sockets.add(s);
        s.on("error", () => undefined).on("close", () => (sockets.delete(s), inbound.destroy(), outbound.destroy()));
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  };
  const cut = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  };
  await listen();
  return { port, cut, mend: listen, close: cut };
}
