module MCollective
  # Registration plugins (`registration = <name>`: MCollective::Registration::<Name> in registration/<name>.rb).
  # The server asks #body every `registerinterval` seconds and sends it, signed, to the `registration` agent.
  module Registration
    class Base
      def self.inherited(klass)
        super
        PluginManager.delete("registration_plugin")
        PluginManager << { type: "registration_plugin", class: klass.to_s }
      end

      def config
        Config.instance
      end

      def msg_filter
        { "fact" => [], "cf_class" => [], "agent" => ["registration"], "identity" => [], "compound" => [] }
      end

      def target_collective
        main = config.main_collective
        wanted = config.registration_collective || main
        config.collectives.include?(wanted) ? wanted : main
      end

      def interval
        config.registerinterval
      end

      def body
        raise("#{self.class} does not implement body")
      end
    end
  end
end
