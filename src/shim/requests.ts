/**
 * Requests a Ruby process makes of Node in the middle of its work (an `mco` application's RPC::Client, an agent's
 * rpcclient): one frame with an `op` (client, discover, call, results_text, stats_text), answered by "out" frames
 * (text for Ruby to print), "result" frames (one per reply of a call) and one final frame, or an "error" frame
 * Ruby raises as the class it names. Every frame to Ruby is built here from plain values.
 */

export type AppRequest = Record<string, unknown> & { op: string };
export type AppFrame = Record<string, unknown> & { type: string };

/** Answers requests; a thrown error reaches Ruby as an exception of `rubyClass` (or RuntimeError). */
export interface AppServices {
  handle(request: AppRequest, send: (frame: AppFrame) => void): Promise<AppFrame>;
}

/** An error Ruby sees raised as this class (e.g. MCollective::DDLValidationError). */
export class RubyRaise extends Error {
  constructor(
    readonly rubyClass: string,
    message: string,
  ) {
    super(message);
  }
}

/** Answers one request with its final frame, or an "error" frame; never rejects. */
export async function serveRequest(services: AppServices, request: AppRequest, send: (frame: AppFrame) => void): Promise<void> {
  try {
    send(await services.handle(request, send));
  } catch (err) {
    const error = err as Error;
    send({ type: "error", class: err instanceof RubyRaise ? err.rubyClass : rubyClassOf(error), message: error.message });
  }
}

/** Our errors as the MCollective exception the legacy client raised for the same failure. */
function rubyClassOf(error: Error): string {
  return error.name === "DdlError" ? "MCollective::DDLValidationError" : "RuntimeError";
}
