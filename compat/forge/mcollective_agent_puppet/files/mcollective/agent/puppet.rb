module MCollective
  module Agent
    # Manages the life cycle of the Puppet agent: runs, locks, status, last run summary, single resources.
    class Puppet < RPC::Agent
      activate_when do
        require "mcollective/util/puppet_agent_mgr"
        true
      end

      def startup_hook
        configfile = @config.pluginconf.fetch("puppet.config", nil)
        @puppet_command = @config.pluginconf.fetch("puppet.command", Util.windows? ? "puppet.bat agent" : "puppet agent")
        @puppet_service = @config.pluginconf.fetch("puppet.windows_service", "puppet")
        @puppet_splaylimit = Integer(@config.pluginconf.fetch("puppet.splaylimit", 30))
        @puppet_splay = Util.str_to_bool(@config.pluginconf.fetch("puppet.splay", "true"))
        @puppet_agent = Util::PuppetAgentMgr.manager(configfile, @puppet_service)
      end

      action "disable" do
        msg = request.fetch(:message, "Disabled via MCollective by #{request.caller} at #{Time.now.strftime('%F %R')}")
        begin
          @puppet_agent.disable!(msg)
          reply[:status] = "Succesfully locked the Puppet agent: #{msg}"
        rescue StandardError => e
          reply.fail(reply[:status] = "Could not disable Puppet: #{e}")
        end
        reply[:enabled] = @puppet_agent.status[:enabled]
      end

      action "enable" do
        begin
          @puppet_agent.enable!
          reply[:status] = "Succesfully enabled the Puppet agent"
        rescue StandardError => e
          reply.fail(reply[:status] = "Could not enable Puppet: #{e}")
        end
        reply[:enabled] = @puppet_agent.status[:enabled]
      end

      action "last_run_summary" do
        summary = @puppet_agent.load_summary
        reply[:logs] = request[:logs] ? @puppet_agent.last_run_logs : {}
        reply[:type_distribution] = @puppet_agent.managed_resource_type_distribution
        @puppet_agent.summary_counters(summary).each { |key, value| reply[key] = value }
        reply[:summary] = summary
      end

      action "status" do
        reply.data.merge!(@puppet_agent.status)
      end

      action "runonce" do
        if @puppet_agent.disabled?
          message = @puppet_agent.lock_message
          reply.fail!(reply[:summary] = message.empty? ? "Puppet is disabled" : "Puppet is disabled: '#{message}'")
        end

        run_method, options = begin
          @puppet_agent.runonce!(runonce_arguments)
        rescue StandardError => e
          reply.fail!(reply[:summary] = e.to_s)
        end

        case run_method
        when :run_in_foreground
          command = ([@puppet_command] + options).join(" ")
          status = run(command, {})
          reply.fail!(reply[:summary] = "Puppet command '#{command}' had exit code #{status}, expected 0") unless status.zero?

          reply[:summary] = "Started a Puppet run using the '#{command}' command"
        when :signal_running_daemon
          @puppet_agent.signal_running_daemon
          reply[:summary] = "Signalled the running Puppet Daemon"
        else
          reply.fail!(reply[:summary] = "Do not know how to do puppet runs using method #{run_method}")
        end
        reply[:initiated_at] = Time.now.to_i
      end

      action "resource" do
        type = request[:type].to_s.downcase
        name = request[:name]
        check_resource_policy(type, name)
        if @puppet_agent.managing_resource?("#{type}[#{name}]") &&
           !Util.str_to_bool(@config.pluginconf.fetch("puppet.resource_allow_managed_resources", "false"))
          reply.fail!("Puppet is managing the resource '#{type.capitalize}[#{name}]', refusing to create conflicting states")
        end
        apply_resource(type, name)
      end

      private

      def runonce_arguments
        args = { options_only: true }
        args[:noop] = request[:noop] if request.include?(:noop)
        args[:environment] = request[:environment] if request[:environment]
        if request[:server]
          unless Util.str_to_bool(@config.pluginconf.fetch("puppet.allow_server_override", "false"))
            reply.fail!(reply[:summary] = "Passing 'server' option is not allowed in module configuration")
          end
          args[:server] = request[:server]
        end
        args[:tags] = request[:tags].split(",").map(&:strip) if request[:tags]
        args[:skip_tags] = request[:skip_tags].split(",").map(&:strip) if request[:skip_tags]
        args[:ignoreschedules] = request[:ignoreschedules] if request[:ignoreschedules]
        args[:use_cached_catalog] = request[:use_cached_catalog] if request.include?(:use_cached_catalog)
        splay_arguments(args) unless @puppet_agent.daemon_present? && Util.str_to_bool(@config.pluginconf.fetch("puppet.signal_daemon", "true"))
        args
      end

      def splay_arguments(args)
        if request[:force] == true
          args[:splay] = false
        else
          args[:splay] = request.include?(:splay) ? request[:splay] : @puppet_splay
          args[:splaylimit] = request[:splaylimit] || @puppet_splaylimit if args[:splay]
        end
      end

      # Starts the command detached from the worker (a Puppet run outlives the request); 0 when it started.
      def run(command, _options)
        env = command.start_with?("puppet ") ? { "PATH" => "#{ENV.fetch('PATH', '')}:/opt/puppetlabs/bin" } : {}
        pid = ::Process.spawn(env, command, in: File::NULL, out: File::NULL, err: File::NULL, pgroup: true)
        ::Process.detach(pid)
        0
      rescue SystemCallError => e
        Log.warn("Could not start '#{command}': #{e}")
        1
      end

      def check_resource_policy(type, name)
        conf = @config.pluginconf
        whitelist = conf["puppet.resource_type_whitelist"]
        blacklist = conf["puppet.resource_type_blacklist"]
        reply.fail!("You cannot specify both puppet.resource_type_whitelist and puppet.resource_type_blacklist in the config file") if whitelist && blacklist
        if blacklist
          reply.fail!("The #{type} type is listed in the type blacklist") if list(blacklist).include?(type)
        else
          allowed = whitelist.nil? || whitelist == "none" ? [] : list(whitelist)
          reply.fail!("The #{type} type is not listed in the type whitelist") unless allowed.include?(type)
        end
        names_white = conf["puppet.resource_name_whitelist.#{type}"]
        names_black = conf["puppet.resource_name_blacklist.#{type}"]
        reply.fail!("The #{name} name is listed in the name blacklist") if names_black && list(names_black).include?(name)
        reply.fail!("The #{name} name is not listed in the name whitelist") if names_white && !list(names_white).include?(name)
      end

      def list(text)
        text.split(",").map(&:strip)
      end

      def apply_resource(type, name)
        params = request.data.each_with_object({}) { |(k, v), out| out[k.to_sym] = v }
        params.delete(:process_results)
        params.delete(:type)
        environment = params.delete(:environment) || @puppet_agent.environment
        resource = ::Puppet::Type.type(type.to_sym)
        reply.fail!("Unknown resource type #{type}") unless resource

        report = ::Puppet::Transaction::Report.new(:mcollective)
        ::Puppet::Util::Log.newdestination(report)
        env = ::Puppet::Node::Environment.remote(environment)
        catalog = ::Puppet::Resource::Catalog.new("choria", env)
        catalog.add_resource(resource.new(params))
        catalog.apply(report: report)
        ::Puppet::Util::Log.close(report)
        result = report.logs.map(&:to_s).join("\n")
        result = "no output produced" if result.empty?
        status = report.resource_statuses["#{type.capitalize}[#{name}]"]
        reply[:result] = result
        reply[:changed] = status ? status.changed : false
        reply.fail!("Failed to apply #{type.capitalize}[#{name}]: #{result}") if status&.failed
      end
    end
  end
end
