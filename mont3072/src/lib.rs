//! Fixed-size arithmetic modulo the RFC 5054 3072-bit prime `N` (the only group Cognito uses).
//!
//! Why not a general bigint: SRP spends all its time in `x^e mod N` for this one `N`, and a general
//! library (num-bigint in wasm: 63 ms for one 1072-bit exponent) loses even to naive JS BigInt.
//! Here a number is 96 little-endian `u32` limbs (wasm has a native 32x32->64 multiply but no
//! 64x64->128), products use Montgomery form with `R = 2^3072`, and two facts about `N` are used:
//!
//! * `N ≡ -1 (mod 2^64)`, so the Montgomery constant `-N^-1 mod 2^32` is 1 and the reduction
//!   factor of each row is just the row's low limb;
//! * the top 64 bits of `N` are ones, so `r = 2^3072 - N < 2^3006`, and `y·2^d mod N` for `d < 32`
//!   is one shift plus `hi·r` — this makes `g^e` with `g = 2` cost one squaring per exponent bit.
//!
//! Exponentiation uses a fixed window (same operation count for every exponent of a given length).
//! Every caller goes through [`pow`] / [`pow2`], so a faster kernel can replace this file alone.
//! One does: in a wasm build with `simd128`, [`mont_mul`] and [`mont_sqr`] run the SIMD kernel
//! of `simd.rs`, twice as fast; elsewhere the portable one below ([`portable_mont_mul`]).

// Limb loops index several arrays in lockstep; iterator forms obscure the carry chains.
#![allow(clippy::needless_range_loop)]
#![cfg_attr(not(test), no_std)]

extern crate alloc;

use core::cmp::Ordering;

/// Number of 32-bit limbs in a 3072-bit number.
pub const LIMBS: usize = 96;
/// Bytes in a 3072-bit number.
pub const BYTES: usize = LIMBS * 4;

/// An unsigned integer below `2^3072`, little-endian 32-bit limbs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct U3072(pub(crate) [u32; LIMBS]);

impl core::fmt::Debug for U3072 {
    // Values here are often secrets (S, a, x); never print them.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("U3072(..)")
    }
}

const fn hex_val(c: u8) -> u32 {
    match c {
        b'0'..=b'9' => (c - b'0') as u32,
        b'a'..=b'f' => (c - b'a' + 10) as u32,
        b'A'..=b'F' => (c - b'A' + 10) as u32,
        _ => 0,
    }
}

/// Compile-time parse of a hex constant of at most 768 digits.
const fn const_hex(s: &str) -> U3072 {
    let b = s.as_bytes();
    let mut limbs = [0u32; LIMBS];
    let mut i = 0;
    while i < b.len() {
        // digit i counted from the right
        let c = b[b.len() - 1 - i];
        limbs[i / 8] |= hex_val(c) << (4 * (i % 8));
        i += 1;
    }
    U3072(limbs)
}

/// N, RFC 5054 Appendix A, 3072-bit group.
pub const N: U3072 = const_hex(concat!(
    "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a08798e3404dd",
    "ef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed",
    "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf0598da48361c55d39a69163fa8fd24cf5f",
    "83655d23dca3ad961c62f356208552bb9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b",
    "e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf6955817183995497cea956ae515d2261898fa0510",
    "15728e5a8aaac42dad33170d04507a33a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7",
    "abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864d87602733ec86a64521f2b18177b200c",
    "bbe117577a615d6c770988c0bad946e208e24fa074e5ab3143db5bfce0fd108e4b82d120a93ad2caffffffffffffffff",
));

