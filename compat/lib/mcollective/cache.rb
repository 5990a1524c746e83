module MCollective
  # Named in-process caches with per-entry TTL (DDL.new caches parsed DDLs here, as mcollectived did).
  module Cache
    @caches = {}
    @lock = Monitor.new

    class << self
      def setup(name, ttl = 300)
        @lock.synchronize { @caches[name] ||= { ttl: ttl, items: {} } }
        true
      end

      def has_cache?(name)
        @caches.include?(name)
      end

      def delete!(name)
        @lock.synchronize { @caches.delete(name) }
      end

      # Runs the block holding the named cache's lock (a Monitor, so the block may use the cache itself).
      def synchronize(name)
        raise("No cache called '#{name}'") unless has_cache?(name)
        raise("No block supplied to synchronize") unless block_given?

        @lock.synchronize { yield }
      end

      def write(name, key, value)
        @lock.synchronize { @caches.fetch(name)[:items][key] = { value: value, at: Time.now } }
        value
      end

      def read(name, key)
        item = @lock.synchronize { @caches.fetch(name)[:items][key] }
        raise("Cache expired on '#{name}' key '#{key}'") unless item && Time.now - item[:at] < @caches[name][:ttl]

        item[:value]
      end

      def ttl(name, key)
        item = @caches.fetch(name)[:items].fetch(key)
        @caches[name][:ttl] - (Time.now - item[:at])
      end

      def invalidate!(name, key)
        @lock.synchronize { @caches.fetch(name)[:items].delete(key) }
      end
    end
  end
end
