//! The wasm heap: one free list per power-of-two size class, blocks carved from the end of
//! linear memory, which grows by whole 64 KiB pages. It replaces the standard library's
//! dlmalloc (about 5 KB of code) with a few hundred bytes.
//!
//! ```text
//! alloc(size, align):  n = next_pow2(max(size, align, 8)), class = log2 n
//!                      free[class] non-empty and align <= 16 → pop it
//!                      else carve n bytes at top (aligned to max(min(n, 16), align)),
//!                           growing memory when top + n passes the end
//! dealloc(p, layout):  push p on free[class(layout)] (the list link lives in the block)
//! realloc:             same class → same block; else alloc, copy, dealloc
//! ```
//!
//! No coalescing and no return of memory: a block at most doubles its request, and freed blocks
//! are reused by the next request of their class. The SDK's allocations are small and repeat
//! (requests, responses, tokens, 3072-bit numbers), so the heap settles after the first calls.
//! The logic is generic over how memory grows, so `cargo test` runs it against a plain buffer.

use core::alloc::Layout;

const PAGE: usize = 65536;
/// Largest class: 2^31 bytes (more than a 32-bit address space can hand out anyway).
const CLASSES: usize = 32;

/// Size class and block size of a layout, or `None` when no block can hold it.
fn class_of(layout: &Layout) -> Option<(usize, usize)> {
    let want = layout.size().max(layout.align()).max(8);
    if want > 1 << (CLASSES - 1) {
        return None;
    }
    let n = want.next_power_of_two();
    Some((n.trailing_zeros() as usize, n))
}

pub struct Heap<G: FnMut(usize) -> usize> {
    /// Head of each class's free list (0: empty).
    free: [usize; CLASSES],
    top: usize,
    end: usize,
    /// Address of page 0.
    base: usize,
    /// Grows memory by `pages`; returns the previous size in pages, or `usize::MAX` on failure
    /// (the contract of `memory.grow`).
    grow: G,
}

impl<G: FnMut(usize) -> usize> Heap<G> {
    pub const fn new(base: usize, grow: G) -> Self {
        Heap { free: [0; CLASSES], top: 0, end: 0, base, grow }
    }

    /// # Safety
    /// The memory handed out by `grow` must be valid, unused and writable.
    pub unsafe fn alloc(&mut self, layout: Layout) -> *mut u8 {
        let Some((class, n)) = class_of(&layout) else { return core::ptr::null_mut() };
        let head = self.free[class];
        if head != 0 && layout.align() <= 16 {
            // SAFETY: a freed block of this class holds the next link in its first word.
            self.free[class] = unsafe { *(head as *const usize) };
            return head as *mut u8;
        }
        let align = n.min(16).max(layout.align());
        let mut at = (self.top + align - 1) & !(align - 1);
        if at + n > self.end || at < self.top {
            let pages = (n + align).div_ceil(PAGE).max(1);
            let prev = (self.grow)(pages);
            if prev == usize::MAX {
                return core::ptr::null_mut();
            }
            let start = self.base + prev * PAGE;
            if start != self.end {
                // Not contiguous with our region (first call, or memory grown by someone else).
                self.top = start;
            }
            self.end = start + pages * PAGE;
            at = (self.top + align - 1) & !(align - 1);
        }
        self.top = at + n;
        at as *mut u8
    }

