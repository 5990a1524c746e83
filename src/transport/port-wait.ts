/** Loopback port helpers for the broker launchers: pick a free port, wait until one accepts connections. */
import { createConnection, createServer } from "node:net";

/** A port the kernel just handed out on 127.0.0.1 (free now; the broker binds it moments later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A STOMP login to try: readiness means the broker accepts it, not merely that the port is open. */
export interface StompLogin {
  vhost: string;
  user: string;
  password: string;
}

/** Polls until `port` answers (with CONNECTED, when `login` is given); rejects when the process exited or time is up. */
export async function waitForListen(port: number, exited: () => boolean, timeoutMs: number, login?: StompLogin): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < until) {
    if (exited()) throw new Error("the process exited");
    last = await answers(port, login);
    if (last === "") return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} did not answer within ${timeoutMs / 1000}s (${last})`);
}

/** "" when ready, else what went wrong. */
function answers(port: number, login?: StompLogin): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection(port, "127.0.0.1");
    const done = (why: string) => {
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(2000, () => done("timeout"));
    socket.once("error", (err) => done(err.message));
    socket.once("connect", () => {
      if (!login) return done("");
      socket.write(`CONNECT\naccept-version:1.0\nhost:${login.vhost}\nlogin:${login.user}\npasscode:${login.password}\n\n\0`);
    });
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk.toString("latin1");
      if (!text.includes("\0")) return;
      done(text.startsWith("CONNECTED") ? "" : text.split("\n").find((l) => l.startsWith("message:")) ?? text.slice(0, 80));
    });
  });
}
