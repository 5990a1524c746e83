/** The failure of an RPC action, carrying the statuscode the reply reports. */
export class RpcError extends Error {
  constructor(readonly statuscode: 1 | 2 | 3 | 4 | 5, message: string) {
    super(message);
    this.name = "RpcError";
  }
}
