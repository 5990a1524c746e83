require "socket"
require "mcompat/frames"
require "mcompat/worker"

module MCompat
  # The preloaded parent of every Ruby worker: it loads the compat layer, the agents and the libraries they share
  # (Puppet), then forks a worker whenever Node asks. A worker starts in milliseconds and shares those pages with
  # its siblings instead of paying for its own copy.
  class Parent
    def initialize(frames)
      @frames = frames
      @worker = Worker.new(frames)
    end

    def run
      init = @frames.read
      return if init.nil?

      @worker.prepare(init)
      preload(init[:preload] || [])
      settle_heap
      while (frame = @frames.read)
        case frame[:op]
        when :fork then fork_worker(frame[:socket], frame[:token])
        when :stop then break
        end
      end
    end

    private

    def preload(libraries)
      libraries.each do |library|
        require library
      rescue StandardError, ScriptError => e
        MCollective::Log.debug("Not preloading #{library}: #{e.class}: #{e.message}")
      end
    end

    # Marks and compacts once before any fork, so the GC of one worker does not write to (and copy) shared pages.
    def settle_heap
      GC.start(full_mark: true, immediate_sweep: true)
      GC.compact if GC.respond_to?(:compact)
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
