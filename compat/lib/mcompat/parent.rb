require "socket"
require "mcompat/frames"
require "mcompat/memory"
require "mcompat/worker"

module MCompat
  # Puppet's settings as the preload set them up, given back to the first agent in a process that sets them up
  # itself without asking whether they are: under mcollectived its call would have been the first, so it is not
  # refused as a second one, and its own arguments (a confdir, a config file) take effect.
  module PreloadedPuppetSettings
    def initialize_global_settings(*args)
      unless @mcompat_claimed
        @mcompat_claimed = true
        clear_everything_for_tests
      end
      super
    end
  end

  # The preloaded parent of every Ruby worker: it loads the compat layer, the agents and the libraries they share
  # (Puppet), then forks a worker whenever Node asks. A worker starts in milliseconds and shares those pages with
  # its siblings instead of paying for its own copy.
  class Parent
    def initialize(frames)
      @frames = frames
      @worker = Worker.new(frames)
    end

    def run
      init = @frames.next_frame
      return if init.nil?

      @worker.prepare(init)
      preload(init[:preload] || [])
      settle_heap
      @frames.write("type" => "preloaded")
      while (frame = @frames.next_frame)
        case frame[:op]
        when :fork then fork_worker(frame[:socket], frame[:token])
        when :stop then break
        end
      end
    end

    private

    # Each entry is a library to require, or the name of one of the warm-ups below.
    def preload(entries)
      entries.each do |entry|
        entry == "puppet_settings" ? warm_puppet_settings : require(entry)
      rescue StandardError, ScriptError => e
        MCollective::Log.debug("Not preloading #{entry}: #{e.class}: #{e.message}")
      end
    end

    # What a Puppet-backed agent does on its first call, done once for every worker (about 20 MB each): Puppet's
    # settings in agent run mode, from plugin.puppet.config when set, and the package and service types.
    def warm_puppet_settings
      require "puppet"
      settings = ::Puppet.settings
      unless settings.app_defaults_initialized?
        configfile = MCollective::Config.instance.pluginconf["puppet.config"]
        settings.preferred_run_mode = :agent
        settings.initialize_global_settings(configfile ? ["--config=#{configfile}"] : [])
        settings.initialize_app_defaults(::Puppet::Settings.app_defaults_for_run_mode(::Puppet.run_mode))
        settings.singleton_class.prepend(PreloadedPuppetSettings)
      end
      # Choosing the default provider loads every provider and checks what each needs (~9 MB written per worker).
      %i[package service].each do |type|
        ::Puppet::Type.type(type).defaultprovider
      rescue StandardError => e
        MCollective::Log.debug("No default #{type} provider to preload: #{e.class}: #{e.message}")
      end
    end

    # Before any fork: compact the heap, then age every object to old (three GCs survived), so a worker's GC
    # neither moves nor promotes the shared objects and leaves their pages shared; then return the free malloc
    # pages, which no worker should inherit (Ruby 3.3's Process.warmup).
    def settle_heap
      GC.compact if GC.respond_to?(:compact)
      4.times { GC.start(full_mark: true, immediate_sweep: true) }
      Memory::TRIM&.call(0)
    rescue NotImplementedError
      nil
    end

    # The worker connects back to Node's socket and names itself with the token Node gave for this fork.
    def fork_worker(path, token)
      pid = Process.fork do
        # Its own process group, so a kill also reaches the commands its agent started.
        Process.setsid
        @frames.close
        frames = Frames.new(*[UNIXSocket.new(path)] * 2)
        @worker.frames = frames
        frames.write("type" => "hello", "token" => token, "pid" => Process.pid)
        @worker.serve
        exit!(0)
      rescue SystemExit => e
        exit!(e.status)
      rescue Exception # rubocop:disable Lint/RescueException -- a worker must never return into the parent's loop
        exit!(1)
      end
      @frames.write("type" => "forked", "token" => token, "pid" => pid)
      Thread.new { report_exit(pid) }
    end

    def report_exit(pid)
      _, status = Process.wait2(pid)
      @frames.write("type" => "exited", "pid" => pid, "code" => status.exitstatus,
                    "signal" => status.termsig && Signal.signame(status.termsig))
    end
  end
end
