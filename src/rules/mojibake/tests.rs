//! Unit tests of the mojibake rule: repairs, what stays, the gate and the codec flags.

use super::codec::{applicable, codecs};
use super::gate::GateState;
use super::*;

fn fix(s: &str) -> String {
    let all: Vec<usize> = (0..codecs().len()).collect();
    repair_line(s, &all).unwrap_or_else(|| s.to_owned())
}

#[test]
fn gbk_mojibake_whole_and_span() {
    assert_eq!(fix("鍏氬憳"), "党员");
    assert_eq!(
        fix("锛堜竴锛夊潥鎸佷互楂樿川閲忕粺璁℃湇鍔￠珮璐ㄩ噺鍙戝睍"),
        "（一）坚持以高质量统计服务高质量发展"
    );
    assert_eq!(
        fix("1.2023骞村害閲嶇偣宸ヤ綔鎺ㄨ繘鎯呭喌"),
        "1.2023年度重点工作推进情况"
    );
    assert_eq!(fix("（二）业务能力与新形势新要求还不能适应。闅忕潃缁忔祹绀句細鐨勫彂灞曪紝新情况新问题明显增多"), "（二）业务能力与新形势新要求还不能适应。随着经济社会的发展，新情况新问题明显增多");
}

#[test]
fn gbk_mojibake_with_lost_bytes() {
    // `，` and `。` lost their last byte to the wrong decoder.
    assert_eq!(fix("鍏氬憳锛�"), "党员，");
    assert_eq!(fix("鍏氬憳銆�"), "党员。");
}

#[test]
fn windows_1252_mojibake() {
    assert_eq!(fix("å…šå‘˜"), "党员");
    assert_eq!(fix("ä¸ºè¾–åŒºå„¿ç«¥å…\u{8d}è´¹"), "为辖区儿童免费");
    assert_eq!(fix("HÃ´tel de Police"), "Hôtel de Police");
    // CESU-8: a surrogate pair as two three-byte sequences, read as Windows-1252
    assert_eq!(fix("Hi guys í\u{a0}½í¸\u{8d}"), "Hi guys 😍");
    // 素 = E7 B4 A0: an NBSP as the last byte of a three-byte sequence
    assert_eq!(fix("è¡¥å……ç»´ç”Ÿç´\u{a0}Dæ»´å‰‚ã€‚"), "补充维生素D滴剂。");
}

/// The rule compiled from its settings, with `extra` lines added.
fn compile(extra: &str) -> Result<Mojibake, RuleError> {
    let text = format!(
        "id = \"m\"\nkind = \"mojibake\"\nstage = \"mojibake\"\ndescription = \"d\"\n{extra}"
    );
    let spec: RuleSpec = toml::from_str(&text).unwrap();
    let src = RuleSource {
        path: "test.toml".into(),
        text,
    };
    Mojibake::compile(&spec, &src)
}

