module MCollective
  module Util
    module Package
      # Packages through Puppet's resource abstraction layer (the package type and its default provider).
      class PuppetPackage < Base
        def install
          properties = status
          return { status: properties, msg: "Package is already installed" } if !absent?(properties) && !@options[:ensure]

          output = provider.install
          provider.flush
          { output: output, status: status }
        end

        def update
          properties = status
          return { status: properties, msg: "Package is not present on the system" } if absent?(properties)

          { output: provider.update, status: status }
        end

        def uninstall
          properties = status
          return { status: properties, msg: "Package is not present on the system" } if absent?(properties)

          { output: provider.uninstall, status: status }
        end

        def purge
          properties = status
          return { status: properties, msg: "Package is not present on the system" } if properties[:ensure] == :purged

          { output: provider.purge, status: status }
        end

        def status
          provider.properties
        end

        private

        def provider
          @provider ||= begin
            require "puppet"
            ::Puppet::Type.type(:package).new({ name: @package }.merge(@options)).provider
          end
        end
      end
    end
  end
end
