module MCompat
  # Agent reply data as JSON would carry it (what Choria's shim sent): string keys, symbols and
  # other objects as strings, strings valid UTF-8, no non-finite floats.
  module Plain
    def self.convert(value)
      case value
      when Hash then value.each_with_object({}) { |(k, v), out| out[k.is_a?(String) ? k : k.to_s] = convert(v) }
      when Array then value.map { |v| convert(v) }
      when String then utf8(value)
      when Integer, true, false, nil then value
      when Float then value.finite? ? value : nil
      when Symbol then value.to_s
      else value.respond_to?(:to_hash) ? convert(value.to_hash) : convert(value.to_s)
      end
    end

    def self.utf8(text)
      raw = [Encoding::UTF_8, Encoding::BINARY, Encoding::US_ASCII].include?(text.encoding)
      # String.new, not dup: a String subclass would reach Node as a type the frames refuse.
      (raw ? String.new(text).force_encoding(Encoding::UTF_8) : text.encode(Encoding::UTF_8, invalid: :replace, undef: :replace)).scrub
    end
  end
end