/// `R^2 mod N` with `R = 2^3072`, used to enter Montgomery form (checked by a test).
const R2: U3072 = const_hex(concat!(
    "5ac8b4fb51df35da44c4e4e431ad0295a332e8e3e0669e0f84895a7c5542f96c2ad479fe69695c75fae1cd10648bee54",
    "fa022336f28de7725caa69009fbf543f9875d4c167db7edcaa05da05c27fdd33af0ec45cdc3960862276cb40571f2c1c",
    "49cd9d705da184d57139d0ab24b7e495a5daf736bc8d5e9e109d099e16fd756877a5c747d85b0a838c6cbd34d5965134",
    "a73d01032c4b8e907ded489e670d9c6f19c2883eefc802af0672a33d61e37f747cda502ec043f99c9a678bf4439f12eb",
    "5a7795d86ecc498719cc8d59563706fbb41a05f078024208bfd961d538d6fcdd4f12768256e88b53785483c608108c0c",
    "3efef29dc3c0b3f41b9d01271d18f0c81caefc188a59bc7fb186424b83df2859af80d4b5443561c6fea5187fa77dedda",
    "1d93075aa993d1471ef22571e41a52b28aa61391abb0b76abc2b64cf26e335d7682aab9a15b17ffafc1187a5fa8406ab",
    "ae1284023c6ed6a34335aacb64894d9695823215b15ba5774f30b920e5c1db663587f06960e7f1382697ca9138d241cd",
));

impl U3072 {
    pub const ZERO: U3072 = U3072([0; LIMBS]);

    pub fn from_u32(v: u32) -> Self {
        let mut l = [0u32; LIMBS];
        l[0] = v;
        U3072(l)
    }

    /// Big-endian bytes (any length); `None` if the value needs more than 3072 bits.
    pub fn from_be_bytes(bytes: &[u8]) -> Option<Self> {
        let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        let bytes = &bytes[first..];
        if bytes.len() > BYTES {
            return None;
        }
        let mut l = [0u32; LIMBS];
        for (i, &b) in bytes.iter().rev().enumerate() {
            l[i / 4] |= (b as u32) << (8 * (i % 4));
        }
        Some(U3072(l))
    }

    /// Fixed-width 384-byte big-endian encoding.
    pub fn to_be_bytes(&self) -> [u8; BYTES] {
        let mut out = [0u8; BYTES];
        for (i, limb) in self.0.iter().enumerate() {
            let o = BYTES - 4 * (i + 1);
            out[o..o + 4].copy_from_slice(&limb.to_be_bytes());
        }
        out
    }

    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|&l| l == 0)
    }

    /// Value mod N for any value below 2^3072 (one conditional subtraction: 2^3072 < 2N).
    pub fn reduce(&self) -> Self {
        let mut r = *self;
        if cmp(&r, &N) != Ordering::Less {
            sub_assign(&mut r.0, &N.0);
        }
        r
    }
}

// The package is built with LLVM's inline threshold at 0 (size); the kernel's helpers keep
// being inlined (speed): `#[inline]` raises them to the hint threshold.
#[inline]
fn cmp(a: &U3072, b: &U3072) -> Ordering {
    for i in (0..LIMBS).rev() {
        match a.0[i].cmp(&b.0[i]) {
            Ordering::Equal => continue,
            o => return o,
        }
    }
    Ordering::Equal
}

/// a -= b, returns the borrow.
#[inline]
fn sub_assign(a: &mut [u32; LIMBS], b: &[u32; LIMBS]) -> u32 {
    let mut borrow = 0u64;
    for i in 0..LIMBS {
        let d = (a[i] as u64).wrapping_sub(b[i] as u64).wrapping_sub(borrow);
        a[i] = d as u32;
        borrow = (d >> 63) & 1;
    }
    borrow as u32
}

/// a += b, returns the carry.
#[inline]
fn add_assign(a: &mut [u32; LIMBS], b: &[u32; LIMBS]) -> u32 {
    let mut carry = 0u64;
    for i in 0..LIMBS {
        let s = a[i] as u64 + b[i] as u64 + carry;
        a[i] = s as u32;
        carry = s >> 32;
    }
    carry as u32
}

/// Subtract N when `carry` is set or the value is >= N (inputs here are < 2N).
#[inline]
fn final_sub(t: &mut [u32; LIMBS], carry: u32) {
    if carry != 0 || cmp(&U3072(*t), &N) != Ordering::Less {
        sub_assign(t, &N.0);
    }
}

