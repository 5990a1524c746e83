module MCollective
  module Data
    # puppet().enabled, .since_lastrun ... for -S filters.
    class Puppet_data < Base
      activate_when do
        require "mcollective/util/puppet_agent_mgr"
        true
      end

      query do |_|
        status = Util::PuppetAgentMgr.manager(Config.instance.pluginconf["puppet.config"]).status
        status.each { |key, value| result[key] = value }
      rescue StandardError => e
        Log.warn("Could not get the Puppet agent status: #{e}")
      end
    end
  end
end
