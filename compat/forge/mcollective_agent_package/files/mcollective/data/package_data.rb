module MCollective
  module Data
    # package('bash').status / .installed for -S filters.
    class Package_data < Base
      activate_when { PluginManager.include?("package_agent") }

      query do |package|
        status = {}
        begin
          Agent::Package.do_pkg_action(package, :status, status)
          result[:status] = status[:ensure] if status[:ensure]
          result[:installed] = !["absent", "purged"].include?(status[:ensure].to_s)
        rescue StandardError => e
          Log.warn("Could not get status for package #{package}: #{e}")
        end
      end
    end
  end
end
