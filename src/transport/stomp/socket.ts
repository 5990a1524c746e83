/** The byte stream under the STOMP library: plain TCP or TLS to one pool member, shaped as the library expects. */
import { readFileSync } from "node:fs";
import { createConnection, isIP, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { IStompSocket } from "@stomp/stompjs";
import { TCPWrapper } from "@stomp/tcp-wrapper";
import type { StompBroker } from "./settings.js";

/** Opens the socket for `broker` and hands it to `keep` (for flush and errors) before the library sees it. */
export function openSocket(broker: StompBroker, keep: (socket: Socket) => void): IStompSocket {
  let socket: Socket;
  let corked = false;
  // A class per call: the wrapper opens its socket from its constructor, before subclass fields exist.
  class Wrapper extends TCPWrapper {
    protected getSocket(port: number, host: string): Socket {
      socket = broker.tls ? tlsSocket(broker, host, port) : createConnection(port, host);
      socket.setNoDelay(true);
      keep(socket);
      return socket;
    }

    // Frames written in one turn of the event loop leave in one write: a system call per frame was the largest
    // cost of a busy node (docs/BENCHMARKS.md).
    public send(data: string | ArrayBuffer): void {
      if (!corked) {
        corked = true;
        socket.cork();
        setImmediate(() => {
          corked = false;
          socket.uncork();
        });
      }
      super.send(data);
    }
  }
  return new Wrapper(broker.host, broker.port);
}

function tlsSocket(broker: StompBroker, host: string, port: number): Socket {
  const tls = broker.tls!;
  const read = (file: string | undefined) => (file ? readFileSync(file) : undefined);
  return tlsConnect({
    host,
    port,
    // SNI takes names only.
    servername: isIP(host) ? undefined : host,
    ca: tls.ca?.split(",").map((f) => readFileSync(f.trim())),
    cert: read(tls.cert),
    key: read(tls.key),
    ciphers: tls.ciphers,
    rejectUnauthorized: tls.verify,
  });
}