/// (a + b) mod N for a, b < N.
pub fn add_mod(a: &U3072, b: &U3072) -> U3072 {
    let mut r = a.0;
    let c = add_assign(&mut r, &b.0);
    final_sub(&mut r, c);
    U3072(r)
}

/// (a - b) mod N for a, b < N.
pub fn sub_mod(a: &U3072, b: &U3072) -> U3072 {
    let mut r = a.0;
    if sub_assign(&mut r, &b.0) != 0 {
        add_assign(&mut r, &N.0);
    }
    U3072(r)
}

/// Column accumulator for product scanning: the value is `lo + hi·2^32`. Each 64-bit product is
/// added as its two halves, so no carry is propagated inside a column (a column has at most
/// 2·96 products: both sums stay far below 2^64).
#[derive(Clone, Copy, Default)]
struct Acc {
    lo: u64,
    hi: u64,
}

impl Acc {
    #[inline(always)]
    fn add(&mut self, x: u32, y: u32) {
        let p = x as u64 * y as u64;
        self.lo += p & 0xffff_ffff;
        self.hi += p >> 32;
    }
    /// The low 32 bits of the value.
    #[inline(always)]
    fn low(&self) -> u32 {
        self.lo as u32
    }
    /// value >>= 32
    #[inline(always)]
    fn shift(&mut self) {
        self.lo = (self.lo >> 32) + self.hi;
        self.hi = 0;
    }
}

/// Montgomery product `a·b·R^-1 mod N`: the wasm SIMD kernel (`simd.rs`) where the build has
/// `simd128`, else the portable one.
#[inline]
pub fn mont_mul(a: &U3072, b: &U3072) -> U3072 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return simd::mont_mul(a, b);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    portable_mont_mul(a, b)
}

/// Montgomery square `a²·R^-1 mod N` (see [`mont_mul`]).
#[inline]
pub fn mont_sqr(a: &U3072) -> U3072 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return simd::mont_sqr(a);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    portable_mont_sqr(a)
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod simd;

/// Montgomery product `a·b·R^-1 mod N`, finely integrated product scanning (FIPS, Koç et al.):
/// column by column the product and the reduction `m·N` are summed in registers, and `m_i` is
/// the column's low limb because `-N^-1 ≡ 1 (mod 2^32)`. Measured in Chromium and Node this
/// beats CIOS (which stores the running sum every row) at opt-level 3.
pub fn portable_mont_mul(a: &U3072, b: &U3072) -> U3072 {
    let (a, b, n) = (&a.0, &b.0, &N.0);
    let mut m = [0u32; LIMBS];
    let mut r = [0u32; LIMBS];
    let mut acc = Acc::default();
    for i in 0..LIMBS {
        for j in 0..i {
            acc.add(a[j], b[i - j]);
            acc.add(m[j], n[i - j]);
        }
        acc.add(a[i], b[0]);
        let mi = acc.low();
        m[i] = mi;
        acc.add(mi, n[0]);
        acc.shift();
    }
    for i in LIMBS..2 * LIMBS {
        for j in i - LIMBS + 1..LIMBS {
            acc.add(a[j], b[i - j]);
            acc.add(m[j], n[i - j]);
        }
        r[i - LIMBS] = acc.low();
        acc.shift();
    }
    final_sub(&mut r, acc.lo as u32);
    U3072(r)
}

