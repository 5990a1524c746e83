module MCollective
  # SimpleRPC: the agent base class and the request/reply objects handed to actions.
  module RPC
  end
end

require "mcollective/rpc/request"
require "mcollective/rpc/reply"
require "mcollective/rpc/agent"
