module MCollective
  module Util
    module Service
      # A service provider: start and stop return {:status, :msg}; restart and status return the status string.
      class Base
        attr_accessor :service, :options

        def initialize(service, options = {})
          @service = service
          @options = options
        end

        [:start, :stop, :restart, :status].each do |act|
          define_method(act) { raise("error. #{self.class} Does not implement ##{act}") }
        end

        # A class of this module, its file loaded on first use: load_provider("PuppetService").
        def self.load_provider(name)
          PluginManager.loadclass("MCollective::Util::Service::#{name.downcase}") unless Service.const_defined?(name, false)
          Service.const_get(name, false)
        end

        def self.puppet_available?
          require "puppet"
          true
        rescue LoadError
          false
        end
      end

      # Shared flow of providers driven by a command line: `<command> start|stop|restart|status`.
      class CommandService < Base
        def start
          return { status: "running", msg: "Could not start '#{@service}': Service is already running" } if status == "running"

          code, out = run("start")
          { status: status, msg: code.zero? ? nil : "Could not start '#{@service}': #{out.strip}" }
        end

        def stop
          return { status: "stopped", msg: "Could not stop '#{@service}': Service is already stopped" } if status == "stopped"

          code, out = run("stop")
          { status: status, msg: code.zero? ? nil : "Could not stop '#{@service}': #{out.strip}" }
        end

        def restart
          code, out = run("restart")
          raise("Could not restart '#{@service}': #{out.strip}") unless code.zero?

          status
        end

        def status
          run("status").first.zero? ? "running" : "stopped"
        end

        private

        def run(command)
          out = +""
          status = Shell.new(command_line(command), stdout: out, stderr: out).runcommand
          [status.exitstatus, out]
        end
      end
    end
  end
end
