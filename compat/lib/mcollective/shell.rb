module MCollective
  # Runs a command with optional stdin, cwd, environment and timeout, appending its output to the
  # given buffers; runcommand returns the Process::Status (agents read status.exitstatus).
  class Shell
    attr_reader :command, :environment, :status, :stdout, :stderr, :stdin, :cwd, :timeout

    def initialize(command, options = {})
      @environment = { "LC_ALL" => "C" }
      @command = command
      @status = nil
      @stdout = ""
      @stderr = ""
      @stdin = nil
      @cwd = Dir.tmpdir
      @timeout = nil
      options.each do |opt, val|
        case opt.to_s
        when "stdout", "stderr"
          raise("#{opt} should support <<") unless val.respond_to?("<<")

          instance_variable_set("@#{opt}", val)
        when "stdin"
          raise("stdin should be a String") unless val.is_a?(String)

          @stdin = val
        when "cwd"
          raise("Directory #{val} does not exist") unless File.directory?(val)

          @cwd = val
        when "environment"
          @environment = val.nil? ? {} : @environment.merge(val.to_h { |k, v| [k.to_s, v.nil? ? nil : v.to_s] })
        when "timeout"
          unless val == :on_thread_exit || (val.is_a?(Integer) && val.positive?)
            raise("timeout should be a positive integer or the symbol :on_thread_exit")
          end

          @timeout = val
        end
      end
    end

    # Runs the command (through sh when it has shell metacharacters) and returns its Process::Status.
    def runcommand
      env = @environment.compact
      unset = @environment.select { |_, v| v.nil? }.keys
      unset.each { |k| env[k] = nil }
      Open3.popen3(env, @command, chdir: @cwd) do |stdin, out, err, wait|
        writer = Thread.new do
          stdin.write(@stdin) if @stdin
        rescue Errno::EPIPE
          nil
        ensure
          stdin.close
        end
        readers = [[out, @stdout], [err, @stderr]].map do |io, buffer|
          Thread.new { io.each_line { |line| buffer << line } }
        end
        limit = @timeout.is_a?(Integer) ? @timeout : nil
        unless wait.join(limit)
          terminate(wait)
          wait.join
        end
        readers.each(&:join)
        writer.join
        @status = wait.value
      end
      @status
    end

    private

    # TERM, two seconds' grace, then KILL. Only the waiter thread reaps the child: a second waitpid here
    # could take its status first and leave the caller without one. The command stays in the worker's
    # process group, so killing an overrunning worker also ends the commands its agent started.
    def terminate(wait)
      ::Process.kill("TERM", wait.pid)
      return if wait.join(2)

      ::Process.kill("KILL", wait.pid)
    rescue Errno::ESRCH
      nil
    end
  end
end
