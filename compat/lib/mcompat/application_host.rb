require "mcompat/frames"
require "mcompat/plain"

module MCompat
  # Serves an `mco` application's RPC clients from the Node `mco` that started this process: each request is
  # one frame to Node, answered by one final frame. Text Node prints for the application (progress, discovery
  # lines, warnings) arrives as "out" frames and is written here, so it lands in order with the application's own.
  class ApplicationHost
    def initialize(frames)
      @frames = frames
    end

    # Sends `frame`; yields each "result" frame of a call; returns the final answer (raises a failure as its class).
    def request(frame)
      $stdout.flush
      $stderr.flush
      # As JSON would carry it: whatever the application put in its arguments or results reaches Node readable.
      @frames.write(Plain.convert(frame))
      loop do
        answer = @frames.next_answer || raise("mco closed the application's channel")
        case answer["type"]
        when "out" then (answer["stream"] == "stderr" ? $stderr : $stdout).write(answer["text"])
        when "result" then yield(answer) if block_given?
        when "error" then raise(error_class(answer["class"]), answer["message"])
        else return answer
        end
      end
    end

    # The text of a request Node answers with {"type" => "text"}.
    def text(frame)
      request(frame)["text"]
    end

    # Writes Log records at or above `loglevel` to stderr, as the console logger of mco did.
    def self.console_log(loglevel)
      threshold = MCollective::Log::LEVELS.index(loglevel.to_sym) || 1
      lambda do |level, message|
        next if MCollective::Log::LEVELS.index(level) < threshold

        $stderr.puts("#{level} #{Time.now.strftime('%Y/%m/%d %H:%M:%S')}: #{message}")
      end
    end

    private

    def error_class(name)
      klass = name.to_s.split("::").reject(&:empty?).inject(Object) { |scope, part| scope.const_get(part, false) }
      klass.is_a?(Class) && klass <= StandardError ? klass : RuntimeError
    rescue NameError
      RuntimeError
    end
  end
end
