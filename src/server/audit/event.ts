/** What the server tells an audit sink about one authorized request. */
export interface AuditEvent {
  requestid: string;
  /** The request's own time (unix seconds), not the time of auditing. */
  time: number;
  callerid: string;
  /** The identity of the client that sent the request. */
  senderid: string;
  agent: string;
  action: string;
  data: Record<string, unknown>;
}
