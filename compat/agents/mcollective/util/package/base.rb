module MCollective
  module Util
    module Package
      # A package provider: subclasses implement install, update, uninstall, purge, status and search.
      class Base
        attr_accessor :package, :options

        def initialize(package, options = {})
          @package = package
          @options = options
        end

        [:install, :update, :uninstall, :purge, :status, :search].each do |act|
          define_method(act) { raise("error. #{self.class} does not implement ##{act}") }
        end

        # A class of this module, its file loaded on first use: load_provider("AptPackage").
        def self.load_provider(name)
          PluginManager.loadclass("MCollective::Util::Package::#{name}") unless Package.const_defined?(name, false)
          Package.const_get(name, false)
        end

        # True when Puppet's Ruby library loads on this machine (loaded once, on first use).
        def self.puppet_available?
          require "puppet"
          true
        rescue LoadError
          false
        end

        # The native provider for this machine's package manager.
        def self.native_provider
          return "apt" if File.executable?("/usr/bin/apt-get")
          return "yum" if File.executable?("/usr/bin/dnf") || File.executable?("/usr/bin/yum")

          raise("Cannot find a supported package manager (apt-get, dnf or yum) and Puppet is not available")
        end

        private

        # Runs argv without a shell, in the C locale whose output the providers parse; returns [exitstatus, combined output].
        def command(*argv, env: {})
          require "open3"
          out, status = Open3.capture2e({ "LC_ALL" => "C" }.merge(env), *argv)
          [status.exitstatus, out]
        end

        def absent?(properties)
          ["absent", "purged", :absent, :purged].include?(properties[:ensure])
        end
      end
    end
  end
end
