/// The C allocator's settings for tensor work. By default glibc serves blocks above 128 KiB
/// (its mmap threshold, which grows to at most 32 MiB) with fresh mappings and gives freed
/// memory at the top of the heap back to the system at once, so a training step that frees
/// and reallocates the same tens of megabytes every batch pays again for zeroed pages (page
/// faults and kernel page clearing, about a fifth of a convnet's training time here). Serving
/// them from the heap and keeping a pad of freed memory at its top lets them be reused, as
/// TensorFlow's and PyTorch's caching allocators reuse theirs; the peak stays the same because
/// every batch asks for the same sizes again.

import CMalloc

public enum Allocator {
    /// Blocks up to this size come from the heap.
    public static let mmapThreshold: Int32 = 256 << 20
    /// Freed memory kept at the top of the heap before any is returned to the system.
    public static let topPad: Int32 = 64 << 20

    /// Applies the settings above; call once at start-up, before the work begins.
    public static func keepFreedTensorMemory() {
        _ = mallopt(M_MMAP_THRESHOLD, mmapThreshold)
        _ = mallopt(M_TOP_PAD, topPad)
    }
}