/// Montgomery square: as [`portable_mont_mul`], with each off-diagonal product `a_j·a_k` computed once
/// and doubled (1.5·n² products instead of 2·n²).
pub fn portable_mont_sqr(a: &U3072) -> U3072 {
    let (a, n) = (&a.0, &N.0);
    let mut m = [0u32; LIMBS];
    let mut r = [0u32; LIMBS];
    let mut acc = Acc::default();
    for i in 0..2 * LIMBS {
        // a-part of column i: pairs j < k with j + k = i, doubled, plus a_{i/2}².
        let mut pair = Acc::default();
        let mut j = (i + 1).saturating_sub(LIMBS);
        while 2 * j < i {
            pair.add(a[j], a[i - j]);
            j += 1;
        }
        acc.lo += pair.lo << 1;
        acc.hi += pair.hi << 1;
        if i % 2 == 0 && i / 2 < LIMBS {
            acc.add(a[i / 2], a[i / 2]);
        }
        // m-part.
        if i < LIMBS {
            for j in 0..i {
                acc.add(m[j], n[i - j]);
            }
            let mi = acc.low();
            m[i] = mi;
            acc.add(mi, n[0]);
        } else {
            for j in i - LIMBS + 1..LIMBS {
                acc.add(m[j], n[i - j]);
            }
            r[i - LIMBS] = acc.low();
        }
        acc.shift();
    }
    final_sub(&mut r, acc.lo as u32);
    U3072(r)
}

/// `x·R mod N` (enter Montgomery form).
pub fn to_mont(x: &U3072) -> U3072 {
    mont_mul(&x.reduce(), &R2)
}

/// `x·R^-1 mod N` (leave Montgomery form).
pub fn from_mont(x: &U3072) -> U3072 {
    mont_mul(x, &U3072::from_u32(1))
}

/// `R mod N`, the Montgomery form of 1.
fn mont_one() -> U3072 {
    let mut r = [0u32; LIMBS];
    sub_assign(&mut r, &N.0); // 2^3072 - N, computed mod 2^3072
    U3072(r)
}

/// `y·2^d mod N` for `y < N`, `d < 32`: shift, then fold the overflow word with `2^3072 ≡ r`.
#[inline]
fn mul_pow2(y: &U3072, d: u32) -> U3072 {
    let mut t = [0u32; LIMBS];
    let hi: u64 = if d == 0 {
        t = y.0;
        0
    } else {
        let mut prev = 0u32;
        for i in 0..LIMBS {
            t[i] = (y.0[i] << d) | prev;
            prev = y.0[i] >> (32 - d);
        }
        prev as u64
    };
    // t += hi·r where r = 2^3072 - N (r < 2^3006, so hi·r < 2^3038).
    let r = mont_one();
    let mut c = 0u64;
    for i in 0..LIMBS {
        let s = t[i] as u64 + hi * r.0[i] as u64 + c;
        t[i] = s as u32;
        c = s >> 32;
    }
    final_sub(&mut t, c as u32);
    U3072(t)
}

/// Bits of a big-endian exponent, most significant first, with leading zero bits skipped.
struct Bits<'a> {
    e: &'a [u8],
    start: usize,
}

impl<'a> Bits<'a> {
    fn new(e: &'a [u8]) -> Self {
        let total = e.len() * 8;
        let mut start = 0;
        while start < total && !Self::bit_at(e, start) {
            start += 1;
        }
        Bits { e, start }
    }
    fn bit_at(e: &[u8], i: usize) -> bool {
        (e[i / 8] >> (7 - i % 8)) & 1 == 1
    }
    fn len(&self) -> usize {
        self.e.len() * 8 - self.start
    }
    /// Window of `w` bits ending at significant-bit position `end` (exclusive), as a number.
    fn window(&self, from: usize, w: usize) -> u32 {
        let mut v = 0u32;
        for i in from..from + w {
            v = (v << 1) | Self::bit_at(self.e, self.start + i) as u32;
        }
        v
    }
}

/// Calls `step(w, digit)` for each window of at most `w` bits, most significant first, the
/// first window possibly shorter so that the rest align.
#[inline]
fn windows(bits: &Bits, w: usize, mut step: impl FnMut(usize, u32)) {
    let len = bits.len();
    let first = if len.is_multiple_of(w) { w } else { len % w };
    if len == 0 {
        return;
    }
    step(first, bits.window(0, first));
    let mut pos = first;
    while pos < len {
        step(w, bits.window(pos, w));
        pos += w;
    }
}

