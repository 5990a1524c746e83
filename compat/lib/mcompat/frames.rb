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
      # Frames read and not yet taken, in the order they came; @reading guards them and the input.
      @held = []
      @reading = Mutex.new
    end

    # From now on `signal` makes this process drop the calls it holds and has not started (Node sent them ahead
    # behind a call that turned out slow, and runs them elsewhere), then tell `dropped` their ids. A thread does
    # it, as a trap handler may not lock, and the running call goes on meanwhile.
    def drop_held_calls_on(signal, &dropped)
      Signal.trap(signal) do
        Thread.new do
          ids = drop_held_calls
          dropped.call(ids) unless ids.empty?
        end
      end
    end

    # The next frame, held ones first; nil when the parent closed the connection.
    def next_frame
      @reading.synchronize { @held.empty? ? read_input : @held.shift }
    end

    # The next frame that is not a call (an answer to the running agent's own request, which has a "type"); calls
    # read meanwhile (Node sent them ahead) keep their turn for `next_frame`. Nil when the connection closed.
    def next_answer
      @reading.synchronize do
        at = @held.index { |frame| frame.include?("type") }
        return @held.delete_at(at) if at

        while (frame = read_input)
          return frame if frame.include?("type")

          @held << frame
        end
      end
    end

    # True once a frame (or the end of input) is waiting, false when `seconds` pass first.
    def waiting?(seconds)
      !@held.empty? || !@buffer.empty? || !@input.wait_readable(seconds).nil?
    end

    def close
      [@input, @output].uniq.each(&:close)
    end

    def write(value)
      body = Marshal.dump(value)
      @lock.synchronize do
        @output.write([body.bytesize].pack("N"), body)
        @output.flush
      end
    end

    private

    # Reads until a whole frame is buffered (what is waiting, in one system call each time); nil at end of input.
    def read_input
      loop do
        frame = buffered_frame
        return frame if frame

        @buffer << @input.readpartial(65_536)
      end
    rescue EOFError
      nil
    end

    # The first frame in the buffer, taken out of it, or nil while it is not whole.
    def buffered_frame
      return nil if @buffer.bytesize < 4

      size = @buffer.unpack1("N")
      return nil if @buffer.bytesize < 4 + size

      body = @buffer.byteslice(4, size)
      @buffer = @buffer.byteslice(4 + size, @buffer.bytesize)
      Marshal.load(body) # rubocop:disable Security/MarshalLoad -- built by our Node parent, never network bytes
    end

    # Takes in every frame already sent, then drops the held calls; returns their ids.
    def drop_held_calls
      @reading.synchronize do
        loop { @buffer << @input.read_nonblock(65_536) }
      rescue IO::WaitReadable, EOFError
        while (frame = buffered_frame)
          @held << frame
        end
        dropped, @held = @held.partition { |frame| %i[call data].include?(frame[:op]) }
        dropped.map { |frame| frame[:id] }
      end
    end
  end
end
