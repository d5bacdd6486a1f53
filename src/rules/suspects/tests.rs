//! Every scan gives the portable loop's answer.

use super::*;

/// Members under the three-byte leads given, those under E2 and EF
/// lead-only, and what may follow a lead.
fn sets(leads: &[u32]) -> (BmpSet, BmpSet, BmpSet) {
    let (mut set, mut lead_only, mut after) = (BmpSet::empty(), BmpSet::empty(), BmpSet::empty());
    let mut x = 12345u32;
    let mut rand = move || {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        x >> 8
    };
    for &lead in leads {
        for _ in 0..40 {
            let u = ((lead & 0x0F) << 12) | (rand() & 0x0FFF);
            let c = char::from_u32(u).unwrap_or('\u{3000}');
            set.insert(c);
            if matches!(lead, 0xE2 | 0xEF) {
                lead_only.insert(c);
            }
        }
    }
    for c in "éÃ©Ð¸\u{85}\u{a0}—…€\u{fffd}".chars() {
        after.insert(c);
    }
    (set, lead_only, after)
}

/// Every member, and characters beside members, at every alignment in a
/// block, before each kind of character: each scan this CPU has finds
/// what the portable one finds. Eight leads are more than the SIMD
/// tables have room for (the AVX-512 scan takes the rest whole, the
/// AVX2 scan does not run); seven fit both.
#[test]
fn simd_scans_agree_with_portable() {
    let eight = [0xE2, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEF];
    let seven = [0xE2, 0xE4, 0xE5, 0xE6, 0xE7, 0xE9, 0xEF];
    let mut tried = Vec::new();
    for leads in [&eight[..], &seven[..]] {
        let scan = || {
            let (set, lead_only, after) = sets(leads);
            SuspectScan::new(set, lead_only, after)
        };
        let mut portable = scan();
        assert!(portable.set_kernel(Kernel::Portable));
        for k in [Kernel::Avx512, Kernel::Avx2] {
            let mut simd = scan();
            if simd.set_kernel(k) {
                tried.push((leads.len(), k));
                agree(&simd, &portable);
            }
        }
    }
    eprintln!("scans tried (leads, kernel): {tried:?}");
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx2") {
        assert!(tried.contains(&(7, Kernel::Avx2)), "{tried:?}");
        assert!(!tried.contains(&(8, Kernel::Avx2)), "{tried:?}");
    }
}

#[test]
fn docclean_scan_picks_a_narrower_scan_the_cpu_has() {
    use Kernel::*;
    let all = [Avx512, Avx2, Portable];
    assert_eq!(Kernel::choose(&all, None), Avx512);
    assert_eq!(Kernel::choose(&all, Some("avx2")), Avx2);
    assert_eq!(Kernel::choose(&all, Some("portable")), Portable);
    assert_eq!(
        Kernel::choose(&all, Some("AVX2")),
        Avx512,
        "values are exact"
    );
    assert_eq!(Kernel::choose(&[Avx2, Portable], Some("avx512")), Avx2);
    assert_eq!(Kernel::choose(&[Portable], Some("avx2")), Portable);
}

fn agree(simd: &SuspectScan, portable: &SuspectScan) {
    let mut probes: Vec<char> = Vec::new();
    for u in 0x800u32..0x10000 {
        let Some(c) = char::from_u32(u) else { continue };
        // members, and their neighbours (same row, other buckets)
        if (0..4).any(|d| simd.set.contains_bmp((u ^ d) as u16)) {
            probes.push(c);
        }
    }
    // two-byte leads C2–DF, a four-byte one, and common Chinese
    probes.extend("·éЖש😍党，".chars());
    let after_probe = [' ', 'a', 'é', '—', '\u{fffd}', '党', '，', '。'];
    let filler = "中华人民共和国国务院关于进一步加强安全生产工作的决定。".repeat(3);
    let mut n = 0;
    for (k, &c) in probes.iter().enumerate() {
        let next = after_probe[k % after_probe.len()];
        let pad = k % 67;
        let s = format!(
            "{}{}{c}{next}{filler}",
            "x".repeat(pad),
            &filler[..3 * (k % 5)]
        );
        for i in [0, 1, pad] {
            let i = (i..=s.len()).find(|&i| s.is_char_boundary(i)).unwrap();
            assert_eq!(
                simd.next(s.as_bytes(), i),
                portable.next(s.as_bytes(), i),
                "{:?}: {s:?} from {i}",
                simd.kernel()
            );
            n += 1;
        }
    }
    assert!(n > 1000, "only {n} probes");
}