/// `base^e mod N`, `e` big-endian of any length, fixed window.
pub fn pow(base: &U3072, e: &[u8]) -> U3072 {
    let bits = Bits::new(e);
    let w = if bits.len() > 384 { 5 } else { 4 };
    let size = 1usize << w;
    let b = to_mont(base);
    let mut table = [U3072::ZERO; 32];
    table[0] = mont_one();
    for i in 1..size {
        table[i] = mont_mul(&table[i - 1], &b);
    }
    let mut acc = mont_one();
    let mut first = true;
    windows(&bits, w, |len, digit| {
        if first {
            acc = table[digit as usize];
            first = false;
            return;
        }
        for _ in 0..len {
            acc = mont_sqr(&acc);
        }
        acc = mont_mul(&acc, &table[digit as usize]);
    });
    from_mont(&acc)
}

/// `2^e mod N` (the generator is 2): one squaring per bit, the multiplies become shifts.
pub fn pow2(e: &[u8]) -> U3072 {
    let bits = Bits::new(e);
    let mut acc = mont_one();
    let mut first = true;
    windows(&bits, 5, |len, digit| {
        if !first {
            for _ in 0..len {
                acc = mont_sqr(&acc);
            }
        }
        first = false;
        acc = mul_pow2(&acc, digit);
    });
    from_mont(&acc)
}

/// Teeth of the fixed-base comb: a table of 2^COMB_TEETH entries (64 × 384 bytes).
const COMB_TEETH: usize = 6;
/// Spacing of the teeth: exponents up to COMB_TEETH · COMB_SPACING = 288 bits.
const COMB_SPACING: usize = 48;

/// Fixed-base exponentiation `2^e mod N` with a comb (Lim–Lee): the table holds
/// `2^(Σ_t bit_t(i)·2^(t·48))` for every 6-bit `i`, so a 288-bit exponent costs 48 squarings and
/// 48 multiplications instead of 288 squarings. Building the table costs about as much as one
/// plain `2^e` (240 squarings, 58 multiplications); it is built once and reused.
pub struct Comb2 {
    table: alloc::vec::Vec<U3072>,
}

impl Default for Comb2 {
    fn default() -> Self {
        Self::new()
    }
}

impl Comb2 {
    pub fn new() -> Self {
        let mut b = CombBuilder::new();
        loop {
            if let Some(c) = b.step(usize::MAX) {
                return c;
            }
        }
    }

    /// `2^e mod N` for a big-endian exponent of at most 288 significant bits (`None` above).
    pub fn pow(&self, e: &[u8]) -> Option<U3072> {
        let bits = Bits::new(e);
        if bits.len() > COMB_TEETH * COMB_SPACING {
            return None;
        }
        // Bit p (p = 0 is the least significant) of the exponent.
        let bit = |p: usize| -> usize {
            let byte = e.len().checked_sub(1 + p / 8);
            byte.map_or(0, |b| ((e[b] >> (p % 8)) & 1) as usize)
        };
        let mut acc = mont_one();
        let mut started = false;
        for j in (0..COMB_SPACING).rev() {
            if started {
                acc = mont_sqr(&acc);
            }
            let mut idx = 0;
            for t in 0..COMB_TEETH {
                idx |= bit(t * COMB_SPACING + j) << t;
            }
            if idx != 0 {
                acc = if started { mont_mul(&acc, &self.table[idx]) } else { self.table[idx] };
                started = true;
            }
        }
        Some(from_mont(&acc))
    }
}

/// A [`Comb2`] built a slice at a time (each `step` does at most `budget` Montgomery
/// operations), so that a page can build it at idle time without a long task: 240 squarings for
/// the teeth, then 58 multiplications for the table.
pub struct CombBuilder {
    teeth: [U3072; COMB_TEETH],
    /// The tooth being made (1..COMB_TEETH) and its squarings so far; then the table entry.
    tooth: usize,
    squarings: usize,
    table: alloc::vec::Vec<U3072>,
}

