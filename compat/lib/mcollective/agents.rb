module MCollective
  # The agents this server serves (the worker registers what it loaded).
  class Agents
    class << self
      attr_writer :agentlist

      def agentlist
        @agentlist || []
      end

      def include?(agent)
        agentlist.include?(agent.to_s)
      end
    end
  end
end
