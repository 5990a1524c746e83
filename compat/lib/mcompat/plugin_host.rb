require "mcompat/frames"
require "mcompat/plain"

module MCompat
  # Serves the server's Ruby audit and registration plugins: one frame per request audited, one per registration
  # body wanted, each answered by one reply frame (ids let Node match them).
  class PluginHost
    def initialize(frames)
      @frames = frames
    end

    def run
      init = @frames.next_frame
      return if init.nil?

      MCollective::Log.sink = ->(level, message) { @frames.write("type" => "log", "level" => level.to_s, "message" => message) }
      config = MCollective::Config.instance
      config.load_pairs(init[:config] || {}, init[:configfile])
      config.mode = :server
      while (frame = @frames.next_frame)
        @frames.write(serve(frame))
      end
    end

    private

    def serve(frame)
      value = frame[:op].to_s == "audit" ? audit(frame) : registration_body(frame[:plugin])
      { "type" => "reply", "id" => frame[:id], "ok" => true, "body" => Plain.convert(value) }
    rescue Exception => e # rubocop:disable Lint/RescueException -- a plugin's failure is reported, the host serves on
      raise if e.is_a?(SignalException)

      { "type" => "reply", "id" => frame[:id], "ok" => false, "error" => "#{e.class}: #{e.message.lines.first.to_s.strip}" }
    end

    def audit(frame)
      data = (frame[:data] || {}).each_with_object({}) { |(k, v), out| out[k.to_sym] = v }
      message = { msgtime: frame[:time], senderid: frame[:senderid], requestid: frame[:requestid], callerid: frame[:callerid],
                  body: { agent: frame[:agent], action: frame[:action], data: data } }
      plugin("rpcaudit_plugin", "MCollective::Audit::#{frame[:provider].capitalize}")
        .audit_request(MCollective::RPC::Request.new(message, nil), nil)
      nil
    end

    def registration_body(name)
      plugin("registration_plugin", "MCollective::Registration::#{name.capitalize}").body
    end

    # The plugin of a type, loaded once (its file registers its class when it subclasses the base).
    def plugin(type, klass)
      MCollective::PluginManager.loadclass(klass) unless MCollective::PluginManager.include?(type)
      raise("#{klass.split('::').last.downcase} does not define a #{type.sub('_plugin', '')} plugin class") unless MCollective::PluginManager.include?(type)

      MCollective::PluginManager[type]
    end
  end
end