impl Default for CombBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl CombBuilder {
    pub fn new() -> Self {
        // P_t = 2^(2^(t·D)), Montgomery form; P_0 = 2.
        let mut teeth = [U3072::ZERO; COMB_TEETH];
        teeth[0] = mul_pow2(&mont_one(), 1);
        CombBuilder { teeth, tooth: 1, squarings: 0, table: alloc::vec::Vec::new() }
    }

    /// Does at most `budget` operations; the finished comb once there is nothing left to do.
    pub fn step(&mut self, mut budget: usize) -> Option<Comb2> {
        while budget > 0 && self.tooth < COMB_TEETH {
            let t = self.tooth;
            if self.squarings == 0 {
                self.teeth[t] = self.teeth[t - 1];
            }
            self.teeth[t] = mont_sqr(&self.teeth[t]);
            self.squarings += 1;
            if self.squarings == COMB_SPACING {
                self.tooth += 1;
                self.squarings = 0;
            }
            budget -= 1;
        }
        if self.tooth < COMB_TEETH {
            return None;
        }
        if self.table.is_empty() {
            self.table.push(mont_one());
        }
        while budget > 0 && self.table.len() < 1 << COMB_TEETH {
            let i = self.table.len();
            let top = (usize::BITS - 1 - i.leading_zeros()) as usize;
            let rest = i & !(1 << top);
            let entry = if rest == 0 { self.teeth[top] } else { mont_mul(&self.table[rest], &self.teeth[top]) };
            self.table.push(entry);
            budget -= 1;
        }
        (self.table.len() == 1 << COMB_TEETH).then(|| Comb2 { table: core::mem::take(&mut self.table) })
    }
}

