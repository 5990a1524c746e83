require "mcompat/frames"
require "mcompat/plain"
require "mcompat/memory"
require "mcompat/application_host"

module MCompat
  # Loads the agents once (in the parent), then, in each forked worker, answers call frames one at a time.
  # Frames travel on their own file descriptors, so whatever agents print cannot corrupt them.
  class Worker
    def initialize(frames)
      @frames = frames
      @agents = {}
    end

    # Where frames go from now on: a forked worker answers on its own connection, not its parent's pipes.
    attr_writer :frames

    # Configures MCollective from the init frame, loads the agents and tells Node which can serve.
    def prepare(init)
      MCollective::Log.sink = ->(level, message) { @frames.write("type" => "log", "level" => level.to_s, "message" => message) }
      configure(init)
      MCollective::Facts.given(init[:facts])
      MCollective::PluginManager << { type: "facts_plugin", class: "MCollective::Facts::Given" }
      report = load_agents(init[:agents] || [])
      MCollective::Agents.agentlist = @agents.keys.sort
      @frames.write(report.merge("type" => "ready", "pid" => Process.pid, "data_plugins" => data_plugins))
    end

    # Answers call and data frames one at a time until told to stop or the connection closes.
    def serve
      # Node takes back the calls it sent ahead behind one that turned out slow, to run them elsewhere.
      @frames.drop_held_calls_on("URG") { |ids| @frames.write("type" => "recalled", "ids" => ids) }
      # An agent's rpcclient calls go to Node on this worker's connection, in the middle of its call.
      MCollective::RPC.host = ApplicationHost.new(@frames)
      while (frame = next_frame)
        MCollective::Facts.given(frame[:facts]) if frame.include?(:facts)
        break if frame[:op] == :stop

        reply = expired?(frame) ? { "type" => "reply", "id" => frame[:id], "expired" => true } : answer(frame)
        @frames.write(reply) if reply
      end
    end

    private

    # How long a worker waits for its next call before giving back what its last calls left behind.
    IDLE_RELEASE_SECONDS = 1
    # A call this slow (Puppet, a package manager) is followed by a release at once: its few milliseconds are
    # nothing beside the call, and a worker kept busy would otherwise hold the call's garbage until it idles.
    SLOW_CALL_SECONDS = 0.1

    # The next frame; a worker that served calls releases their garbage first, off the clock, after a slow call
    # or once it sits idle.
    def next_frame
      if @serving_since
        slow = Process.clock_gettime(Process::CLOCK_MONOTONIC) - @serving_since >= SLOW_CALL_SECONDS
        if slow || !@frames.waiting?(IDLE_RELEASE_SECONDS)
          Memory.release
          @serving_since = nil
        end
      end
      frame = @frames.next_frame
      @serving_since = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      frame
    end

    def answer(frame)
      case frame[:op]
      when :call then serve_call(frame)
      when :data then query_data(frame)
      end
    end

    # A call that waited behind another past its deadline (wall-clock ms, Node's clock) is not run: its caller has
    # stopped waiting, and Node answers it.
    def expired?(frame)
      frame.include?(:expires) && Process.clock_gettime(Process::CLOCK_REALTIME, :millisecond) >= frame[:expires]
    end

    def configure(init)
      config = MCollective::Config.instance
      config.load_pairs(init[:config] || {}, init[:configfile])
      config.mode = :server
    end

    def load_agents(agents)
      loaded = []
      failed = []
      agents.each do |spec|
        # Said before each load, so that Node can name the agent if loading blocks past the start deadline.
        @frames.write("type" => "loading", "agent" => spec[:agent])
        reason = load_agent(spec[:agent], spec[:rb], spec[:ddl])
        if reason
          MCollective::Log.warn("Agent #{spec[:agent]} cannot be served: #{reason}")
          failed << { "agent" => spec[:agent], "reason" => reason }
        else
          loaded << { "agent" => spec[:agent], "rb" => spec[:rb], "ddl" => spec[:ddl] }
        end
      end
      { "loaded" => loaded, "failed" => failed }
    end

    # Loads one agent; returns nil when it can serve, else the reason it cannot.
    def load_agent(name, rb_file, ddl_file)
      libdir = rb_file[%r{\A(.*)/mcollective/agent/[^/]+\.rb\z}, 1]
      $LOAD_PATH.unshift(libdir) if libdir && !$LOAD_PATH.include?(libdir)
      MCollective::DDL.register(name, :agent, ddl_file)
      MCollective::DDL.new(name, :agent)
      load(rb_file)
      klass_name = name.capitalize
      return "#{rb_file} does not define MCollective::Agent::#{klass_name}" unless MCollective::Agent.const_defined?(klass_name, false)

      klass = MCollective::Agent.const_get(klass_name, false)
      return "MCollective::Agent::#{klass_name} is not an RPC agent" unless klass.is_a?(Class) && klass < MCollective::RPC::Agent
      return "activate_when / activate_agent says it should not run on this node" unless klass.activate?

      @agents[name] = klass
      MCollective::PluginManager.delete("#{name}_agent")
      MCollective::PluginManager << { type: "#{name}_agent", class: klass.to_s, single_instance: false }
      nil
    rescue Exception => e # rubocop:disable Lint/RescueException -- a broken agent file must not stop the others
      "#{e.class}: #{e.message.lines.first.to_s.strip}"
    end

    # The data plugins of every libdir whose activate_when agrees (package, service, puppet, ...).
    def data_plugins
      MCollective::Data.load_data_sources
      MCollective::PluginManager.grep(/_data\z/).map { |name| name.delete_suffix("_data") }.sort
    rescue StandardError, LoadError, SyntaxError => e
      MCollective::Log.warn("Could not load data plugins: #{e.class}: #{e}")
      []
    end

    def query_data(frame)
      result = MCollective::Data[frame[:plugin]].lookup(frame[:query])
      { "type" => "reply", "id" => frame[:id], "ok" => true, "data" => Plain.convert(result.to_hash) }
    rescue Exception => e # rubocop:disable Lint/RescueException -- answer every query, whatever the plugin did
      raise if e.is_a?(SignalException)

      { "type" => "reply", "id" => frame[:id], "ok" => false, "error" => "#{e.class}: #{e}" }
    end

    def serve_call(frame)
      reply = dispatch(frame)
      { "type" => "reply", "id" => frame[:id] }.merge(Plain.convert(reply))
    end

    def dispatch(frame)
      klass = @agents[frame[:agent]]
      return failure(5, "Agent #{frame[:agent]} is not loaded in this worker") unless klass

      agent = klass.new
      reply = agent.handlemsg(message(frame), nil)
      reply || { statuscode: 0, statusmsg: "OK", data: {} }
    rescue Exception => e # rubocop:disable Lint/RescueException -- answer every request, whatever the agent did
      raise if e.is_a?(SignalException)

      MCollective::Log.error("#{frame[:agent]}##{frame[:action]} failed: #{e.class}: #{e}")
      failure(5, "#{e.class}: #{e}")
    end

    def message(frame)
      { msgtime: frame[:msgtime], senderid: frame[:sender], requestid: frame[:requestid], callerid: frame[:caller],
        collective: frame[:collective], agent: frame[:agent],
        body: { agent: frame[:agent], action: frame[:action], data: frame[:data] || {}, caller: frame[:caller] } }
    end

    def failure(code, message)
      { statuscode: code, statusmsg: message, data: {} }
    end
  end
end
