module MCollective
  # Errors raised by agents; RPC::Agent#handlemsg maps each to its statuscode.
  class RPCError < StandardError; end
  class RPCAborted < RPCError; end
  class UnknownRPCAction < RPCError; end
  class MissingRPCData < RPCError; end
  class InvalidRPCData < RPCError; end
  class UnknownRPCError < RPCError; end

  class CodedError < RuntimeError; end
  class DDLValidationError < RuntimeError; end
  class ValidatorError < RuntimeError; end
  class MsgTTLExpired < RuntimeError; end
  class ClientTimeoutError < RuntimeError; end
  class SecurityValidationFailed < RuntimeError; end
  class NotTargettedAtUs < RuntimeError; end
  class MsgDoesNotMatchRequestID < RuntimeError; end
  class UnixDaemonError < RuntimeError; end
end
