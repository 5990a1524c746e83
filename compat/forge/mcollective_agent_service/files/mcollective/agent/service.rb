MCollective::PluginManager.loadclass("MCollective::Util::Service::Base") unless defined?(MCollective::Util::Service::Base)

module MCollective
  module Agent
    # Starts, stops, restarts and reports services through Puppet's resource layer or systemctl / service.
    class Service < RPC::Agent
      %w[start stop].each do |act|
        action act do
          result = Service.do_service_action(act, request[:service])
          reply[:status] = result[:status]
          reply.fail!(result[:msg]) if result[:msg]
        end
      end

      %w[restart status].each do |act|
        action act do
          reply[:status] = Service.do_service_action(act, request[:service])
        end
      end

      # Runs one action with the configured provider (also used by the service data plugin).
      def self.do_service_action(action, service)
        name = provider_name
        options = {}
        Config.instance.pluginconf.each do |key, value|
          options[key.split(".").last.to_sym] = value if key =~ /^service\.#{Regexp.escape(name)}\./
        end
        Log.debug("Doing '#{action}' for service '#{service}' with provider '#{name}'")
        Util::Service::Base.load_provider("#{name.capitalize}Service").new(service, options).send(action)
      rescue LoadError => e
        raise("Cannot load service provider implementation: #{e}")
      end

      # plugin.service.provider, else Puppet when its library loads, else systemctl or service.
      def self.provider_name
        configured = Config.instance.pluginconf["service.provider"]
        return configured.downcase if configured && !configured.empty?
        return "puppet" if Util::Service::Base.puppet_available?

        File.directory?("/run/systemd/system") ? "systemctl" : "service"
      end
    end
  end
end
