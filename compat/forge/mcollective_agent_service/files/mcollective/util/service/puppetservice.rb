module MCollective
  module Util
    module Service
      # Services through Puppet's resource abstraction layer (the service type and its default provider).
      class PuppetService < Base
        def start
          msg = nil
          if status == "running"
            msg = "Could not start '#{@service}': Service is already running"
          else
            provider.start
          end
          { status: properties, msg: msg }
        end

        def stop
          msg = nil
          if status == "stopped"
            msg = "Could not stop '#{@service}': Service is already stopped"
          else
            provider.stop
          end
          { status: properties, msg: msg }
        end

        def restart
          provider.restart
          properties
        end

        def status
          provider.status.to_s
        end

        private

        # Status after a change, given the init system a moment to settle.
        def properties
          sleep(0.5)
          status
        end

        def provider
          @provider ||= begin
            require "puppet"
            ::Puppet::Type.type(:service).new({ name: @service }.merge(@options)).provider
          end
        end
      end
    end
  end
end
