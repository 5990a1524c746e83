module MCollective
  module DDL
    # Discovery method DDLs: which filter kinds the method can honour.
    class DiscoveryDDL < Base
      CAPABILITIES = %i[classes facts identity agents compound].freeze

      def discovery_interface
        @entities[:discovery]
      end

      def discovery
        raise("Discovery plugins can only have one definition") if @entities[:discovery]

        @entities[:discovery] = { capabilities: [] }
        @current_entity = :discovery
        yield if block_given?
        @current_entity = nil
      end

      def capabilities(*caps)
        caps = caps.flatten
        raise("Discovery plugin capabilities can't be empty") if caps.empty?

        caps.each do |cap|
          unless CAPABILITIES.include?(cap)
            raise("#{cap} is not a valid capability, valid capabilities are :classes, :facts, :identity, :agents and :compound")
          end

          @entities[:discovery][:capabilities] << cap
        end
      end
    end
  end
end