    /// # Safety
    /// `ptr` must come from `alloc` of this heap with the same `layout`, and not be used again.
    pub unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
        if let Some((class, _)) = class_of(&layout) {
            // SAFETY: the block is ours again and at least 8 bytes, aligned for a usize.
            unsafe { *(ptr as *mut usize) = self.free[class] };
            self.free[class] = ptr as usize;
        }
    }

    /// # Safety
    /// As for `dealloc`; `new_size` must not overflow when rounded up to `layout.align()`.
    pub unsafe fn realloc(&mut self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Ok(new) = Layout::from_size_align(new_size, layout.align()) else { return core::ptr::null_mut() };
        if class_of(&layout) == class_of(&new) {
            return ptr;
        }
        // SAFETY: the caller's contract, passed on.
        unsafe {
            let p = self.alloc(new);
            if !p.is_null() {
                core::ptr::copy_nonoverlapping(ptr, p, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            p
        }
    }
}

#[cfg(all(target_arch = "wasm32", feature = "heap", not(target_feature = "atomics")))]
mod global {
    use super::Heap;
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::UnsafeCell;

    fn grow(pages: usize) -> usize {
        core::arch::wasm32::memory_grow(0, pages)
    }

    type Grow = fn(usize) -> usize;

    struct Global(UnsafeCell<Heap<Grow>>);

    // SAFETY: wasm32-unknown-unknown without atomics runs one thread.
    unsafe impl Sync for Global {}

    unsafe impl GlobalAlloc for Global {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: one thread, no reentrancy (the heap never allocates).
            unsafe { (*self.0.get()).alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { (*self.0.get()).dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            unsafe { (*self.0.get()).realloc(ptr, layout, new_size) }
        }
    }

    #[global_allocator]
    static HEAP: Global = Global(UnsafeCell::new(Heap::new(0, grow as Grow)));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A heap over a plain buffer of `pages` pages.
    fn heap(buf: &mut Vec<u8>, pages: usize) -> Heap<impl FnMut(usize) -> usize> {
        buf.resize((pages + 1) * PAGE, 0);
        let base = (buf.as_mut_ptr() as usize + PAGE - 1) & !(PAGE - 1);
        let mut used = 0;
        Heap::new(base, move |n| {
            if used + n > pages {
                return usize::MAX;
            }
            used += n;
            used - n
        })
    }

    #[test]
    fn classes() {
        let c = |size, align| class_of(&Layout::from_size_align(size, align).unwrap());
        assert_eq!(c(0, 1), Some((3, 8)));
        assert_eq!(c(8, 8), Some((3, 8)));
        assert_eq!(c(9, 1), Some((4, 16)));
        assert_eq!(c(384, 4), Some((9, 512)));
        assert_eq!(c(1, 64), Some((6, 64)));
        assert_eq!(c(65537, 1), Some((17, 131072)));
        assert_eq!(c((1 << 31) + 1, 1), None);
    }

    #[test]
    fn reuses_freed_blocks_and_keeps_alignment() {
        let mut buf = vec![];
        let mut h = heap(&mut buf, 4);
        let l = Layout::from_size_align(100, 8).unwrap();
        unsafe {
            let a = h.alloc(l);
            let b = h.alloc(l);
            assert!(!a.is_null() && !b.is_null() && a != b);
            assert_eq!(a as usize % 16, 0);
            h.dealloc(a, l);
            assert_eq!(h.alloc(l), a, "the freed block comes back");
            // Over-aligned requests are honoured.
            let big = Layout::from_size_align(10, 256).unwrap();
            let p = h.alloc(big);
            assert_eq!(p as usize % 256, 0);
            // Same class: realloc keeps the block; another class moves it with its bytes.
            *b = 7;
            assert_eq!(h.realloc(b, l, 120), b);
            let c = h.realloc(b, Layout::from_size_align(120, 8).unwrap(), 1000);
            assert_ne!(c, b);
            assert_eq!(*c, 7);
        }
    }

    #[test]
    fn out_of_memory_is_null_not_a_crash() {
        let mut buf = vec![];
        let mut h = heap(&mut buf, 2);
        unsafe {
            assert!(!h.alloc(Layout::from_size_align(PAGE, 8).unwrap()).is_null());
            assert!(h.alloc(Layout::from_size_align(3 * PAGE, 8).unwrap()).is_null());
            // What is left still serves small requests.
            assert!(!h.alloc(Layout::from_size_align(64, 8).unwrap()).is_null());
        }
    }

    /// Random alloc / realloc / free: live blocks never overlap, stay aligned and keep their bytes.
    #[test]
    fn random_use_never_overlaps_or_loses_bytes() {
        let mut buf = vec![];
        let mut h = heap(&mut buf, 1024);
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut rnd = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let mut live: Vec<(*mut u8, Layout, u8)> = vec![];
        for step in 0..20_000u32 {
            let op = rnd(10);
            if op < 4 || live.is_empty() {
                let size = match rnd(4) {
                    0 => rnd(16),
                    1 => rnd(600),
                    2 => rnd(5000),
                    _ => rnd(70_000),
                } as usize;
                let l = Layout::from_size_align(size, 1 << rnd(5)).unwrap();
                let p = unsafe { h.alloc(l) };
                assert!(!p.is_null(), "step {step}: out of memory");
                assert_eq!(p as usize % l.align(), 0);
                let tag = step as u8;
                unsafe { core::ptr::write_bytes(p, tag, size) };
                live.push((p, l, tag));
            } else if op < 6 {
                let i = rnd(live.len() as u64) as usize;
                let (p, l, tag) = live[i];
                let new_size = rnd(9000) as usize;
                let q = unsafe { h.realloc(p, l, new_size) };
                assert!(!q.is_null());
                let kept = l.size().min(new_size);
                assert!(unsafe { core::slice::from_raw_parts(q, kept) }.iter().all(|b| *b == tag), "step {step}: realloc lost bytes");
                unsafe { core::ptr::write_bytes(q, tag, new_size) };
                live[i] = (q, Layout::from_size_align(new_size, l.align()).unwrap(), tag);
            } else {
                let (p, l, tag) = live.swap_remove(rnd(live.len() as u64) as usize);
                assert!(unsafe { core::slice::from_raw_parts(p, l.size()) }.iter().all(|b| *b == tag), "step {step}: bytes changed");
                unsafe { h.dealloc(p, l) };
            }
        }
        // Every live block still holds its own bytes, and no two overlap.
        let mut spans: Vec<(usize, usize)> = live.iter().map(|(p, l, _)| (*p as usize, *p as usize + l.size())).collect();
        spans.sort();
        assert!(spans.windows(2).all(|w| w[0].1 <= w[1].0));
        for (p, l, tag) in &live {
            assert!(unsafe { core::slice::from_raw_parts(*p, l.size()) }.iter().all(|b| b == tag));
        }
    }
}
