/** Who runs Ruby agents: the shim's WorkerPool, behind the small interface the pipeline needs. */
import type { RpcReplyBody } from "../protocol/index.js";

/** One call of a Ruby agent action, as the worker pool takes it. */
export interface RubyCall {
  agent: string;
  action: string;
  data: Record<string, unknown>;
  caller: string;
  requestid: string;
  sender: string;
  collective: string;
  timeoutSec: number;
}

export interface RubyProbe {
  loaded: Array<{ agent: string }>;
  failed: Array<{ agent: string; reason: string }>;
}

export interface RubyRunner {
  probe(): Promise<RubyProbe>;
  call(c: RubyCall): Promise<RpcReplyBody>;
  stop(): Promise<void>;
}
