MCollective::PluginManager.loadclass("MCollective::Util::Package::Base") unless defined?(MCollective::Util::Package::Base)

module MCollective
  module Agent
    # Manages operating system packages through Puppet's resource layer or the native package manager.
    class Package < RPC::Agent
      %w[install update uninstall purge status search].each do |act|
        action act do
          Package.do_pkg_action(request[:package], act.to_sym, reply, request[:version])
        end
      end

      %w[count md5 refresh apt_update checkupdates yum_checkupdates apt_checkupdates].each do |act|
        action act do
          Package.helpers_result(Package.helpers.send(act), reply)
        end
      end

      action "yum_clean" do
        mode = request[:mode] || config.pluginconf.fetch("package.yum_clean_mode", "all")
        Package.helpers_result(Package.helpers.yum_clean(mode), reply)
      end

      # Runs a provider action and copies its result into reply (a Reply or a plain Hash, as the data plugin passes).
      def self.do_pkg_action(package, action, reply, version = nil)
        provider = provider_class.new(package, provider_options(action, version))
        return copy_properties(provider.status, reply) if action == :status

        if action == :search
          found = provider.search
          reply[:package_count] = found[:package_count]
          reply[:available_packages] = found[:available_packages]
          return
        end

        result = provider.send(action)
        copy_properties(result[:status], reply) if result[:status]
        raise(result[:msg]) if result[:msg]

        reply[:output] = result[:output].to_s if result[:output]
      end

      def self.copy_properties(properties, reply)
        properties.each { |key, value| reply[key] = value.is_a?(Array) || value.is_a?(Hash) ? value : value.to_s }
      end

      # plugin.package.provider, else Puppet when its library loads, else the native package manager.
      def self.provider_name
        configured = Config.instance.pluginconf["package.provider"]
        return configured.downcase if configured && !configured.empty?

        Util::Package::Base.puppet_available? ? "puppet" : Util::Package::Base.native_provider
      end

      def self.provider_class
        name = provider_name
        klass = "#{name.capitalize}Package"
        Util::Package::Base.load_provider(klass)
      rescue LoadError, NameError => e
        raise("Cannot load package provider class '#{klass}': #{e}")
      end

      # Every plugin.package.<provider>.<param> setting, plus :ensure for a requested version.
      def self.provider_options(action, version)
        options = {}
        name = provider_name
        Config.instance.pluginconf.each do |key, value|
          options[key.split(".").last.to_sym] = value if key =~ /^package\.#{Regexp.escape(name)}\./
        end
        options[:ensure] = version if action == :install && version
        options
      end

      def self.helpers
        Util::Package::Base.load_provider("PackageHelpers")
      end

      def self.helpers_result(result, reply)
        [:exitcode, :output, :outdated_packages, :package_manager].each do |key|
          reply[key] = result[key] if result.include?(key)
        end
      end
    end
  end
end
