module MCompat
  # glibc keeps the memory Ruby frees for later mallocs, so a worker stays at its busiest size (a Puppet-backed call
  # leaves ~35 MB behind in each worker) unless told to give the free pages back.
  module Memory
    # Resolved once, in the parent; nil where the C library has no malloc_trim (musl, macOS).
    TRIM = begin
      require "fiddle"
      Fiddle::Function.new(Fiddle::Handle::DEFAULT["malloc_trim"], [Fiddle::TYPE_SIZE_T], Fiddle::TYPE_INT)
    rescue LoadError, StandardError
      nil
    end

    # Frees the young garbage of the last calls, then hands every free page of the malloc arenas back to the kernel.
    def self.release
      GC.start(full_mark: false, immediate_sweep: true)
      TRIM&.call(0)
    end
  end
end
