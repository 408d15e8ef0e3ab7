/// LLVM's prefetch intrinsic (the kernel's `prefetch()` / `prefetchw()`):
/// asks the CPU to bring a cache line in while the engine works on an
/// earlier page. A hint only: it changes no state and never faults.
@usableFromInline @_silgen_name("llvm.prefetch.p0")
func llvmPrefetch(_ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ cache: Int32)

/// Prefetches the line holding `address` for writing, kept in every cache
/// level. Public for the workload driver's own look-ahead.
@inlinable @inline(__always) public func prefetchForWrite(_ address: UnsafeRawPointer) {
    llvmPrefetch(address, 1, 3, 1)
}