/// `from` takes encoding labels, IBM437's included, and names what it
/// cannot repair.
#[test]
fn from_takes_labels() {
    let with_from = |from: &str| compile(&format!("from = {from}\n"));
    let names = |from: &str| -> Vec<&str> {
        let m = with_from(from).unwrap_or_else(|e| panic!("{from}: {e}"));
        m.enabled.iter().map(|&i| codecs()[i].page.name()).collect()
    };
    assert_eq!(
        names(r#"["cp437", "GB18030", "latin1"]"#),
        ["IBM437", "GBK", "windows-1252"]
    );
    assert_eq!(names(r#"["IBM437"]"#), ["IBM437"]);
    let err = with_from(r#"["big5"]"#)
        .err()
        .expect("Big5 is not repaired")
        .to_string();
    assert!(
        err.contains("does not support `big5`") && err.contains("IBM437"),
        "{err}"
    );
    let err = with_from(r#"["klingon"]"#)
        .err()
        .expect("no such encoding")
        .to_string();
    assert!(err.contains("unknown encoding `klingon`"), "{err}");
}

/// The fast gate, with each scan, says exactly what the per-character check
/// over the whole string says, wherever the suspects fall against word boundaries.
#[test]
fn fast_gate_agrees_with_the_exact_check() {
    use crate::rules::suspects::Kernel;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let m = compile("").unwrap();
    // the same rule with each scan this CPU has
    let scans: Vec<Mojibake> = [Kernel::Avx512, Kernel::Avx2, Kernel::Portable]
        .into_iter()
        .filter_map(|k| {
            let mut r = compile("").unwrap();
            r.gate.suspects.set_kernel(k).then_some(r)
        })
        .collect();
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx2") {
        let kernels: Vec<Kernel> = scans.iter().map(|r| r.gate.suspects.kernel()).collect();
        assert!(kernels.contains(&Kernel::Avx2), "{kernels:?}");
    }
    let exact = |s: &str| {
        s.chars()
            .try_fold(GateState::default(), |st, c| m.gate.step(st, c))
            .and_then(|st| m.gate.at_end(st))
            .is_none()
    };
    // mostly clean text, so that long stretches go through the fast scan
    let clean: Vec<char> = "党员的二十大精神学习贯彻中国河，。、“”（）1a "
        .chars()
        .collect();
    let odd: Vec<char> = "\n鍏氬憳锛銆涓璞堜竴—…·×éÃ©Ð¸\u{85}\u{a0}\u{fffd}😍Ωπ┬"
        .chars()
        .collect();
    // and any Han character, two-byte character, punctuation or symbol
    // (E2), fullwidth or compatibility form (EF)
    let any = |r: std::ops::Range<u32>| r.prop_map(|u| char::from_u32(u).unwrap());
    let pick = prop_oneof![
        9 => (0..clean.len()).prop_map(|i| clean[i]),
        1 => (0..odd.len()).prop_map(|i| odd[i]),
        2 => any(0x4E00..0xA000),
        1 => any(0x80..0x800),
        1 => any(0x2000..0x2600),
        1 => any(0xF900..0xFFFE),
    ];
    let mut runner = TestRunner::new(Config::with_cases(3000));
    runner
        .run(&proptest::collection::vec(pick, 0..300), |chars| {
            let s: String = chars.into_iter().collect();
            let want = exact(&s);
            for r in &scans {
                let k = r.gate.suspects.kernel();
                prop_assert_eq!(r.gate.first_match(&s, 0).is_some(), want, "{:?} {:?}", k, s);
            }
            Ok(())
        })
        .unwrap();
}

/// The one-pass flags say, for every codec, what its own check says.
#[test]
fn applicable_agrees_with_each_codec() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    // characters that are leads or continuations of some codec, and others
    let pool: Vec<char> = "党员鍏氬憳锛銆涓—…·×éèÃÂÐÑ©¸“”‘’\u{85}\u{a0}\u{fffd}😍Ωπ┬╗ ÿ€a1，。"
        .chars()
        .collect();
    let mut runner = TestRunner::new(Config::with_cases(3000));
    runner
        .run(&proptest::collection::vec(0..pool.len(), 0..12), |idx| {
            let s: String = idx.into_iter().map(|i| pool[i]).collect();
            let mask = applicable(&s);
            for (i, c) in codecs().iter().enumerate() {
                prop_assert_eq!(
                    mask & (1 << i) != 0,
                    c.may_apply(&s),
                    "{} {:?}",
                    c.page.name(),
                    s
                );
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn clean_text_stays() {
    for s in [
        "涓涓细流",
        "鍏",
        "深入学习贯彻党的二十大精神",
        "Bremer/Mccoy – DrÃ¥ber",
        "Offering 5×£35 pin ups",
        "RETWEET SE VOCÊ…",
        "café",
    ] {
        assert_eq!(fix(s), s);
    }
}
