module MCollective
  module RPC
    # Base class of SimpleRPC agents: `action "name" do ... end`, hooks, and handlemsg, which turns a
    # request into a reply and maps each exception class onto its statuscode.
    class Agent
      attr_accessor :reply, :request, :agent_name
      attr_reader :timeout, :meta, :ddl, :logger, :config

      def initialize
        @agent_name = self.class.to_s.split("::").last.downcase
        load_ddl
        @logger = Log.instance
        @config = Config.instance
        startup_hook
      end

      def load_ddl
        @ddl = DDL.new(@agent_name, :agent)
        @meta = @ddl.meta
        @timeout = @meta[:timeout] || 10
      rescue StandardError => e
        Log.error("Failed to load DDL for the '#{@agent_name}' agent, DDLs are required: #{e.class}: #{e}")
        raise(DDLValidationError, e.to_s)
      end

      # Runs one request (a hash with :body => {:action, :data, ...}) and returns the reply hash, or
      # nil when the caller asked for no result.
      def handlemsg(msg, connection)
        @request = Request.new(msg, @ddl)
        @reply = Reply.new(@request.action, @ddl)
        begin
          @request.validate!
          refuse_unauthorized!
          authorization_hook(@request) if respond_to?("authorization_hook")
          audit_request(@request, connection)
          before_processing_hook(msg, connection)
          action_method = "#{@request.action}_action"
          raise(UnknownRPCAction, "Unknown action '#{@request.action}' for agent '#{@request.agent}'") unless respond_to?(action_method)

          send(action_method)
        rescue RPCAborted => e
          @reply.fail(e.to_s, 1)
        rescue UnknownRPCAction => e
          @reply.fail(e.to_s, 2)
        rescue MissingRPCData => e
          @reply.fail(e.to_s, 3)
        rescue InvalidRPCData, DDLValidationError => e
          @reply.fail(e.to_s, 4)
        rescue UnknownRPCError => e
          Log.error("#{@agent_name}##{@request.action} failed: #{e.class}: #{e}")
          Log.error(e.backtrace.join("\n\t"))
          @reply.fail(e.to_s, 5)
        rescue Exception => e # rubocop:disable Lint/RescueException -- any agent error becomes statuscode 5
          raise if e.is_a?(SystemExit) || e.is_a?(SignalException) || e.is_a?(NoMemoryError)

          Log.error("#{@agent_name}##{@request.action} failed: #{e.class}: #{e}")
          Log.error(e.backtrace.join("\n\t")) if e.backtrace
          @reply.fail(e.to_s, 5)
        end
        after_processing_hook
        @request.should_respond? ? @reply.to_hash : nil
      end

      class << self
        # Defines the public <name>_action method.
        def action(name, &block)
          raise("Need to pass a body for the action") unless block

          define_method("#{name}_action", &block)
        end

        def activate_when(&block)
          define_singleton_method(:activate?, &block)
        end

        # Activated unless activate_agents is off or plugin.<agent>.activate_agent says no.
        def activate?
          agent_name = to_s.split("::").last.downcase
          config = Config.instance
          should = config.activate_agents
          setting = config.pluginconf["#{agent_name}.activate_agent"]
          should = Util.str_to_bool(setting) if setting
          should
        end

        def actions
          public_instance_methods.map(&:to_s).grep(/_action$/).map { |m| m.sub(/_action$/, "") }
        end

        def metadata(_data)
          Log.warn("Setting metadata in agents has been deprecated, DDL files are now being used for this information.")
        end

        # Node authorizes every request before it reaches Ruby (src/server/authz/), so no Ruby policy plugin is
        # loaded: the agent's wish is only remembered, and its calls are refused when Node does not authorize.
        def authorized_by(plugin)
          @authorization_plugin = plugin.to_s
        end

        attr_reader :authorization_plugin
      end

      private

      # Fails closed when authorization is asked for (server.cfg or authorized_by) but Node's rule in
      # src/server/authz/index.ts (rpcauthorization with the action_policy provider) did not run.
      def refuse_unauthorized!
        wanted = @config.rpcauthorization ? @config.rpcauthprovider.to_s : self.class.authorization_plugin
        return if wanted.nil? || (@config.rpcauthorization && wanted.match?(/\Aaction_?policy\z/i))

        raise(RPCAborted, "#{@agent_name} asks for authorization by '#{wanted}', which mcompat does not run; the server authorizes with rpcauthorization = 1 and rpcauthprovider = action_policy")
      end

      def startup_hook; end

      def before_processing_hook(_msg, _connection); end

      def after_processing_hook; end

      # Auditing happens in Node, before the request reaches Ruby.
      def audit_request(_msg, _connection); end

      # Raises MissingRPCData / InvalidRPCData unless request[key] passes validation.
      def validate(key, validation)
        raise(MissingRPCData, "please supply a #{key} argument") unless @request.include?(key)

        Validator.validate(@request[key], validation)
      rescue ValidatorError => e
        raise(InvalidRPCData, "Input #{key} did not pass validation: #{e}")
      end

      # Runs a command with Shell; :stdout/:stderr may name reply keys (Symbols) or be buffers.
      def run(command, options = {})
        shellopts = {}
        [:stdout, :stderr].each do |io|
          next unless options.include?(io)

          target = options[io]
          if target.is_a?(Symbol)
            reply[target] = +""
            shellopts[io] = reply[target]
          elsif target.respond_to?("<<")
            shellopts[io] = target
          else
            reply.fail!("#{io} should support << while calling run(#{command})")
          end
        end
        [:stdin, :cwd, :environment, :timeout].each { |opt| shellopts[opt] = options[opt] if options.include?(opt) }
        shell = Shell.new(command, shellopts)
        shell.runcommand
        if options[:chomp]
          shellopts[:stdout]&.chomp!
          shellopts[:stderr]&.chomp!
        end
        shell.status.exitstatus
      rescue RPCError
        raise
      rescue StandardError => e
        Log.warn("Could not run #{command}: #{e}")
        -1
      end

      def shellescape(str)
        Util.shellescape(str)
      end

      # Legacy agents delegating to an external program: run it with request/reply JSON files.
      def implemented_by(command, _type = :json)
        runner = ActionRunner.new(command, request, :json)
        res = runner.run
        reply.fail!("Did not receive data from #{command}") unless res.include?(:data)
        reply.fail!("Reply data from #{command} is not a Hash") unless res[:data].is_a?(Hash)
        reply.data.merge!(res[:data])
        reply.fail("Failed to run #{command}: #{res[:stderr]}", res[:exitstatus]) if res[:exitstatus].positive?
      end
    end

    # Runs an implemented_by program: `cmd <request.json> <reply.json>` in a temporary directory.
    class ActionRunner
      def initialize(command, request, _format)
        @command = path_to_command(command, request.agent)
        @request = request
      end

      def run
        Dir.mktmpdir("mcollective") do |dir|
          request_file = File.join(dir, "request.json")
          reply_file = File.join(dir, "reply.json")
          File.write(request_file, JSON.dump(agent: @request.agent, action: @request.action, data: @request.data,
                                             sender: @request.sender, callerid: @request.caller, uniqid: @request.uniqid))
          stdout = +""
          stderr = +""
          env = { "MCOLLECTIVE_REQUEST_FILE" => request_file, "MCOLLECTIVE_REPLY_FILE" => reply_file }
          shell = Shell.new("#{@command} #{request_file} #{reply_file}", cwd: dir, stdout: stdout, stderr: stderr, environment: env)
          status = shell.runcommand
          data = File.exist?(reply_file) ? JSON.parse(File.read(reply_file)).to_h { |k, v| [k.to_sym, v] } : {}
          { stdout: stdout, stderr: stderr, exitstatus: status.exitstatus, data: data }
        end
      end

      private

      def path_to_command(command, agent)
        return command if Util.absolute_path?(command)

        $LOAD_PATH.each do |dir|
          [File.join(dir, "mcollective", "agent", agent, command), File.join(dir, "agent", agent, command)].each do |file|
            return file if File.executable?(file)
          end
        end
        command
      end
    end
  end
end
