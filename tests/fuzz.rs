//! Arbitrary bytes through the whole pipeline, as a file and as JSONL: no
//! panic, cleaning the output changes nothing, and `check` finds nothing to
//! do on what `clean` wrote. Inputs mix random bytes with the fragments that
//! make the stages meet (mojibake, entities, markers, zero-width characters,
//! censored tokens, line ends). `PROPTEST_CASES` sets the number of cases
//! (CI runs the default, a bounded time).

use docclean::decode::decode;
use docclean::run::{process_jsonl_stream, Output, RunOptions};
use docclean::{Pipeline, RuleSet};
use proptest::prelude::*;
use std::sync::OnceLock;

fn set() -> &'static RuleSet {
    static SET: OnceLock<RuleSet> = OnceLock::new();
    SET.get_or_init(|| {
        docclean::rules::build(
            &docclean::rules::load_sources(&[], true).unwrap(),
            &docclean::Selection::default(),
        )
        .unwrap()
    })
}

const FRAGMENTS: &[&str] = &[
    "鍏氬憳",
    "å…šå‘˜",
    "锛�",
    "&amp;",
    "&rd",
    "quo;",
    "&lt;",
    "%2B",
    "%E5%85%9A",
    "##paidbegin##",
    "##paidend##",
    "（以下为付费内容）",
    "\u{200B}",
    "\u{FEFF}",
    "\0",
    "D的二十大",
    "D",
    "AAA公众号",
    "AAA",
    "【某某素材库】——",
    "关注公众号",
    "本文档由",
    "上传",
    "\r\n",
    "\r\r\n",
    "\n",
    "\n\n\n",
    "  ",
    "　",
    "党员",
    "，",
    "。",
    "https://example.com/a%2Bb",
    "`",
    "\"",
    "\\",
    "锟斤拷",
    "Ã©",
];

fn noisy_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        3 => proptest::sample::select(FRAGMENTS).prop_map(|f| f.as_bytes().to_vec()),
        1 => proptest::collection::vec(any::<u8>(), 1..4),
        1 => "[a-z0-9 ]{1,6}".prop_map(String::into_bytes),
        1 => "\\PC{1,4}".prop_map(String::into_bytes),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn options(output: Output) -> RunOptions {
    RunOptions {
        output,
        text_field: "text".into(),
        encoding: None,
        format: None,
        force_jsonl: true,
        check_sink: None,
        compression_level: None,
        trace_sink: None,
    }
}

/// The shard `clean` writes for these lines, and its tally.
fn stream(input: &[u8], output: Output) -> (Vec<u8>, docclean::report::Tally) {
    let mut out = Vec::new();
    let tally = process_jsonl_stream(
        set(),
        "fuzz.jsonl",
        &mut std::io::BufReader::new(input),
        &mut out,
        &options(output),
    )
    .unwrap();
    (out, tally)
}

proptest! {
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn a_file_cleans_to_a_fixed_point(bytes in noisy_bytes()) {
        let pipeline = Pipeline::new(set());
        if let Ok(decoded) = decode(&bytes, None) {
            let (once, _) = pipeline.clean(&decoded.text);
            prop_assert!(!once.contains('\0'));
            // what is written must read back as the same text
            let again = decode(once.as_bytes(), None);
            if !once.is_empty() {
                let again = again.expect("cleaned output decodes");
                prop_assert_eq!(&again.text, once.as_ref());
            }
            let (twice, _) = pipeline.clean(&once);
            prop_assert_eq!(once.as_ref(), twice.as_ref());
        }
    }

    #[test]
    fn a_shard_cleans_to_a_fixed_point(texts in proptest::collection::vec(noisy_bytes(), 0..6)) {
        let mut shard = Vec::new();
        for t in &texts {
            let text = String::from_utf8_lossy(t);
            shard.extend_from_slice(serde_json::json!({ "text": text }).to_string().as_bytes());
            shard.extend_from_slice(if t.len() % 3 == 0 { b"\r\n" } else { b"\n" });
        }
        // a line that is not JSON, and one that is not UTF-8, pass through
        shard.extend_from_slice(b"not json\n\xff\xfe\n");
        let (once, _) = stream(&shard, Output::Dir("unused".into()));
        let (twice, _) = stream(&once, Output::Dir("unused".into()));
        prop_assert_eq!(&once, &twice);
        let (_, check) = stream(&once, Output::Check { diff: None });
        // report rules may still find damage the bytes held; nothing is left to fix
        let fixes: Vec<_> = check.changed.iter().flat_map(|e| &e.findings).filter(|f| f.kind == docclean::findings::Kind::Fix).collect();
        prop_assert!(fixes.is_empty(), "check finds work: {:?}", fixes);
    }
}
