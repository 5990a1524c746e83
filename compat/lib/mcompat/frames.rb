module MCompat
  # Length-prefixed Marshal frames: a 4-byte big-endian length, then Marshal bytes.
  # Only frames written by our Node parent are ever loaded.
  class Frames
    def initialize(input, output)
      @input = input
      @output = output
      @lock = Mutex.new
    end

    # The next frame, or nil when the parent closed the pipe.
    def read
      header = @input.read(4)
      return nil if header.nil? || header.bytesize < 4

      body = @input.read(header.unpack1("N"))
      body && Marshal.load(body) # rubocop:disable Security/MarshalLoad -- built by our Node parent, never network bytes
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
  end
end