/// `a·b mod N` for plain (non-Montgomery) a, b.
pub fn mul_mod(a: &U3072, b: &U3072) -> U3072 {
    mont_mul(&to_mont(a), b)
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use num_bigint::BigUint;
    use std::vec::Vec;

    fn big(x: &U3072) -> BigUint {
        BigUint::from_bytes_be(&x.to_be_bytes())
    }
    fn from_big(b: &BigUint) -> U3072 {
        U3072::from_be_bytes(&b.to_bytes_be()).unwrap()
    }
    fn n() -> BigUint {
        big(&N)
    }
    /// Deterministic pseudo-random bytes (xorshift), enough for arithmetic cross-checks.
    fn rnd(seed: &mut u64, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                *seed ^= *seed << 13;
                *seed ^= *seed >> 7;
                *seed ^= *seed << 17;
                (*seed >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn r2_is_r_squared_mod_n() {
        let r = BigUint::from(1u8) << 3072usize;
        assert_eq!(big(&R2), (&r * &r) % n());
        assert_eq!(big(&mont_one()), &r % n());
        assert!((&r - n()).bits() <= 3006);
    }

    #[test]
    fn montgomery_ops_match_num_bigint() {
        let mut seed = 0x9e3779b97f4a7c15;
        let r = BigUint::from(1u8) << 3072usize;
        let rinv = r.modinv(&n()).unwrap();
        for _ in 0..40 {
            let a = from_big(&(BigUint::from_bytes_be(&rnd(&mut seed, 384)) % n()));
            let b = from_big(&(BigUint::from_bytes_be(&rnd(&mut seed, 384)) % n()));
            let want = (big(&a) * big(&b) % n()) * &rinv % n();
            assert_eq!(big(&mont_mul(&a, &b)), want);
            let want_sq = (big(&a) * big(&a) % n()) * &rinv % n();
            assert_eq!(big(&mont_sqr(&a)), want_sq);
            assert_eq!(big(&add_mod(&a, &b)), (big(&a) + big(&b)) % n());
            assert_eq!(big(&sub_mod(&a, &b)), (big(&a) + n() - big(&b)) % n());
            assert_eq!(big(&mul_mod(&a, &b)), big(&a) * big(&b) % n());
            for d in [0u32, 1, 5, 31] {
                assert_eq!(big(&mul_pow2(&a, d)), (big(&a) << d) % n());
            }
        }
        // Edge values: N-1 squared, zero.
        let nm1 = from_big(&(n() - 1u8));
        assert_eq!(big(&mul_mod(&nm1, &nm1)), BigUint::from(1u8));
        assert!(mul_mod(&U3072::ZERO, &nm1).is_zero());
    }

    #[test]
    fn pow_and_pow2_match_num_bigint() {
        let mut seed = 42;
        for len in [0usize, 1, 2, 31, 32, 36, 64, 65, 128, 200] {
            let e = rnd(&mut seed, len);
            let base = from_big(&(BigUint::from_bytes_be(&rnd(&mut seed, 384)) % n()));
            let eb = BigUint::from_bytes_be(&e);
            assert_eq!(big(&pow(&base, &e)), big(&base).modpow(&eb, &n()), "len {len}");
            assert_eq!(big(&pow2(&e)), BigUint::from(2u8).modpow(&eb, &n()), "len {len}");
        }
        // Exponents with leading zero bytes and single bits.
        for e in [vec![0u8, 0, 1], vec![0x80], vec![1, 0, 0, 0, 0, 0]] {
            let eb = BigUint::from_bytes_be(&e);
            assert_eq!(big(&pow2(&e)), BigUint::from(2u8).modpow(&eb, &n()));
            assert_eq!(big(&pow(&U3072::from_u32(3), &e)), BigUint::from(3u8).modpow(&eb, &n()));
        }
    }

    #[test]
    fn comb_matches_plain_exponentiation() {
        let comb = Comb2::new();
        let mut seed = 7;
        for len in [0usize, 1, 5, 31, 32, 35, 36] {
            let e = rnd(&mut seed, len);
            let eb = BigUint::from_bytes_be(&e);
            assert_eq!(big(&comb.pow(&e).unwrap()), BigUint::from(2u8).modpow(&eb, &n()), "len {len}");
        }
        assert_eq!(
            big(&comb
                .pow(&[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
                .unwrap()),
            BigUint::from(2u8).modpow(&(BigUint::from(1u8) << 287usize), &n())
        );
        assert!(comb.pow(&[1; 37]).is_none(), "over 288 bits: not for the comb");
        assert_eq!(big(&comb.pow(&[0, 0, 0, 1]).unwrap()), BigUint::from(2u8));
    }

    /// The table built a slice at a time (as the SDK does at idle time) is the table built at
    /// once: the same powers, however small the slices.
    #[test]
    fn a_comb_built_in_slices_is_the_comb_built_at_once() {
        let whole = Comb2::new();
        for slice in [1usize, 7, 40] {
            let mut b = CombBuilder::new();
            let mut steps = 1;
            let sliced = loop {
                if let Some(c) = b.step(slice) {
                    break c;
                }
                steps += 1;
            };
            assert!(steps > 300 / slice / 2, "slice {slice}: built in {steps} steps, not at once");
            let mut seed = slice as u64;
            for len in [1usize, 20, 36] {
                let e = rnd(&mut seed, len);
                assert_eq!(sliced.pow(&e).map(|x| big(&x)), whole.pow(&e).map(|x| big(&x)), "slice {slice}, len {len}");
            }
        }
    }

    #[test]
    fn byte_round_trip_and_limits() {
        let mut bytes = [0u8; 385];
        bytes[1] = 0xab;
        bytes[384] = 1;
        let x = U3072::from_be_bytes(&bytes).unwrap();
        assert_eq!(x.to_be_bytes()[0], 0xab);
        assert_eq!(x.to_be_bytes()[383], 1);
        bytes[0] = 1;
        assert!(U3072::from_be_bytes(&bytes).is_none());
        assert!(U3072::from_be_bytes(&[]).unwrap().is_zero());
        assert!(N.reduce().is_zero());
    }
}
