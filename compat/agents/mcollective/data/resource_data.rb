module MCollective
  module Data
    # resource('File[/etc/motd]').managed and last run counters for -S filters.
    class Resource_data < Base
      activate_when do
        require "mcollective/util/puppet_agent_mgr"
        true
      end

      query do |resource|
        mgr = Util::PuppetAgentMgr.manager(Config.instance.pluginconf["puppet.config"])
        result[:managed] = mgr.managing_resource?(resource) if resource
        mgr.summary_counters.each { |key, value| result[key] = key == :config_version ? value.to_s : value }
      rescue StandardError => e
        Log.warn("Could not read the Puppet last run summary: #{e}")
      end
    end
  end
end
