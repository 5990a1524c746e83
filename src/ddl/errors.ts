/** The one error type of the DDL module: bad DDL text, bad CLI values and inputs that fail validation. */
export class DdlError extends Error {
  /** RPC status code a server replies with: 4 for a missing or invalid input (as MCollective), 3 kept for agents that raise MissingRPCData themselves, 5 anything else (a broken DDL). */
  readonly statuscode: 3 | 4 | 5;
  /** The input the error is about, when there is one. */
  readonly input?: string;

  constructor(message: string, statuscode: 3 | 4 | 5 = 5, input?: string) {
    super(message);
    this.name = "DdlError";
    this.statuscode = statuscode;
    this.input = input;
  }
}

/** Ruby the pure reader does not evaluate (a loop it lacks, a method, a constant); Ruby itself might read the DDL. */
export class UnsupportedRubyError extends DdlError {
  constructor(message: string) {
    super(message, 5);
    this.name = "UnsupportedRubyError";
  }
}
