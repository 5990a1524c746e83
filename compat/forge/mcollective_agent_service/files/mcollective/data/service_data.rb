module MCollective
  module Data
    # service('cron').status for -S filters.
    class Service_data < Base
      activate_when { PluginManager.include?("service_agent") }

      query do |service|
        result[:status] = Agent::Service.do_service_action("status", service)
      rescue StandardError => e
        Log.warn("Could not get status for service #{service}: #{e}")
      end
    end
  end
end
