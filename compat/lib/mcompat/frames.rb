require "io/wait"

module MCompat
  # Length-prefixed Marshal frames: a 4-byte big-endian length, then Marshal bytes.
  # Only frames written by our Node parent are ever loaded.
  class Frames
    def initialize(input, output)
      @input = input.binmode
      @output = output
      @lock = Mutex.new
      @buffer = +"".b
      @deferred = []
    end

    # Keeps a frame read in the middle of something else (a call Node queued behind the running one, read while
    # that call's agent waited for an answer) for the next `next_frame`.
    def defer(frame)
      @deferred << frame
    end

    # A deferred frame first, else the next one read.
    def next_frame
      @deferred.empty? ? read : @deferred.shift
    end

    # The next frame, or nil when the parent closed the pipe.
    def read
      return nil unless fill(4)

      size = @buffer.unpack1("N")
      return nil unless fill(4 + size)

      body = @buffer.byteslice(4, size)
      @buffer = @buffer.byteslice(4 + size, @buffer.bytesize)
      Marshal.load(body) # rubocop:disable Security/MarshalLoad -- built by our Node parent, never network bytes
    end

    # True once a frame (or the end of input) is waiting, false when `seconds` pass first.
    def waiting?(seconds)
      !@deferred.empty? || !@buffer.empty? || !@input.wait_readable(seconds).nil?
    end

    def close
      [@input, @output].uniq.each(&:close)
    end

    # Buffers at least `bytes`, reading whatever is waiting (a whole frame in one system call); false at end of input.
    def fill(bytes)
      @buffer << @input.readpartial(65_536) while @buffer.bytesize < bytes
      true
    rescue EOFError
      false
    end

    def write(value)
      body = Marshal.dump(value)
      @lock.synchronize do
        @output.write([body.bytesize].pack("N"), body)
        @output.flush
      end
    end
  end
end
